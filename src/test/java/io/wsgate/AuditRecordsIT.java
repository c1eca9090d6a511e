package io.wsgate;

import io.wsgate.limits.SubjectId;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.Action;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.CheckpointSettings;
import io.wsgate.policy.Auth;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal record, and every record of a session, answers on its own who was refused (client
 * address, and subject and issuer once a token was verified), from where (Origin, User-Agent),
 * for what (route, path) and why, and never holds the token.
 */
class AuditRecordsIT {
  private static final String APP = "https://app.example.com";
  private static final String NODE = "gw-eu-1";

  @TempDir
  Path dir;

  /** The audit to the log, as in development, from a node with a name of its own. */
  private static TestPolicy policy() {
    return TestPolicy.create().audit(new AuditSettings(null, AuditSettings.DEFAULT_ROTATE_BYTES,
        AuditSettings.DEFAULT_QUEUE_SIZE, AuditSettings.DEFAULT_FLUSH_INTERVAL, AuditSettings.OnFailure.FAIL_OPEN,
        null, null, true, NODE, CheckpointSettings.DEFAULT));
  }

  /** Every record says which node wrote it, in which format. */
  private static void everyRecordNamesTheNode(AuditCapture audit) {
    assertFalse(audit.all().isEmpty());
    for (JsonObject record : audit.all()) {
      assertEquals(NODE, record.getString("node"), record.encode());
      assertEquals(2, record.getInteger("v"), record.encode());
    }
  }

  private static JsonObject rejected(AuditCapture audit, Reason reason) {
    List<JsonObject> records = audit.await("handshake.rejected", l -> AuditCapture.has(l, "reason", reason.tag()));
    return records.stream().filter(r -> reason.tag().equals(r.getString("reason"))).findFirst().orElseThrow();
  }

  private static void refused(GatewayHarness harness, String token, int status) {
    Throwable failure = Await.failure(harness.connect(harness.options("/chat")
        .addHeader("Authorization", "Bearer " + token).addHeader("User-Agent", "wsgate-test/1.0")));
    assertEquals(status, assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus());
  }

