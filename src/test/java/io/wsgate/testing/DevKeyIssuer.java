package io.wsgate.testing;

import com.nimbusds.jwt.SignedJWT;
import io.wsgate.policy.Auth;
import io.wsgate.policy.DevIssuerKey;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;
import io.wsgate.policy.Mode;
import io.wsgate.policy.TokenSource;
import io.wsgate.token.DevTokens;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A real ES256 token issuer for gateway tests: a JWK Set written with {@link DevIssuerKey} into a
 * test directory, the policy {@link Issuer} that verifies with it (no clock skew, so sessions end
 * exactly at {@code exp}), and tokens minted with {@link DevTokens}.
 *
 * <pre>{@code
 * DevKeyIssuer issuer = DevKeyIssuer.in(tempDir);
 * TestPolicy.create().issuers(List.of(issuer.issuer())).route(...).security(... issuer.auth(true) ...);
 * String token = issuer.mint("alice", Duration.ofMinutes(5));
 * }</pre>
 */
public final class DevKeyIssuer {
  public static final String NAME = "test";
  public static final String ISS = "https://issuer.test/";
  public static final String AUDIENCE = "wsgate";

  private final Path jwkFile;

  private DevKeyIssuer(Path jwkFile) {
    this.jwkFile = jwkFile;
  }

  public static DevKeyIssuer in(Path dir) {
    Path file = dir.resolve("issuer.jwk.json");
    DevIssuerKey.ensure(file);
    return new DevKeyIssuer(file);
  }

  public Issuer issuer() {
    return new Issuer(NAME, ISS, List.of(AUDIENCE), Set.of("ES256"),
        new KeySource(null, null, null, jwkFile, null, null, null), Duration.ZERO, 8192, List.of("sub", "exp"));
  }

  /** A route trusting this issuer, token from {@code Authorization: Bearer}, optionally with in-band re-auth. */
  public Auth auth(boolean reauth) {
    return new Auth(false, List.of(NAME), List.of(new TokenSource(TokenSource.Kind.AUTHORIZATION, null)), List.of(),
        List.of(), Map.of(), "x-wsgate-subject", Map.of(), reauth, Mode.ENFORCE);
  }

  public String mint(String subject, Duration ttl) {
    try {
      return DevTokens.mint(jwkFile, ISS, AUDIENCE, subject, List.of(), ttl);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The token's {@code exp} (whole seconds, as signed). */
  public static Instant expiry(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
