package io.wsgate.handshake;

import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.Vertx;
import io.wsgate.Reason;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.token.TokenVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static io.wsgate.handshake.Handshakes.OPEN;
import static io.wsgate.handshake.Handshakes.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token guard with a real verifier and real signed tokens (two HMAC issuers whose secrets are
 * written where the policy reads them): what it allows, what it refuses and why, what the audit
 * learns ({@code known}) and what the guards after it get in monitor mode ({@code proceed}).
 */
class TokenGuardTest {
  @TempDir
  static Path keys;
  private static Vertx vertx;
  private static TestIssuer corp;
  private static TestIssuer partner;
  private static TokenVerifier verifier;

  private final Revocations revocations = new Revocations();
  private final TokenGuard guard = new TokenGuard(verifier, revocations);

  /** Trusts corp and partner; the token in the Authorization header, the query or the bearer offer. */
  private static final Route CHAT = Handshakes.route("/chat", TestAuth.trusting("corp", "partner")
      .sources(TestAuth.HEADER, TestAuth.query("access_token"), TestAuth.SUBPROTOCOL, TestAuth.cookie("session"))
      .route());
  private static final Route CORP_ONLY = Handshakes.route("/corp", TestAuth.trusting("corp").route());
  private static final Route TRIAL = Handshakes.route("/trial", TestAuth.trusting("corp").monitor().route());

  @BeforeAll
  static void issuers() throws Exception {
    vertx = Vertx.vertx();
    corp = TestIssuer.hmacFile("corp", keys);
    partner = TestIssuer.hmacFile("partner", keys);
    verifier = Await.result(TokenVerifier.create(vertx, List.of(corp.issuer(), partner.issuer())));
  }

  @AfterAll
  static void close() {
    Await.result(verifier.close());
    Await.result(vertx.close());
  }

  private Verdict check(HandshakeRequest request) {
    return Await.result(guard.check(request));
  }

  private static HandshakeRequest bearer(Route route, String token) {
    return request(route, "192.0.2.1", "Authorization", "Bearer " + token);
  }

  @Test
  void anAnonymousRouteNeedsNoToken() {
    Verdict verdict = check(request(OPEN, "192.0.2.1"));

    assertTrue(verdict.allowed());
    assertNull(verdict.refined(), "nothing to refine");
  }

  @Test
  void aValidTokenAllowsAndHandsOnTheIdentity() {
    HandshakeRequest request = bearer(CHAT, corp.token("alice"));

    Verdict verdict = check(request);

    assertTrue(verdict.allowed());
    Identity identity = verdict.refined().identity();
    assertEquals("alice", identity.subject());
    assertEquals("corp", identity.issuer(), "the issuer's policy name, not its iss URL");
    assertEquals(new SubjectId("corp", "alice"), identity.subjectId());
    assertTrue(identity.expiresAt().isAfter(Instant.now()));
    assertEquals(request.requestId(), verdict.refined().requestId());
  }

  @Test
  void theIdentityIsPerIssuer() {
    assertEquals(new SubjectId("partner", "alice"),
        check(bearer(CHAT, partner.token("alice"))).refined().identity().subjectId());
  }

  @Test
  void theTokenIsStrippedFromTheQueryAndTheOffersOfTheRequestHandedOn() {
    String token = corp.token("alice");
    HandshakeRequest request = request(CHAT, "192.0.2.1", "room=1&access_token=" + token, List.of("bearer", token,
        "chat.v1"), "Cookie", "session=" + token + "; theme=dark");

    HandshakeRequest refined = check(request).refined();

    assertEquals("room=1", refined.query());
    assertEquals(List.of("chat.v1"), refined.subprotocols());
    assertTrue(refined.bearerOffered());
    assertEquals("theme=dark", refined.cookie());
    assertEquals("alice", refined.identity().subject());
  }

  @Test
  void noTokenIsRefused401AndTheRequestGoesOnWithoutIdentity() {
    HandshakeRequest request = request(CHAT, "192.0.2.1", "room=1", List.of("chat.v1"));

    Verdict verdict = check(request);

    assertEquals(Reason.TOKEN_MISSING, verdict.reason());
    assertEquals(401, verdict.reason().code());
    assertNull(verdict.refined().identity());
    assertNull(verdict.proceed().identity());
    assertEquals("room=1", verdict.proceed().query());
  }

  @Test
  void aForgedTokenIsRefusedAndStrippedAllTheSame() {
    String token = corp.token("alice");
    String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");

    Verdict verdict = check(request(CHAT, "192.0.2.1", "access_token=" + forged + "&room=1", List.of()));

    assertEquals(Reason.TOKEN_INVALID, verdict.reason());
    assertEquals("room=1", verdict.proceed().query(), "a refused token is not forwarded either");
    assertEquals("room=1", verdict.refined().query());
    assertNull(verdict.refined().identity());
    assertNull(verdict.proceed().identity());
  }

