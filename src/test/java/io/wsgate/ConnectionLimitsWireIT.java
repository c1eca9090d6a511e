package io.wsgate;

import io.wsgate.limits.SubjectId;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.wsgate.policy.Cidr;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Handshake rates and concurrent connections per IP, per subject and globally, on the wire. */
class ConnectionLimitsWireIT {
  /** The per-subject count's key for alice of the test issuer "idp": subjects are per issuer. */
  private static final String ALICE = new SubjectId("idp", "alice").key();
  private static final String CLIENT_IP = "127.0.0.1";

  @TempDir
  Path dir;

  private static ConnectionLimits limits(Rate perIpRate, Integer perIp, Integer perSubject, Rate global) {
    return new ConnectionLimits(perIpRate, perIp, perSubject, global, 1000, Mode.ENFORCE);
  }

  private static UpgradeRejectedException rejected(Throwable failure) {
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
  }

  private static long retryAfter(UpgradeRejectedException refused) {
    String value = refused.getHeaders().get("retry-after");
    assertNotNull(value, "a " + refused.getStatus() + " tells the client when to come back");
    return Long.parseLong(value);
  }

  private static GatewayHarness open(EchoUpstream upstream, ConnectionLimits limits) {
    return new GatewayHarness(TestPolicy.create().connections(limits).route("/chat", upstream.url("/")).build());
  }

