package io.wsgate.attack;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.MultiMap;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on token authentication, each on the wire against a gateway trusting one issuer whose
 * keys are files: 401 with the reason's tag, audited without the token, counted once, and the
 * upstream never reached.
 */
class TokenAttacksIT {
  @TempDir
  Path dir;

  private static AttackTarget trusting(TestIssuer idp, TestAuth auth) {
    return AttackTarget.echo(p -> p.issuers(List.of(idp.issuer())).security(auth.route()));
  }

  /** The token in the Authorization header is refused for {@code reason} with an RFC 6750 challenge. */
  private static void refusedBearer(TestIssuer idp, String token, Reason reason, String... moreSecrets) {
    try (AttackTarget t = trusting(idp, TestAuth.trusting(idp.name()))) {
      String[] secrets = concat(token, moreSecrets);
      UpgradeRejectedException refused = t.refuses(reason,
          () -> t.harness.connect(t.options().addHeader("Authorization", "Bearer " + token)), secrets);
      assertEquals("Bearer realm=\"wsgate\", error=\"invalid_token\"", refused.getHeaders().get("www-authenticate"));
    }
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String rs256(RSAKey key, JWSHeader.Builder header, JWTClaimsSet claims)
      throws Exception {
    return TestIssuer.sign(new RSASSASigner(key), header.build(), claims);
  }

  @Test
  @DisplayName("JWT alg: none")
  void algNone() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(idp.claims("admin").build().toString()) + ".";
    refusedBearer(idp, token, Reason.TOKEN_INVALID);
  }

