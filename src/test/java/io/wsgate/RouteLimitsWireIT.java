package io.wsgate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.policy.RouteConnections;
import io.wsgate.policy.RouteLimits;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import io.wsgate.limits.SubjectId;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code routes[].limits} and {@code routes[].connections} on the wire: two routes on one gateway,
 * route A with its own bounds and caps, route B with the global ones, each seen to hold for its
 * own sessions only.
 */
class RouteLimitsWireIT {
  private static final String A = "/a";
  private static final String B = "/b";

  @TempDir
  Path dir;

  private static GatewayHarness twoRoutes(EchoUpstream upstream, RouteLimits limitsOfA, RouteConnections capsOfA) {
    return new GatewayHarness(TestPolicy.create()
        .route(A, upstream.url("/")).routeLimits(limitsOfA, capsOfA)
        .route(B, upstream.url("/")).build());
  }

  private static RouteLimits limits(Integer maxMessageBytes, Duration idle, Duration ping) {
    return new RouteLimits(maxMessageBytes, idle, null, ping, null);
  }

  private static RouteConnections caps(Integer max, Integer perIp, Rate handshakes, Mode mode) {
    return new RouteConnections(max, perIp, null, handshakes, mode);
  }

  private static UpgradeRejectedException refused(GatewayHarness harness, String path) {
    Throwable failure = Await.failure(harness.connect(path));
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
  }

  private static long retryAfter(UpgradeRejectedException refused) {
    String value = refused.getHeaders().get("retry-after");
    assertNotNull(value, "a " + refused.getStatus() + " tells the client when to come back");
    return Long.parseLong(value);
  }

  private static void echoes(WebSocket ws, BlockingQueue<String> texts, String text) throws InterruptedException {
    ws.writeTextMessage(text);
    assertEquals(text, texts.poll(10, TimeUnit.SECONDS));
  }

  private static long outcomes(GatewayHarness harness, Reason reason) {
    return harness.gateway.services().audit().metrics().outcomes(reason);
  }

  private static JsonObject rejected(AuditCapture audit, Reason reason) {
    return audit.await("handshake.rejected", l -> AuditCapture.has(l, "reason", reason.tag())).stream()
        .filter(r -> reason.tag().equals(r.getString("reason"))).findFirst().orElseThrow();
  }

