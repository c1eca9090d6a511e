package io.wsgate.attack;

import io.wsgate.limits.SubjectId;
import io.vertx.core.http.UpgradeRejectedException;
import io.wsgate.Reason;
import io.wsgate.testing.Await;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values the gateway cannot forward upstream exactly as they were checked: whitespace or control
 * characters around a subject or a forwarded claim, a client header the upstream request cannot
 * carry. Each is the client's fault, refused at the handshake (401 or 400, audited, counted) before
 * any upstream is dialled, and never counts against the upstream: with one upstream member and a
 * long cool-down, every honest client right after still gets in. (Before: a subject {@code " alice"}
 * made the upstream request fail, audited as 504 upstream_timeout, and put the only member into
 * cool-down: 502 for everyone for 10 s.)
 */
class UnforwardableInputAttacksIT {
  /** Characters a subject or claim may not start or end with; Unicode spaces too (no confusable twins). */
  private static final List<String> PADDING = List.of(" ", "\t", "\u000b", "\f", "\r", "\n", "\u0000", "\u00a0",
      "\u2003", "\u3000", "\u0085", "\u001f");

  @TempDir
  Path dir;

  private AttackTarget target(TestIssuer idp, TestAuth auth) {
    return AttackTarget.echo(p -> p.issuers(List.of(idp.issuer())).security(auth.route())
        .cooldown(Duration.ofMinutes(10)));
  }

  private static List<String> padded(String value) {
    List<String> out = new ArrayList<>();
    for (String pad : PADDING) {
      out.add(pad + value);
      out.add(value + pad);
    }
    return out;
  }

  @Test
  @DisplayName("Subject padded with whitespace or control characters")
  void paddedSubjects() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = target(idp, TestAuth.trusting("idp"))) {
      List<String> subjects = padded("alice");
      refusedEach(t, subjects.stream().map(idp::token).toList(), Reason.SUBJECT_INVALID);
    }
  }

  @Test
  @DisplayName("Forwarded claim padded with whitespace or control characters")
  void paddedForwardedClaims() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = target(idp, TestAuth.trusting("idp").forwardClaims(Map.of("tenant", "x-wsgate-tenant")))) {
      List<String> tokens = padded("acme").stream()
          .map(tenant -> idp.sign(idp.claims("alice").claim("tenant", tenant).build())).toList();
      refusedEach(t, tokens, Reason.CLAIM_NOT_FORWARDABLE);
      assertEquals("acme", admitted(t, idp.sign(idp.claims("alice").claim("tenant", "acme").build()))
          .get("x-wsgate-tenant"));
    }
  }

  @Test
  @DisplayName("A revoked subject with a trailing space")
  void revokedSubjectWithATrailingSpace() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = target(idp, TestAuth.trusting("idp"))) {
      t.harness.gateway.services().revocations().revoke(new SubjectId("idp", "alice"), Instant.now().plusSeconds(600));
      String token = idp.token("alice ");
      t.refuses(Reason.SUBJECT_INVALID,
          () -> t.harness.connect(t.options().addHeader("Authorization", "Bearer " + token)), token);
      t.refuses(Reason.TOKEN_REVOKED, () -> t.harness.connect(t.options()
          .addHeader("Authorization", "Bearer " + idp.token("alice"))));
    }
  }

  @Test
  @DisplayName("A client header the upstream request could not carry")
  void unforwardableClientHeader() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = target(idp, TestAuth.trusting("idp"))) {
      // Refused by the HTTP decoder, which holds header values to the same rule as the upstream
      // request (UpstreamHeaders.sendable checks the built request again before any dial).
      Counter counter = Counter.of(t.harness, Reason.BAD_UPGRADE);
      String token = idp.token("alice");
      try (RawClient raw = t.raw()) {
        // DEL inside a forwarded header: the HTTP decoder takes it, the upstream request may not.
        raw.send(RawClient.upgrade(AttackTarget.PATH).replace("\r\n\r\n",
            "\r\nAuthorization: Bearer " + token + "\r\nUser-Agent: probe\u007fv1\r\n\r\n"));
        assertEquals(400, RawClient.status(raw.readHead()));
      }
      AttackAsserts.auditedOnce(t.audit, "handshake.rejected", Reason.BAD_UPGRADE);
      counter.movedBy(1);
      assertEquals(0, t.upstream.handshakes.size());
      admitted(t, token);
    }
  }

  /** Each token refused for {@code reason}, counted once each; the upstream stays usable throughout. */
  private static void refusedEach(AttackTarget t, List<String> tokens, Reason reason) throws Exception {
    Counter counter = Counter.of(t.harness, reason);
    for (String token : tokens) {
      UpgradeRejectedException refused = AttackAsserts.rejected(
          t.harness.connect(t.options().addHeader("Authorization", "Bearer " + token)), reason);
      assertTrue(refused.getHeaders().get("www-authenticate").contains("invalid_token"));
    }
    counter.movedBy(tokens.size());
    assertEquals(0, t.upstream.handshakes.size(), "no refused token reached the upstream");
    assertEquals(0, t.harness.gateway.services().audit().metrics().outcomes(Reason.UPSTREAM_TIMEOUT));
    assertEquals(0, t.harness.gateway.services().audit().metrics().outcomes(Reason.UPSTREAM_UNAVAILABLE));
  }

  /** An honest client gets in at once: the only upstream member is not cooling down. */
  private static io.vertx.core.MultiMap admitted(AttackTarget t, String token) throws Exception {
    Await.result(t.harness.connect(t.options().addHeader("Authorization", "Bearer " + token)));
    io.vertx.core.MultiMap seen = t.upstream.handshakes.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(seen != null, "the upstream was reached");
    return seen;
  }
}
