package io.wsgate.attack;

import io.wsgate.limits.SubjectId;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks through in-band re-authentication ({@code {"wsgate":"reauth","token":...}}): a fresh
 * token must pass everything the handshake token passed, or the session ends with 1008; each
 * attempt is charged to the route's rate rule and to the session's re-authentication budget.
 */
class ReauthAttacksIT {
  private static final MessageRules NO_RULES = MessageRules.NONE;

  @TempDir
  Path dir;

  private AttackTarget target(TestIssuer idp, MessageRules rules, UnaryOperator<TestPolicy> more) {
    TestAuth auth = TestAuth.trusting(idp.name()).scopes("chat").reauth();
    return AttackTarget.echo(p -> more.apply(p.issuers(List.of(idp.issuer())).security(auth.route(rules))));
  }

  private static String token(TestIssuer idp, String subject, String scope) {
    JWTClaimsSet.Builder claims = idp.claims(subject);
    if (scope != null) {
      claims.claim("scope", scope);
    }
    return idp.sign(claims.build());
  }

  private static String reauth(String token) {
    return new JsonObject().put("wsgate", "reauth").put("token", token).encode();
  }

  /** A client holding a session: the texts it received and the close code it got. */
  private record Client(WebSocket ws, BlockingQueue<String> texts, CompletableFuture<Short> closed) {
    JsonObject next() throws InterruptedException {
      String text = texts.poll(10, TimeUnit.SECONDS);
      assertNotNull(text, "an answer from the gateway");
      return new JsonObject(text);
    }

    short closeCode() throws Exception {
      return closed.get(10, TimeUnit.SECONDS);
    }
  }

  private static Client connect(AttackTarget t, String token) {
    WebSocket ws = Await.result(t.harness.connect(t.options().addHeader("Authorization", "Bearer " + token)));
    BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.textMessageHandler(texts::add);
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    return new Client(ws, texts, closed);
  }

  /** The re-auth token is refused: ok:false, 1008 to both sides, why audited, counted once. */
  private void refused(String freshToken, String why) throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = target(idp, NO_RULES, p -> p)) {
      Counter counter = Counter.of(t.harness, Reason.REAUTH_REJECTED);
      Client client = connect(t, token(idp, "alice", "chat"));
      String fresh = freshToken == null ? token(idp, "alice", "chat") : freshToken;
      client.ws().writeTextMessage(reauth(fresh));
      JsonObject answer = client.next();
      assertEquals(false, answer.getBoolean("ok"), answer.encode());
      assertEquals(1008, client.closeCode());
      JsonObject closed = AttackAsserts.auditedOnce(t.audit, "session.closed", Reason.REAUTH_REJECTED);
      assertEquals(1008, closed.getInteger("upstreamCloseCode"));
      List<JsonObject> refusals = t.audit.await("session.reauth_refused", list -> !list.isEmpty());
      assertEquals(why, refusals.get(0).getString("why"));
      assertEquals(0, t.audit.events("session.reauthenticated").size());
      counter.movedBy(1);
      assertEquals(0, t.upstream.frames.size(), "no re-auth message reaches the upstream");
      AttackAsserts.noSecretIn(t.audit, fresh);
    }
  }

  @Test
  @DisplayName("Re-auth with a token lacking the route's scope")
  void reauthWithoutTheScope() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    refused(token(idp, "alice", "nothing"), "insufficient_permission");
  }

  @Test
  @DisplayName("Re-auth with a token without any scope")
  void reauthWithNoScope() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    refused(token(idp, "alice", null), "insufficient_permission");
  }

  @Test
  @DisplayName("Re-auth as another subject")
  void reauthAsAnotherSubject() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    refused(token(idp, "mallory", "chat"), "subject_changed");
  }

  @Test
  @DisplayName("Re-auth with a subject padded with whitespace")
  void reauthWithAPaddedSubject() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    refused(token(idp, "alice ", "chat"), "subject_changed");
  }

  @Test
  @DisplayName("Re-auth with an expired token")
  void reauthWithAnExpiredToken() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    Instant past = Instant.now().minusSeconds(600);
    refused(idp.sign(idp.claims("alice").claim("scope", "chat").issueTime(java.util.Date.from(past))
        .expirationTime(java.util.Date.from(past.plusSeconds(60))).build()), "token_expired");
  }

  @Test
  @DisplayName("Re-auth with something that is not a token")
  void reauthWithGarbage() throws Exception {
    refused("not-a-token", "token_invalid");
  }

  @Test
  @DisplayName("Re-auth by a revoked subject")
  void reauthWhenRevoked() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = target(idp, NO_RULES, p -> p)) {
      Client client = connect(t, token(idp, "alice", "chat"));
      Await.until("session registered", () -> t.harness.gateway.services().sessions().size() == 1);
      // The list only, so that the session is not closed by the revocation itself.
      t.harness.gateway.services().revocations().revoke(new SubjectId("idp", "alice"), Instant.now().plusSeconds(600));
      client.ws().writeTextMessage(reauth(token(idp, "alice", "chat")));
      assertEquals(false, client.next().getBoolean("ok"));
      assertEquals(1008, client.closeCode());
      assertEquals("token_revoked", t.audit.await("session.reauth_refused", l -> !l.isEmpty()).get(0).getString("why"));
    }
  }

  @Test
  @DisplayName("Valid re-auths are charged to the route's rate rule")
  void reauthCountsAgainstTheRateRule() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    MessageRules rate = new MessageRules(List.of(new MessageRule.RateLimit("rate", Scope.CONNECTION,
        new Rate(1, Duration.ofMinutes(1), 2), null, Action.DROP, Mode.ENFORCE)), List.of());
    try (AttackTarget t = target(idp, rate, p -> p.maxReauthPerMinute(100))) {
      Counter drops = Counter.drops(t.harness, Reason.MESSAGE_RATE_LIMITED);
      Client client = connect(t, token(idp, "alice", "chat"));
      String fresh = token(idp, "alice", "chat");
      for (int i = 0; i < 6; i++) {
        client.ws().writeTextMessage(reauth(fresh));
      }
      int ok = 0;
      int dropped = 0;
      for (int i = 0; i < 6; i++) {
        JsonObject answer = client.next();
        if (Boolean.TRUE.equals(answer.getBoolean("ok"))) {
          ok++;
        } else if ("message_rate_limited".equals(answer.getString("error"))) {
          dropped++;
        }
      }
      assertEquals(2, ok, "the burst of the rate rule");
      assertEquals(4, dropped, "the rest dropped by the rate rule, never verified");
      drops.movedBy(4);
      assertEquals(2, t.audit.await("session.reauthenticated", l -> l.size() >= 2).size());
      assertTrue(!client.closed().isDone(), "a drop keeps the session");
    }
  }

  @Test
  @DisplayName("Re-auth flood beyond the session's budget")
  void reauthFlood() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (AttackTarget t = target(idp, NO_RULES, p -> p.maxReauthPerMinute(3))) {
      Counter counter = Counter.of(t.harness, Reason.REAUTH_FLOOD);
      Client client = connect(t, token(idp, "alice", "chat"));
      String fresh = token(idp, "alice", "chat");
      for (int i = 0; i < 50; i++) {
        client.ws().writeTextMessage(reauth(fresh));
      }
      assertEquals(1008, client.closeCode());
      AttackAsserts.auditedOnce(t.audit, "session.closed", Reason.REAUTH_FLOOD);
      counter.movedBy(1);
      assertEquals(3, t.audit.events("session.reauthenticated").size(), "only the budget was verified");
      AttackAsserts.noSecretIn(t.audit, fresh);
    }
  }
}