  @Test
  void aRefusedOriginNamesTheOriginTheAgentTheClientAndTheRoute() throws Exception {
    RouteSecurity appOnly = new RouteSecurity(null, new OriginRules(List.of(APP), true, false, Mode.ENFORCE),
        Auth.ANONYMOUS, MessageRules.NONE);
    // What the HTTP decoder lets through: a tab, and obs-text bytes, one of them C1's CSI (ESC [ to a terminal).
    String agent = "evil\t\u009b2Jbot/" + "x".repeat(300);
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = new GatewayHarness(policy().route("/chat", upstream.url("/"))
             .security(appOnly).build());
         RawClient raw = new RawClient(harness.port(), true)) {
      raw.send(RawClient.upgrade("/chat?room=1").replace("\r\n\r\n", "\r\nOrigin: https://evil.example.net\r\n"
          + "User-Agent: " + agent + "\r\nAuthorization: Bearer not-for-the-audit-0123456789\r\n\r\n"));
      assertEquals(403, RawClient.status(raw.readHead()));

      JsonObject record = rejected(audit, Reason.ORIGIN_DENIED);
      assertTrue(record.getString("requestId").matches("[0-9a-f]{32}"), record.encode());
      assertEquals("127.0.0.1", record.getString("clientIp"));
      assertEquals("https://evil.example.net", record.getString("origin"));
      assertEquals("/chat", record.getString("route"));
      assertEquals("/chat", record.getString("path"), "without the query");
      assertEquals(403, record.getInteger("status"));
      assertNull(record.getString("subject"), "anonymous route");
      // The first 256 characters (12 before the x's), control characters escaped, marked as cut.
      assertEquals("evil\\u0009\\u009b2Jbot/" + "x".repeat(256 - 12) + "...", record.getString("userAgent"));
      assertFalse(record.encode().contains("not-for-the-audit"), "never the Authorization header");
      everyRecordNamesTheNode(audit);
    }
  }

  @Test
  void refusalsAfterTheTokenWasVerifiedNameTheSubjectAndTheIssuer() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = new GatewayHarness(policy().issuers(List.of(idp.issuer()))
             .connections(new ConnectionLimits(null, null, 1, null, 1000, Mode.ENFORCE))
             .route("/chat", upstream.url("/")).security(TestAuth.trusting("idp").scopes("chat").route()).build())) {
      String alice = idp.token("alice");
      refused(harness, alice, 403);
      String bob = idp.sign(idp.claims("bob").claim("scope", "chat").build());
      WebSocket first = Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + bob)));
      refused(harness, bob, 429);
      Await.result(harness.gateway.revokeSubject(new SubjectId("idp", "carol"), Instant.now().plusSeconds(3600)));
      String carol = idp.sign(idp.claims("carol").claim("scope", "chat").build());
      refused(harness, carol, 401);
      String dave = idp.sign(idp.claims("dave").claim("scope", "chat").expirationTime(Date.from(Instant.now()
          .minusSeconds(60))).build());
      refused(harness, dave, 401);

      for (Object[] expected : new Object[][] {{Reason.INSUFFICIENT_PERMISSION, "alice"},
          {Reason.SUBJECT_CONNECTIONS_EXCEEDED, "bob"}, {Reason.TOKEN_REVOKED, "carol"}, {Reason.TOKEN_EXPIRED, null}}) {
        Reason reason = (Reason) expected[0];
        JsonObject record = rejected(audit, reason);
        assertEquals(expected[1], record.getString("subject"), reason.tag() + ": " + record.encode());
        assertEquals(expected[1] == null ? null : "idp", record.getString("issuer"), record.encode());
        assertEquals("127.0.0.1", record.getString("clientIp"));
        assertEquals("/chat", record.getString("route"));
        assertEquals("wsgate-test/1.0", record.getString("userAgent"));
        assertEquals(reason.code(), record.getInteger("status"));
      }
      for (JsonObject record : audit.all()) {
        for (String token : List.of(alice, bob, carol, dave)) {
          assertFalse(record.encode().contains(token.substring(token.lastIndexOf('.') + 1)), record.encode());
        }
        assertFalse(record.encode().contains("eyJ"), record.encode());
      }
      everyRecordNamesTheNode(audit);
      Await.result(first.close());
    }
  }

  @Test
  void everyRecordOfASessionRepeatsWhoAndWhere() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    MessageRules rules = new MessageRules(List.of(
        new MessageRule.Patterns("no-secrets", List.of("secret"), Action.DROP, Mode.ENFORCE)), List.of());
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = new GatewayHarness(policy().issuers(List.of(idp.issuer()))
             .route("/chat", upstream.url("/")).security(TestAuth.trusting("idp").route(rules)).build())) {
      WebSocket ws = Await.result(harness.connect(harness.options("/chat")
          .addHeader("Authorization", "Bearer " + idp.token("alice")).addHeader("User-Agent", "wsgate-test/1.0")));
      BlockingQueue<String> texts = new LinkedBlockingQueue<>();
      ws.textMessageHandler(texts::add);
      ws.writeTextMessage("a secret");
      assertEquals("{\"error\":\"pattern_denied\",\"rule\":\"no-secrets\"}", texts.poll(10, TimeUnit.SECONDS));
      Await.result(ws.close());

      JsonObject accepted = audit.await("session.accepted", l -> l.size() == 1).get(0);
      assertEquals("wsgate-test/1.0", accepted.getString("userAgent"));
      JsonObject refusal = audit.await("message.refused", l -> l.size() == 1).get(0);
      JsonObject closed = audit.await("session.closed", l -> l.size() == 1).get(0);
      for (JsonObject record : List.of(accepted, refusal, closed)) {
        assertEquals(accepted.getString("requestId"), record.getString("requestId"));
        assertEquals("127.0.0.1", record.getString("clientIp"), record.encode());
        assertEquals("alice", record.getString("subject"), record.encode());
        assertEquals("idp", record.getString("issuer"), record.encode());
        assertEquals("/chat", record.getString("route"), record.encode());
      }
      assertEquals("peer_closed", closed.getString("reason"));
      everyRecordNamesTheNode(audit);
    }
  }
}