  @Test
  void anExpiredTokenIsRefusedAsExpired() {
    JWTClaimsSet expired = new JWTClaimsSet.Builder(corp.claims("alice").build())
        .issueTime(Date.from(Instant.now().minusSeconds(600)))
        .expirationTime(Date.from(Instant.now().minusSeconds(60))).build();

    assertEquals(Reason.TOKEN_EXPIRED, check(bearer(CHAT, corp.sign(expired))).reason());
  }

  @Test
  void aTokenFromAnIssuerTheRouteDoesNotTrustIsRefused() {
    Verdict verdict = check(bearer(CORP_ONLY, partner.token("alice")));

    assertFalse(verdict.allowed());
    assertEquals(401, verdict.reason().code());
    assertNull(verdict.refined().identity());
  }

  @Test
  void aRevokedSubjectIsKnownToTheAuditButNotHandedOn() {
    revocations.revoke(new SubjectId("corp", "mallory"), Instant.now().plusSeconds(600));

    Verdict verdict = check(request(CHAT, "192.0.2.1", "access_token=" + corp.token("mallory"), List.of()));

    assertEquals(Reason.TOKEN_REVOKED, verdict.reason());
    assertEquals(new SubjectId("corp", "mallory"), verdict.refined().identity().subjectId(), "known: who was refused");
    assertNull(verdict.proceed().identity(), "proceed: no identity for the guards after it");
    assertNull(verdict.refined().query(), "the token is stripped from both");
    assertNull(verdict.proceed().query());
  }

  @Test
  void aRevocationIsPerIssuer() {
    revocations.revoke(new SubjectId("corp", "alice"), Instant.now().plusSeconds(600));

    assertEquals(Reason.TOKEN_REVOKED, check(bearer(CHAT, corp.token("alice"))).reason());
    assertTrue(check(bearer(CHAT, partner.token("alice"))).allowed());
  }

  @Test
  void anInvalidSubjectIsNeitherKnownNorHandedOn() {
    Verdict verdict = check(bearer(CHAT, corp.token("alice\u0007")));

    assertEquals(Reason.SUBJECT_INVALID, verdict.reason());
    assertNull(verdict.refined().identity(), "not a subject the audit may key on");
    assertNull(verdict.proceed().identity());
  }

  @Test
  void aClaimThatCannotBeForwardedRefusesWithTheIdentityKnown() {
    Route forwarding = Handshakes.route("/fwd", TestAuth.trusting("corp").forwardClaims(Map.of("tenant", "x-tenant"))
        .route());
    String token = corp.sign(corp.claims("alice").claim("tenant", "acme\r\nx-admin: 1").build());

    Verdict verdict = check(bearer(forwarding, token));

    assertEquals(Reason.CLAIM_NOT_FORWARDABLE, verdict.reason());
    assertEquals("alice", verdict.refined().identity().subject());
    assertNull(verdict.proceed().identity());
  }

  @Test
  void theModeIsTheRoutesAuthMode() {
    assertEquals(Mode.ENFORCE, guard.mode(CHAT));
    assertEquals(Mode.MONITOR, guard.mode(TRIAL));
  }

  @Test
  void inMonitorModeARevokedSubjectIsReportedWithItsIdentityAndTheRestRunsAnonymous() {
    revocations.revoke(new SubjectId("corp", "mallory"), Instant.now().plusSeconds(600));
    List<HandshakeRequest> reported = new ArrayList<>();
    HandshakePipeline pipeline = new HandshakePipeline(List.of(guard, new AuthorizationGuard()),
        (request, reason) -> reported.add(request));

    Admission admission = Await.result(pipeline.run(bearer(TRIAL, corp.token("mallory"))));

    assertTrue(admission.admitted());
    assertEquals(1, reported.size());
    assertEquals("mallory", reported.get(0).identity().subject());
    assertNull(admission.request().identity(), "a refused identity never reaches the upstream");
  }

  @Test
  void anEnforcedRefusalAnswersWithTheKnownRequest() {
    revocations.revoke(new SubjectId("corp", "mallory"), Instant.now().plusSeconds(600));
    HandshakePipeline pipeline = new HandshakePipeline(List.of(guard), (request, reason) -> { });

    Admission admission = Await.result(pipeline.run(bearer(CHAT, corp.token("mallory"))));

    assertEquals(Reason.TOKEN_REVOKED, admission.reason());
    assertNotNull(admission.request().identity());
  }
}
