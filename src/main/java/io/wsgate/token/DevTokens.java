package io.wsgate.token;

import io.wsgate.policy.DevIssuerKey;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Development tokens: ES256 JWTs signed with the private EC P-256 key of a local JWK Set, for the
 * {@code dev} issuer (whose {@code keys.jwkFile} is the same file: the verifier uses its public part).
 * Never for production: whoever can read the file can mint any subject.
 */
public final class DevTokens {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private DevTokens() {
  }

  /**
   * A signed token: {@code iss}, {@code aud}, {@code sub}, {@code iat}, {@code exp = now + ttl},
   * a random {@code jti} and, if any scopes, {@code scope} (space-separated); header
   * {@code alg: ES256}, {@code typ: JWT} and the key's {@code kid}.
   *
   * @throws IOException              if the file cannot be read
   * @throws IllegalArgumentException if it is not a JWK (Set) holding a private P-256 key, or ttl is not positive
   */
  public static String mint(Path jwkFile, String issuer, String audience, String subject, List<String> scopes,
                            Duration ttl) throws IOException {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("subject must not be empty");
    }
    ECKey key = signingKey(jwkFile);
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(audience)
        .subject(subject)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .jwtID(UUID.randomUUID().toString());
    if (!scopes.isEmpty()) {
      claims.claim("scope", String.join(" ", scopes));
    }
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build();
    SignedJWT jwt = new SignedJWT(header, claims.build());
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalArgumentException(jwkFile + ": cannot sign with its EC key");
    }
    return jwt.serialize();
  }

  private static ECKey signingKey(Path jwkFile) throws IOException {
    String text;
    try (InputStream in = Files.newInputStream(jwkFile)) {
      byte[] data = in.readNBytes(LocalKeys.MAX_FILE_BYTES + 1);
      if (data.length > LocalKeys.MAX_FILE_BYTES) {
        throw new IllegalArgumentException(jwkFile + ": larger than " + LocalKeys.MAX_FILE_BYTES + " bytes");
      }
      text = new String(data, StandardCharsets.UTF_8);
    }
    List<JWK> keys;
    try {
      var json = com.nimbusds.jose.util.JSONObjectUtils.parse(text);
      keys = json.containsKey("keys") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
    } catch (ParseException e) {
      throw new IllegalArgumentException(jwkFile + ": not a JWK or JWK Set");
    }
    for (JWK jwk : keys) {
      if (jwk instanceof ECKey ec && ec.isPrivate() && Curve.P_256.equals(ec.getCurve())
          && (ec.getKeyUse() == null || KeyUse.SIGNATURE.equals(ec.getKeyUse()))) {
        return ec;
      }
    }
    throw new IllegalArgumentException(jwkFile + ": no private EC P-256 signing key");
  }

  /**
   * Writes a JWK Set with one new private EC P-256 signing key ({@code use: sig}, {@code alg: ES256},
   * a random {@code kid}) if the file does not exist; owner-only permissions where POSIX applies.
   *
   * @return true if written, false if the file already existed (it is not inspected)
   */
  public static boolean ensureKeySet(Path jwkFile) throws IOException {
    return DevIssuerKey.ensure(jwkFile);
  }
}