  @Test
  @DisplayName("HS256 signed with the issuer's RSA public key (algorithm confusion)")
  void hs256WithTheRsaPublicKey() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = TestIssuer.sign(new MACSigner(TestIssuer.publicPem(TestIssuer.RSA).getBytes(StandardCharsets.US_ASCII)),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(TestIssuer.RSA.getKeyID()).build(), idp.claims("admin").build());
    refusedBearer(idp, token, Reason.TOKEN_INVALID);
  }

  @Test
  @DisplayName("kid path traversal, HMAC signed with the file it names")
  void kidPathTraversal() throws Exception {
    // Were the kid used as a path, the gateway would read /etc/passwd as the secret and accept this.
    TestIssuer idp = TestIssuer.hmacFile("idp", dir);
    byte[] passwd = Files.readAllBytes(Path.of("/etc/passwd"));
    String token = TestIssuer.sign(new MACSigner(passwd),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("../../../../../../../etc/passwd").build(),
        idp.claims("admin").build());
    refusedBearer(idp, token, Reason.TOKEN_INVALID, idp.secret());
  }

  @Test
  @DisplayName("kid SQL injection, HMAC signed with the value the injected query would return")
  void kidSqlInjection() throws Exception {
    TestIssuer idp = TestIssuer.hmacFile("idp", dir);
    String chosen = "A".repeat(32);
    String token = TestIssuer.sign(new MACSigner(chosen.getBytes(StandardCharsets.US_ASCII)),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("x' UNION SELECT '" + chosen + "' --").build(),
        idp.claims("admin").build());
    refusedBearer(idp, token, Reason.TOKEN_INVALID, idp.secret());
  }

  @Test
  @DisplayName("jku pointing at the attacker's key server (never fetched)")
  void jkuElsewhere() throws Exception {
    refusedWithoutContactingTheTrap("jku", (header, trap) -> header.jwkURL(trap.uri("/jwks.json")));
  }

  @Test
  @DisplayName("x5u pointing at the attacker's server (never fetched)")
  void x5uElsewhere() throws Exception {
    refusedWithoutContactingTheTrap("x5u", (header, trap) -> header.x509CertURL(trap.uri("/cert.pem")));
  }

  /** A token signed with the attacker's key, its header pointing at the attacker's server. */
  private void refusedWithoutContactingTheTrap(String parameter,
                                               BiFunction<JWSHeader.Builder, KeyTrap, JWSHeader.Builder> pointAt)
      throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = trusting(idp, TestAuth.trusting("idp"))) {
      KeyTrap trap = new KeyTrap(t.harness.clientVertx, TestIssuer.RSA_OTHER);
      JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(TestIssuer.RSA_OTHER.getKeyID());
      String token = rs256(TestIssuer.RSA_OTHER, pointAt.apply(header, trap), idp.claims("admin").build());
      t.refuses(Reason.TOKEN_INVALID,
          () -> t.harness.connect(t.options().addHeader("Authorization", "Bearer " + token)), token);
      assertEquals(0, trap.requests.get(), "the " + parameter + " server was never contacted");
    }
  }

  @Test
  @DisplayName("JWS crit: [] (RFC 7515 §4.1.11 forbids the empty list), validly signed")
  void emptyCrit() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + TestIssuer.RSA.getKeyID() + "\",\"crit\":[]}";
    String signingInput = b64(header) + "." + b64(idp.claims("admin").build().toString());
    Base64URL signature = new RSASSASigner(TestIssuer.RSA).sign(new JWSHeader(JWSAlgorithm.RS256),
        signingInput.getBytes(StandardCharsets.US_ASCII));
    refusedBearer(idp, signingInput + "." + signature, Reason.TOKEN_INVALID);
  }

  @Test
  @DisplayName("Expired token")
  void expired() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    Instant now = Instant.now();
    String token = idp.sign(idp.claims("alice").issueTime(Date.from(now.minusSeconds(600)))
        .expirationTime(Date.from(now.minusSeconds(60))).build());
    refusedBearer(idp, token, Reason.TOKEN_EXPIRED);
  }

  @Test
  @DisplayName("Token not yet valid (nbf in the future)")
  void notYetValid() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.sign(idp.claims("alice").notBeforeTime(Date.from(Instant.now().plusSeconds(300))).build());
    refusedBearer(idp, token, Reason.TOKEN_INVALID);
  }

  @Test
  @DisplayName("Token issued in the future (iat)")
  void issuedInTheFuture() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    Instant later = Instant.now().plusSeconds(300);
    String token = idp.sign(idp.claims("alice").issueTime(Date.from(later))
        .expirationTime(Date.from(later.plusSeconds(300))).build());
    refusedBearer(idp, token, Reason.TOKEN_INVALID);
  }

  @Test
  @DisplayName("Token in the query string on a route that does not allow it")
  void tokenInTheQueryString() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.token("alice");
    try (AttackTarget t = trusting(idp, TestAuth.trusting("idp"))) {
      UpgradeRejectedException refused = t.refuses(Reason.TOKEN_MISSING,
          () -> t.harness.connect(t.options().setURI(AttackTarget.PATH + "?access_token=" + token)), token);
      assertEquals("Bearer realm=\"wsgate\"", refused.getHeaders().get("www-authenticate"),
          "RFC 6750 §3.1: no error code, the token was not looked for");
    }
  }

  @Test
  @DisplayName("CRLF header injection through the subject claim")
  void crlfInTheSubject() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    refusedBearer(idp, idp.token("alice\r\nX-Injected: yes"), Reason.SUBJECT_INVALID);
  }

  @Test
  @DisplayName("CRLF header injection through a forwarded claim")
  void crlfInAForwardedClaim() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.sign(idp.claims("alice").claim("note", "hi\r\nX-Injected: yes").build());
    try (AttackTarget t = trusting(idp, TestAuth.trusting("idp").forwardClaims(Map.of("note", "x-wsgate-note")))) {
      // Refused rather than split into two headers, mangled, or silently left out.
      t.refuses(Reason.CLAIM_NOT_FORWARDABLE,
          () -> t.harness.connect(t.options().addHeader("Authorization", "Bearer " + token)), token);
      assertFalse(t.audit.all().toString().contains("Injected"), "the claim's text is not audited either");
    }
  }
}