  @Test
  void perIpHandshakeRateAnswers429WithRetryAfterUntilTheBucketRefills() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = open(upstream, limits(new Rate(2, Duration.ofSeconds(1), 2), null, null, null))) {
      Await.result(harness.connect("/chat"));
      Await.result(harness.connect("/chat"));
      UpgradeRejectedException refused = rejected(Await.failure(harness.connect("/chat")));
      assertEquals(429, refused.getStatus());
      assertTrue(retryAfter(refused) >= 1);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.HANDSHAKE_RATE_LIMITED));
      assertEquals(2, upstream.handshakes.size(), "the refused handshake never reached the upstream");

      // Two per second refill greedily: a new handshake succeeds well within the deadline.
      Await.until("a handshake succeeds after the refill", Duration.ofSeconds(5),
          () -> harness.connect("/chat").toCompletionStage().toCompletableFuture()
              .orTimeout(10, TimeUnit.SECONDS).handle((ws, failure) -> ws != null).join());
      // The upstream records a handshake just after its 101 goes out: wait for it, then check nothing more came.
      Await.until("the upstream saw the third handshake", () -> upstream.handshakes.size() >= 3);
      assertEquals(3, upstream.handshakes.size());
    }
  }

  @Test
  void perIpConcurrencyAnswers429AndClosingASessionFreesASlot() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = open(upstream, limits(null, 2, null, null))) {
      WebSocket first = Await.result(harness.connect("/chat"));
      Await.result(harness.connect("/chat"));
      UpgradeRejectedException refused = rejected(Await.failure(harness.connect("/chat")));
      assertEquals(429, refused.getStatus());
      assertTrue(retryAfter(refused) >= 1);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.IP_CONNECTIONS_EXCEEDED));
      assertEquals(2, harness.gateway.services().ipConnections().count(CLIENT_IP));

      Await.result(first.close());
      Await.until("the closed session gives its slot back",
          () -> harness.gateway.services().ipConnections().count(CLIENT_IP) == 1);
      Await.result(harness.connect("/chat"));
      assertEquals(2, harness.gateway.services().ipConnections().count(CLIENT_IP));
    }
  }

  @Test
  void perSubjectConcurrencyRefusesTheSecondSessionOfTheSameSubjectOnly() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .connections(limits(null, 10, 1, null))
             .route("/chat", upstream.url("/")).security(TestAuth.trusting("idp").route()).build())) {
      WebSocket alice = Await.result(harness.connect(harness.options("/chat")
          .addHeader("Authorization", "Bearer " + idp.token("alice"))));
      UpgradeRejectedException refused = rejected(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Authorization", "Bearer " + idp.token("alice")))));
      assertEquals(429, refused.getStatus());
      assertTrue(retryAfter(refused) >= 1);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.SUBJECT_CONNECTIONS_EXCEEDED));
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + idp.token("bob"))));

      var services = harness.gateway.services();
      assertEquals(1, services.subjectConnections().count(ALICE));
      assertEquals(2, services.ipConnections().count(CLIENT_IP), "the refused second alice gave her IP slot back");

      Await.result(alice.close());
      Await.until("alice's subject slot is given back", () -> services.subjectConnections().count(ALICE) == 0);
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + idp.token("alice"))));
    }
  }

  @Test
  void globalHandshakeRateAnswers503WithRetryAfter() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = open(upstream, limits(null, null, null, new Rate(1, Duration.ofMinutes(1), 1)))) {
      Await.result(harness.connect("/chat"));
      UpgradeRejectedException refused = rejected(Await.failure(harness.connect("/chat")));
      assertEquals(503, refused.getStatus());
      long wait = retryAfter(refused);
      assertTrue(wait >= 1 && wait <= 60, "Retry-After " + wait);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.GLOBAL_HANDSHAKE_RATE_LIMITED));
      Await.until("the upstream recorded its handshakes", () -> upstream.handshakes.size() >= 1);
      assertEquals(1, upstream.handshakes.size());
    }
  }

  @Test
  void attemptsRefusedByTheirOwnPerIpRateDoNotSpendTheGlobalBudget() throws Exception {
    // 127.0.0.1 is a trusted proxy here, so X-Forwarded-For names the client: two clients, one abuser.
    ConnectionLimits limits = limits(new Rate(1, Duration.ofMinutes(1), 1), null, null, new Rate(3, Duration.ofMinutes(1), 3));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().connections(limits)
             .clients(TestPolicy.ANY_ADDRESS, List.of(Cidr.parse("127.0.0.1")))
             .route("/chat", upstream.url("/")).build())) {
      Await.result(harness.connect(harness.options("/chat").addHeader("X-Forwarded-For", "203.0.113.1")));
      for (int i = 0; i < 5; i++) {
        assertEquals(429, rejected(Await.failure(harness.connect(harness.options("/chat")
            .addHeader("X-Forwarded-For", "203.0.113.1")))).getStatus(), "abuser attempt " + i);
      }
      // The abuser was admitted once: two of the three global permits are left for everyone else.
      Await.result(harness.connect(harness.options("/chat").addHeader("X-Forwarded-For", "203.0.113.2")));
      Await.result(harness.connect(harness.options("/chat").addHeader("X-Forwarded-For", "203.0.113.3")));
      assertEquals(503, rejected(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("X-Forwarded-For", "203.0.113.4")))).getStatus(), "the global budget is spent");
      var metrics = harness.gateway.services().audit().metrics();
      assertEquals(5, metrics.outcomes(Reason.HANDSHAKE_RATE_LIMITED));
      assertEquals(1, metrics.outcomes(Reason.GLOBAL_HANDSHAKE_RATE_LIMITED));
    }
  }

  @Test
  void theGlobalConnectionCapGivesBackTheGuardsSlots() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().connections(limits(null, 5, null, null))
             .maxConnections(1).route("/chat", upstream.url("/")).build())) {
      Await.result(harness.connect("/chat"));
      assertEquals(503, rejected(Await.failure(harness.connect("/chat"))).getStatus());
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.CONNECTION_CAP));
      assertEquals(1, harness.gateway.services().ipConnections().count(CLIENT_IP));
    }
  }

  @Test
  void slotsAreGivenBackWhenALaterGuardOrTheUpstreamRefuses() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    EchoUpstream upstream = new EchoUpstream();
    String downUrl;
    try (EchoUpstream gone = new EchoUpstream()) {
      downUrl = gone.url("/");
    }
    try (upstream;
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .connections(limits(null, 2, 1, null))
             .route("/chat", upstream.url("/")).security(TestAuth.trusting("idp").scopes("chat").route())
             .route("/down", downUrl).security(TestAuth.trusting("idp").route())
             .build())) {
      var services = harness.gateway.services();
      // More refusals than the limit allows sessions: a leaked slot would turn these into 429s.
      for (int i = 0; i < 4; i++) {
        assertEquals(401, rejected(Await.failure(harness.connect("/chat"))).getStatus(), "no token, attempt " + i);
        assertEquals(403, rejected(Await.failure(harness.connect(harness.options("/chat")
            .addHeader("Authorization", "Bearer " + idp.token("alice"))))).getStatus(), "no scope, attempt " + i);
        assertEquals(502, rejected(Await.failure(harness.connect(harness.options("/down")
            .addHeader("Authorization", "Bearer " + idp.token("alice"))))).getStatus(), "upstream down, attempt " + i);
      }
      assertEquals(0, services.ipConnections().count(CLIENT_IP));
      assertEquals(0, services.subjectConnections().count(ALICE));
      assertEquals(0, services.ipConnections().trackedKeys());
      assertEquals(0, services.audit().metrics().outcomes(Reason.IP_CONNECTIONS_EXCEEDED));
      assertEquals(0, services.audit().metrics().outcomes(Reason.SUBJECT_CONNECTIONS_EXCEEDED));

      // And the full quota is still there.
      WebSocket ok = Await.result(harness.connect(harness.options("/chat")
          .addHeader("Authorization", "Bearer " + idp.sign(idp.claims("alice").claim("scope", "chat").build()))));
      assertEquals(1, services.ipConnections().count(CLIENT_IP));
      assertEquals(1, services.subjectConnections().count(ALICE));
      Await.result(ok.close());
      Await.until("both counts return to zero when the session ends",
          () -> services.ipConnections().count(CLIENT_IP) == 0 && services.subjectConnections().count(ALICE) == 0);
    }
  }
}
