package io.wsgate.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;

/** Real keys, real signatures: builds issuers, key files and tokens (good and hostile) for the token tests. */
final class TestTokens {
  static final String ISS = "https://idp.test/";
  static final String AUD = "wsgate";

  // Key generation is slow (RSA); the keys are shared, tokens are fresh per test.
  static final RSAKey RSA = rsa("rsa-1");
  static final RSAKey RSA_2 = rsa("rsa-2");
  static final ECKey EC = ec("ec-1");
  static final ECKey EC_2 = ec("ec-2");
  static final ECKey ATTACKER = ec("attacker");

  private TestTokens() {
  }

  static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] secret(int bytes) {
    byte[] s = new byte[bytes];
    new SecureRandom().nextBytes(s);
    // printable, so the same bytes can live in an environment variable
    for (int i = 0; i < s.length; i++) {
      s[i] = (byte) ('A' + Math.floorMod(s[i], 26));
    }
    return s;
  }

  /** Valid for five minutes from now, issued now. */
  static JWTClaimsSet.Builder claims(String subject) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISS)
        .audience(AUD)
        .subject(subject)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String rs256(RSAKey key, JWTClaimsSet claims) {
    return sign(signer(key), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
  }

  static String es256(ECKey key, JWTClaimsSet claims) {
    return sign(signer(key), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
  }

  static String es256(ECKey key, String kid, JWTClaimsSet claims) {
    return sign(signer(key), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), claims);
  }

  static String hs256(byte[] secret, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), new JWSHeader(JWSAlgorithm.HS256), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static JWSSigner signer(JWK key) {
    try {
      return key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A compact token from raw JSON header and payload with the given signature segment (may be empty). */
  static String raw(String headerJson, String payloadJson, String signature) {
    return b64(headerJson) + "." + b64(payloadJson) + "." + signature;
  }

  /**
   * A token whose header is exactly {@code headerJson} (which Nimbus might refuse to build), validly
   * signed with {@code key} using the header's algorithm {@code alg}.
   */
  static String signedRaw(JWK key, JWSAlgorithm alg, String headerJson, JWTClaimsSet claims) {
    String signingInput = b64(headerJson) + "." + b64(claims.toString());
    try {
      Base64URL signature = signer(key).sign(new JWSHeader(alg), signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + signature;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String payloadJson(String subject) {
    return claims(subject).build().toString();
  }

  static Path writeJwks(Path file, JWK... keys) throws IOException {
    Files.writeString(file, new JWKSet(Arrays.asList(keys)).toPublicJWKSet().toString());
    return file;
  }

  static String publicPem(JWK key) {
    try {
      byte[] der = key instanceof RSAKey rsa ? rsa.toRSAPublicKey().getEncoded() : ((ECKey) key).toECPublicKey().getEncoded();
      return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
          + "\n-----END PUBLIC KEY-----\n";
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeySource jwkFile(Path file) {
    return new KeySource(null, null, null, file, null, null, null);
  }

  static KeySource pemFile(Path file) {
    return new KeySource(null, null, null, null, file, null, null);
  }

  static KeySource hmacFile(Path file) {
    return new KeySource(null, null, null, null, null, file, null);
  }

  static KeySource hmacEnv(String name) {
    return new KeySource(null, null, null, null, null, null, name);
  }

  static KeySource jwks(URI url, Duration refresh, Duration minRefetch) {
    return new KeySource(url, refresh, minRefetch, null, null, null, null);
  }

  static KeySource jwksUrl(String url) {
    return new KeySource(URI.create(url), null, null, null, null, null, null);
  }

  static Issuer issuer(String name, KeySource keys, String... algorithms) {
    return issuer(name, keys, Duration.ZERO, 8192, List.of(), algorithms);
  }

  static Issuer issuer(String name, KeySource keys, Duration skew, int maxTokenBytes, List<String> required,
                       String... algorithms) {
    return new Issuer(name, ISS, List.of(AUD, "other-audience"), Set.of(algorithms), keys, skew, maxTokenBytes,
        required);
  }
}
