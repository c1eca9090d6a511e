package io.wsgate;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A route with several upstreams: round-robin over the healthy ones, failover, cool-down. */
class UpstreamPoolIT {
  private static final List<String> FORWARD = List.of("user-agent");

  @Test
  void connectionsAreSpreadRoundRobinOverHealthyMembers() {
    try (EchoUpstream a = new EchoUpstream();
         EchoUpstream b = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/chat", false, FORWARD, a.url("/"), b.url("/")).build())) {
      for (int i = 0; i < 4; i++) {
        Await.result(harness.connect("/chat"));
      }
      Await.until("4 upstream sockets", () -> a.sockets.size() + b.sockets.size() == 4);
      assertEquals(2, a.sockets.size());
      assertEquals(2, b.sockets.size());
    }
  }

  @Test
  void deadMemberIsFailedOverAndThenSkippedWhileCoolingDown() throws Exception {
    try (RawUpstream dead = hangsUp(null);
         EchoUpstream healthy = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/chat", false, FORWARD, dead.url(), healthy.url("/")).cooldown(Duration.ofMinutes(5)).build())) {
      for (int i = 0; i < 6; i++) {
        WebSocket ws = Await.result(harness.connect("/chat"));
        Await.result(ws.close());
      }
      Await.until("6 sessions on the healthy member", () -> healthy.sockets.size() == 6);
      assertEquals(1, dead.connections.get(), "dialled once, then left alone while cooling down");
      var metrics = harness.gateway.services().audit().metrics();
      assertEquals(6, metrics.acceptedTotal());
      assertEquals(0, metrics.outcomes(Reason.UPSTREAM_UNAVAILABLE), "a failover is not a refusal");
    }
  }

  @Test
  void refusedPortIsFailedOver() throws Exception {
    try (EchoUpstream healthy = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", false, FORWARD,
             "ws://127.0.0.1:" + UpstreamFailureIT.closedPort() + "/", healthy.url("/")).build())) {
      for (int i = 0; i < 3; i++) {
        Await.result(harness.connect("/chat"));
      }
      Await.until("3 sessions on the healthy member", () -> healthy.sockets.size() == 3);
    }
  }

  @Test
  void deadMemberIsDialledAgainOnceItsCooldownHasPassed() throws Exception {
    Duration cooldown = Duration.ofMillis(400);
    List<Long> dials = new CopyOnWriteArrayList<>();
    try (RawUpstream dead = hangsUp(dials);
         EchoUpstream healthy = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/chat", false, FORWARD, dead.url(), healthy.url("/")).cooldown(cooldown).build())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (dials.size() < 2) {
        assertTrue(System.nanoTime() < deadline, "the dead member was never tried again: " + dials.size() + " dials");
        WebSocket ws = Await.result(harness.connect("/chat"));
        Await.result(ws.close());
      }
      long gapMs = TimeUnit.NANOSECONDS.toMillis(dials.get(1) - dials.get(0));
      assertTrue(gapMs >= cooldown.toMillis(), "retried after " + gapMs + " ms, before the cool-down ended");
    }
  }

  @Test
  void allMembersDownIs502AndThenRefusedWithoutDialling() throws Exception {
    try (RawUpstream first = hangsUp(null);
         RawUpstream second = hangsUp(null);
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/chat", false, FORWARD, first.url(), second.url()).cooldown(Duration.ofMinutes(5)).build())) {
      assertEquals(502, rejectedStatus(harness));
      assertEquals(1, first.connections.get());
      assertEquals(1, second.connections.get());
      // Both cooling down now: refused at once, nobody dialled.
      assertEquals(502, rejectedStatus(harness));
      assertEquals(1, first.connections.get());
      assertEquals(1, second.connections.get());
      assertEquals(2, harness.gateway.services().audit().metrics().outcomes(Reason.UPSTREAM_UNAVAILABLE));
      assertEquals(0, harness.gateway.services().globalConnections());
    }
  }

  /** Accepts TCP, reads the upgrade request and hangs up without answering; records when. */
  private static RawUpstream hangsUp(List<Long> dials) {
    return new RawUpstream((socket, key) -> {
      if (dials != null) {
        dials.add(System.nanoTime());
      }
      socket.close();
    });
  }

  private static int rejectedStatus(GatewayHarness harness) {
    Throwable failure = Await.failure(harness.connect("/chat"));
    assertInstanceOf(UpgradeRejectedException.class, failure);
    return ((UpgradeRejectedException) failure).getStatus();
  }
}