  @Test
  void aMessageOverTheRoutesSizeIsClosedWith1009WhileTheOtherRouteRelaysIt() throws Exception {
    String twoKiB = "x".repeat(2048);
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = twoRoutes(upstream, limits(1024, null, null), RouteConnections.NONE)) {
      WebSocket b = Await.result(harness.connect(B));
      echoes(b, CloseIT.texts(b), twoKiB);

      WebSocket a = Await.result(harness.connect(A));
      BlockingQueue<String> textsOfA = CloseIT.texts(a);
      CompletableFuture<String> closedA = CloseIT.closeOf(a);
      echoes(a, textsOfA, "x".repeat(1024));
      a.writeTextMessage(twoKiB);
      assertEquals("1009 message too big", closedA.get(10, TimeUnit.SECONDS));
      Await.until("counted", () -> outcomes(harness, Reason.MESSAGE_TOO_BIG) == 1);
      List<JsonObject> closes = audit.await("session.closed",
          l -> AuditCapture.has(l, "reason", Reason.MESSAGE_TOO_BIG.tag()));
      assertTrue(AuditCapture.has(closes, "reason", Reason.MESSAGE_TOO_BIG.tag(), "route", A), closes.toString());

      echoes(b, CloseIT.texts(b), twoKiB); // B, on the global 64 KiB, still relays it
      assertFalse(b.isClosed());
    }
  }

  @Test
  void theRoutesIdleTimeoutClosesItsIdleSessionsWhileTheOtherRoutesStay() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = twoRoutes(upstream, limits(null, Duration.ofMillis(400), null),
             RouteConnections.NONE)) {
      WebSocket b = Await.result(harness.connect(B));
      CompletableFuture<String> closedB = CloseIT.closeOf(b);
      WebSocket a = Await.result(harness.connect(A));
      long start = System.nanoTime();
      assertEquals("1001 idle timeout", CloseIT.closeOf(a).get(10, TimeUnit.SECONDS));
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "not before the route's timeout");
      Await.until("counted", () -> outcomes(harness, Reason.IDLE_TIMEOUT) == 1);

      assertFalse(closedB.isDone(), "B idles on the global 5 minutes");
      echoes(b, CloseIT.texts(b), "still here");
    }
  }

  @Test
  void theRoutesPingIntervalPingsItsQuietClientsOnly() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = twoRoutes(upstream, limits(null, null, Duration.ofMillis(200)),
             RouteConnections.NONE)) {
      AtomicInteger pingsOfA = new AtomicInteger();
      AtomicInteger pingsOfB = new AtomicInteger();
      WebSocket b = Await.result(harness.connect(B));
      b.frameHandler(f -> pingsOfB.addAndGet(f.type() == WebSocketFrameType.PING ? 1 : 0));
      WebSocket a = Await.result(harness.connect(A));
      a.frameHandler(f -> pingsOfA.addAndGet(f.type() == WebSocketFrameType.PING ? 1 : 0));
      Await.until("A's client was pinged three times", Duration.ofSeconds(10), () -> pingsOfA.get() >= 3);
      assertEquals(0, pingsOfB.get(), "B pings on the global 30 s");
      assertFalse(a.isClosed(), "answered pings keep A's session");
    }
  }

  @Test
  void theRoutesPerIpCapRefusesTheThirdWith429WhileTheOtherRouteAdmits() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = twoRoutes(upstream, RouteLimits.NONE, caps(null, 2, null, Mode.ENFORCE))) {
      WebSocket first = Await.result(harness.connect(A));
      Await.result(harness.connect(A));
      UpgradeRejectedException refused = refused(harness, A);
      assertEquals(429, refused.getStatus());
      assertTrue(retryAfter(refused) >= 1);
      assertEquals(1, outcomes(harness, Reason.ROUTE_IP_CONNECTIONS_EXCEEDED));
      JsonObject record = rejected(audit, Reason.ROUTE_IP_CONNECTIONS_EXCEEDED);
      assertEquals(A, record.getString("route"));
      assertEquals(429, record.getInteger("status"));

      for (int i = 0; i < 3; i++) {
        Await.result(harness.connect(B));
      }
      var counts = harness.gateway.services().routeConnections();
      assertEquals(2, counts.count("exact " + A + " ip 127.0.0.1"));
      assertEquals(1, counts.trackedKeys(), "B has no cap of its own: nothing counted for it");

      Await.result(first.close());
      Await.until("the closed session gives its route slot back",
          () -> counts.count("exact " + A + " ip 127.0.0.1") == 1);
      Await.result(harness.connect(A));
    }
  }

  @Test
  void theRoutesMaxRefusesWith503WhileTheOtherRouteAdmits() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = twoRoutes(upstream, RouteLimits.NONE, caps(1, null, null, Mode.ENFORCE))) {
      WebSocket only = Await.result(harness.connect(A));
      UpgradeRejectedException refused = refused(harness, A);
      assertEquals(503, refused.getStatus());
      assertTrue(retryAfter(refused) >= 1);
      assertEquals(1, outcomes(harness, Reason.ROUTE_CONNECTION_CAP));
      assertEquals(0, outcomes(harness, Reason.CONNECTION_CAP), "the route's cap, not the gateway's");
      Await.result(harness.connect(B));
      Await.result(harness.connect(B));

      Await.result(only.close());
      Await.until("slot released",
          () -> harness.gateway.services().routeConnections().count("exact " + A + " *") == 0);
      Await.result(harness.connect(A));
    }
  }

  @Test
  void theRoutesHandshakeRateRefusesWith429AndRetryAfterWhileTheOtherRouteAdmits() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = twoRoutes(upstream, RouteLimits.NONE,
             caps(null, null, new Rate(2, Duration.ofMinutes(1), 2), Mode.ENFORCE))) {
      Await.result(harness.connect(A));
      Await.result(harness.connect(A));
      UpgradeRejectedException refused = refused(harness, A);
      assertEquals(429, refused.getStatus());
      long wait = retryAfter(refused);
      assertTrue(wait >= 1 && wait <= 60, "Retry-After " + wait);
      assertEquals(1, outcomes(harness, Reason.ROUTE_HANDSHAKE_RATE_LIMITED));
      for (int i = 0; i < 3; i++) {
        Await.result(harness.connect(B));
      }
    }
  }

  @Test
  void monitorModeRecordsTheRoutesRefusalAndAdmits() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = twoRoutes(upstream, RouteLimits.NONE, caps(1, null, null, Mode.MONITOR))) {
      Await.result(harness.connect(A));
      Await.result(harness.connect(A));
      assertEquals(1, harness.gateway.services().audit().metrics().monitoredTotal(Reason.ROUTE_CONNECTION_CAP));
      assertEquals(0, outcomes(harness, Reason.ROUTE_CONNECTION_CAP));
      assertEquals(1, harness.gateway.services().routeConnections().count("exact " + A + " *"),
          "the admitted-anyway session holds no slot");
    }
  }

  @Test
  void theRoutesPerSubjectCapRefusesTheSubjectsSecondSessionOnThatRouteOnly() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String alice = "Bearer " + idp.token("alice");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .route(A, upstream.url("/")).security(TestAuth.trusting("idp").route())
             .routeLimits(RouteLimits.NONE, new RouteConnections(null, null, 1, null, Mode.ENFORCE))
             .route(B, upstream.url("/")).security(TestAuth.trusting("idp").route()).build())) {
      WebSocket first = Await.result(harness.connect(harness.options(A).addHeader("Authorization", alice)));
      Throwable failure = Await.failure(harness.connect(harness.options(A).addHeader("Authorization", alice)));
      UpgradeRejectedException refused = assertInstanceOf(UpgradeRejectedException.class, failure, "" + failure);
      assertEquals(429, refused.getStatus());
      assertTrue(retryAfter(refused) >= 1);
      assertEquals(1, outcomes(harness, Reason.ROUTE_SUBJECT_CONNECTIONS_EXCEEDED));
      Await.result(harness.connect(harness.options(B).addHeader("Authorization", alice)));
      Await.result(harness.connect(harness.options(A).addHeader("Authorization", "Bearer " + idp.token("bob"))));

      String key = "exact " + A + " subject " + new SubjectId("idp", "alice").key();
      assertEquals(1, harness.gateway.services().routeConnections().count(key));
      Await.result(first.close());
      Await.until("alice's route slot is given back",
          () -> harness.gateway.services().routeConnections().count(key) == 0);
      Await.result(harness.connect(harness.options(A).addHeader("Authorization", alice)));
    }
  }

  @Test
  void aRefusalByTheGlobalCapGivesTheRoutesSlotsBack() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().maxConnections(1)
             .route(A, upstream.url("/")).routeLimits(RouteLimits.NONE, caps(5, 5, null, Mode.ENFORCE)).build())) {
      Await.result(harness.connect(A));
      for (int i = 0; i < 3; i++) {
        assertEquals(503, refused(harness, A).getStatus());
      }
      assertEquals(3, outcomes(harness, Reason.CONNECTION_CAP));
      var counts = harness.gateway.services().routeConnections();
      assertEquals(1, counts.count("exact " + A + " *"), "only the live session holds the route's slots");
      assertEquals(1, counts.count("exact " + A + " ip 127.0.0.1"));
    }
  }

  @Test
  void aSessionEndedByTheRoutesLifetimeGivesItsSlotsBack() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = twoRoutes(upstream, new RouteLimits(null, null, Duration.ofMillis(300), null, null),
             caps(1, 1, null, Mode.ENFORCE))) {
      WebSocket a = Await.result(harness.connect(A));
      assertEquals("1001 maximum session lifetime reached", CloseIT.closeOf(a).get(10, TimeUnit.SECONDS));
      Await.until("the slots are given back", () -> harness.gateway.services().routeConnections().trackedKeys() == 0);
      Await.result(harness.connect(A));
    }
  }
}
