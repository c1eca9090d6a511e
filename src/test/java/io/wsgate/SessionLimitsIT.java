package io.wsgate;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timeouts and caps: idle, lifetime, slow handshakes, the global connection cap. */
class SessionLimitsIT {

  @Test
  void idleSessionIsClosedWith1001() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .idleTimeout(Duration.ofMillis(400)).build())) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = CloseIT.closeOf(ws);
      long start = System.nanoTime();
      assertEquals("1001 idle timeout", closed.get(10, TimeUnit.SECONDS));
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "not before the idle timeout");
      assertEquals("1001", upstream.closes.poll(10, TimeUnit.SECONDS).split(" ")[0]);
      Await.until("counted", () -> harness.gateway.services().audit().metrics().outcomes(Reason.IDLE_TIMEOUT) == 1);
    }
  }

  @Test
  void trafficKeepsASessionFromIdlingOut() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .idleTimeout(Duration.ofMillis(600)).build())) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = CloseIT.closeOf(ws);
      var texts = CloseIT.texts(ws);
      for (int i = 0; i < 6; i++) {
        ws.writeTextMessage("tick " + i);
        assertEquals("tick " + i, texts.poll(10, TimeUnit.SECONDS));
        harness.clientVertx.timer(200).toCompletionStage().toCompletableFuture().get();
      }
      assertFalse(closed.isDone(), "1.2 s of traffic every 200 ms outlived a 600 ms idle timeout");
    }
  }

  @Test
  void sessionOlderThanMaxLifetimeIsClosedWith1001() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .maxLifetime(Duration.ofMillis(500)).build())) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = CloseIT.closeOf(ws);
      assertEquals("1001 maximum session lifetime reached", closed.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void slowlorisUpgradeIsCutOffAtTheHandshakeTimeout() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .handshakeTimeout(Duration.ofMillis(500)).build());
         RawClient raw = new RawClient(harness.port(), true)) {
      raw.send("GET /chat HTTP/1.1\r\nHost: localhost\r\n");  // ...and never the rest
      raw.timeout(10_000);
      assertTrue(raw.closedByPeer(), "the gateway closed the half-sent request");
      Await.until("counted", () -> harness.gateway.services().audit().metrics().outcomes(Reason.HANDSHAKE_TIMEOUT) == 1);
    }
  }

  @Test
  void globalConnectionCapAnswers503AndFreesSlotsOnClose() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .maxConnections(2).build())) {
      WebSocket first = Await.result(harness.connect("/chat"));
      Await.result(harness.connect("/chat"));
      Throwable refused = Await.failure(harness.connect("/chat"));
      assertInstanceOf(UpgradeRejectedException.class, refused);
      assertEquals(503, ((UpgradeRejectedException) refused).getStatus());
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.CONNECTION_CAP));

      Await.result(first.close());
      Await.until("slot released", () -> harness.gateway.services().globalConnections() == 1);
      Await.result(harness.connect("/chat"));
    }
  }
}
