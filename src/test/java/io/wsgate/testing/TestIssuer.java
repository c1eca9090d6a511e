package io.wsgate.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * A token issuer for wire tests: real keys written where the policy reads them (a JWK file, a PEM
 * file or an HMAC secret file in the test's temporary directory, or a JWKS endpoint), the
 * {@link Issuer} record that trusts them, and tokens signed with them.
 *
 * <pre>{@code
 * TestIssuer idp = TestIssuer.rsaJwkFile("idp", tempDir);
 * String token = idp.token("alice");
 * TestPolicy.create().issuers(List.of(idp.issuer())) ...
 * }</pre>
 */
public final class TestIssuer {
  public static final String AUDIENCE = "wsgate";

  /** RSA generation is slow: the keys are shared, files and tokens are per test. */
  public static final RSAKey RSA = rsa("wire-rsa-1");
  public static final RSAKey RSA_OTHER = rsa("wire-rsa-2");

  private final Issuer issuer;
  private final JWSSigner signer;
  private final JWSAlgorithm algorithm;
  private final String kid;
  private final byte[] secret;

  private TestIssuer(Issuer issuer, JWSSigner signer, JWSAlgorithm algorithm, String kid, byte[] secret) {
    this.issuer = issuer;
    this.signer = signer;
    this.algorithm = algorithm;
    this.kid = kid;
    this.secret = secret;
  }

  public static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RS256 with {@link #RSA}, whose public JWK Set is written to {@code dir}. */
  public static TestIssuer rsaJwkFile(String name, Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve(name + ".jwks.json"), new JWKSet(RSA).toPublicJWKSet().toString());
    return new TestIssuer(issuer(name, new KeySource(null, null, null, file, null, null, null), "RS256"),
        rsaSigner(RSA), JWSAlgorithm.RS256, RSA.getKeyID(), null);
  }

  /** RS256 with {@link #RSA}, whose public key is written to {@code dir} as PEM (which carries no kid). */
  public static TestIssuer rsaPemFile(String name, Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve(name + ".pem"), publicPem(RSA));
    return new TestIssuer(issuer(name, new KeySource(null, null, null, null, file, null, null), "RS256"),
        rsaSigner(RSA), JWSAlgorithm.RS256, null, null);
  }

  /** HS256 with a fresh random printable 48-byte secret written to {@code dir}. */
  public static TestIssuer hmacFile(String name, Path dir) throws IOException {
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    for (int i = 0; i < secret.length; i++) {
      secret[i] = (byte) ('A' + Math.floorMod(secret[i], 26));
    }
    Path file = Files.write(dir.resolve(name + ".secret"), secret);
    try {
      return new TestIssuer(issuer(name, new KeySource(null, null, null, null, null, file, null), "HS256"),
          new MACSigner(secret), JWSAlgorithm.HS256, null, secret.clone());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RS256 with {@code key}, whose public part the test serves at {@code jwksUrl}. */
  public static TestIssuer jwks(String name, URI jwksUrl, RSAKey key) {
    return new TestIssuer(issuer(name, new KeySource(jwksUrl, null, null, null, null, null, null), "RS256"),
        rsaSigner(key), JWSAlgorithm.RS256, key.getKeyID(), null);
  }

  private static Issuer issuer(String name, KeySource keys, String algorithm) {
    return new Issuer(name, iss(name), List.of(AUDIENCE), Set.of(algorithm), keys, Duration.ZERO, 4096, List.of());
  }

  /** Each test issuer has its own {@code iss}, so several can be trusted at once. */
  public static String iss(String name) {
    return "https://" + name + ".idp.test/";
  }

  private static JWSSigner rsaSigner(RSAKey key) {
    try {
      return new RSASSASigner(key);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String publicPem(RSAKey key) {
    try {
      byte[] der = key.toRSAPublicKey().getEncoded();
      return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
          + "\n-----END PUBLIC KEY-----\n";
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public Issuer issuer() {
    return issuer;
  }

  public String name() {
    return issuer.name();
  }

  /** The HMAC secret as written to the file (null for RSA issuers). */
  public String secret() {
    return secret == null ? null : new String(secret, StandardCharsets.US_ASCII);
  }

  /** This issuer's iss, the gateway's audience, the subject, issued now, valid for five minutes. */
  public JWTClaimsSet.Builder claims(String subject) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer.issuer())
        .audience(AUDIENCE)
        .subject(subject)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  public String token(String subject) {
    return sign(claims(subject).build());
  }

  public String sign(JWTClaimsSet claims) {
    return sign(signer, new JWSHeader.Builder(algorithm).keyID(kid).build(), claims);
  }

  public static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
