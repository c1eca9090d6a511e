package io.wsgate.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.Reason;
import io.wsgate.policy.Issuer;
import io.wsgate.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Fuzz targets for {@link TokenVerifier} with real keys (an ES256 JWK file and an HS256 secret
 * file): arbitrary strings, real tokens mutated, and tokens with fuzzed header and claims JSON.
 * Every verification completes at once (local keys) with a {@link VerifiedToken} or a
 * {@link TokenRejection} whose reason is a token reason and whose description is one of the fixed
 * phrases (so it cannot echo the token); a token is only ever accepted if its signature really
 * verifies with one of the two keys. Seeds: {@code TokenVerifierFuzzTestInputs/<method>/}.
 */
class TokenVerifierFuzzTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final byte[] SECRET =
      "fuzzing-secret-fuzzing-secret-fuzzing-secret!".getBytes(StandardCharsets.US_ASCII);
  private static final String HMAC_ISS = "https://hmac.idp.test/";
  private static final List<String> ISSUERS = List.of("ec", "hmac");
  private static final Set<String> PHRASES = Set.of("algorithm not accepted for this issuer", "audience not accepted",
      "empty token", "encrypted tokens are not accepted", "exp claim missing", "iss claim missing",
      "issuer not accepted", "malformed token claims", "malformed token header", "malformed token",
      "no matching signing key", "no trusted issuer for this route", "signature invalid", "sub claim missing",
      "token claims nested too deeply", "token issued in the future", "token not yet valid", "token too large",
      "unencoded payload is not accepted", "unsigned tokens are not accepted", "token expired",
      "crit header lists a parameter twice", "crit header lists a standard header parameter",
      "crit header lists an absent parameter", "crit header must not be empty",
      "unsupported critical header parameter");

  private static final Vertx VERTX = Vertx.vertx();
  private static final TokenVerifier VERIFIER = verifier();
  private static final String EC_TOKEN = TestTokens.es256(TestTokens.EC, claims().build());
  private static final String HMAC_TOKEN =
      TestTokens.hs256(SECRET, claims().issuer(HMAC_ISS).claim("scope", "chat read").build());

  /** Any text as a token. */
  @FuzzTest
  void arbitraryTokens(byte[] token) {
    check(new String(token, StandardCharsets.UTF_8));
  }

  /** A real, valid token with a few characters changed, cut, or its segments swapped. */
  @FuzzTest
  void mutatedRealTokens(FuzzedDataProvider data) {
    StringBuilder token = new StringBuilder(data.consumeBoolean() ? EC_TOKEN : HMAC_TOKEN);
    int edits = data.consumeInt(0, 4);
    for (int i = 0; i < edits && token.length() > 0; i++) {
      int at = data.consumeInt(0, token.length() - 1);
      switch (data.consumeInt(0, 3)) {
        case 0 -> token.setCharAt(at, data.consumeChar());
        case 1 -> token.deleteCharAt(at);
        case 2 -> token.insert(at, data.consumeString(8));
        default -> token.setLength(at);
      }
    }
    String[] other = (data.consumeBoolean() ? EC_TOKEN : HMAC_TOKEN).split("\\.");
    String[] parts = token.toString().split("\\.", -1);
    if (parts.length == 3 && data.consumeBoolean()) {
      parts[data.consumeInt(0, 2)] = other[data.consumeInt(0, 2)];
    }
    check(String.join(".", parts));
  }

  /** Header and claims JSON chosen by the fuzzer, with a real signature, none, or fuzzed bytes. */
  @FuzzTest
  void forgedHeaderAndClaims(FuzzedDataProvider data) {
    String header = data.consumeString(300);
    String payload = data.consumeString(1500);
    String signature = switch (data.consumeInt(0, 2)) {
      case 0 -> EC_TOKEN.substring(EC_TOKEN.lastIndexOf('.') + 1);
      case 1 -> "";
      default -> TestTokens.b64(data.consumeRemainingAsString());
    };
    check(TestTokens.raw(header, payload, signature));
  }

  private static void check(String token) {
    Future<VerifiedToken> result = VERIFIER.verify(token, ISSUERS);
    assertTrue(result.isComplete(), "local keys: the result is there at once");
    if (result.succeeded()) {
      assertTrue(signedByOurKeys(token), "accepted a token our keys did not sign");
      VerifiedToken verified = result.result();
      assertFalse(verified.subject().isBlank());
      assertTrue(ISSUERS.contains(verified.issuerName()));
      return;
    }
    TokenRejection r = assertInstanceOf(TokenRejection.class, result.cause(),
        () -> "not a rejection: " + result.cause());
    assertTrue(Set.of(Reason.TOKEN_INVALID, Reason.TOKEN_EXPIRED).contains(r.reason()), r.reason()::toString);
    assertTrue(PHRASES.contains(r.description()), () -> "unknown description: " + r.description());
    assertEquals(0, r.getStackTrace().length, "no stack trace");
  }

  private static boolean signedByOurKeys(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      return jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.ES256)
          ? jwt.verify(new ECDSAVerifier(TestTokens.EC.toPublicJWK()))
          : jwt.verify(new MACVerifier(SECRET));
    } catch (Exception e) {
      return false;
    }
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().issuer(TestTokens.ISS).audience(TestTokens.AUD).subject("alice")
        .issueTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(3600)));
  }

  private static TokenVerifier verifier() {
    try {
      Path dir = Files.createTempDirectory("wsgate-token-fuzz");
      Path jwks = TestTokens.writeJwks(dir.resolve("ec.jwks"), TestTokens.EC);
      Path secret = Files.write(dir.resolve("hmac.secret"), SECRET);
      jwks.toFile().deleteOnExit();
      secret.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      Issuer ec = TestTokens.issuer("ec", TestTokens.jwkFile(jwks), "ES256");
      Issuer hmac = new Issuer("hmac", HMAC_ISS, List.of(TestTokens.AUD), Set.of("HS256"),
          TestTokens.hmacFile(secret), ec.clockSkew(), ec.maxTokenBytes(), List.of());
      return Await.result(TokenVerifier.create(VERTX, List.of(ec, hmac), Clock.fixed(NOW, ZoneOffset.UTC)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
