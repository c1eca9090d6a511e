package io.wsgate;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM behaviour: stop accepting, close every session with the configured code, spread out. */
class GracefulStopIT {

  @Test
  void stopClosesEverySessionWith1012SpreadOverTheDrainWindow() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .shutdown(1012, Duration.ofMillis(800), Duration.ofSeconds(10)).build())) {
      List<CompletableFuture<String>> closes = new ArrayList<>();
      ConcurrentLinkedQueue<Long> closedAt = new ConcurrentLinkedQueue<>();
      for (int i = 0; i < 5; i++) {
        WebSocket ws = Await.result(harness.connect("/chat"));
        CompletableFuture<String> closed = new CompletableFuture<>();
        ws.closeHandler(v -> {
          closedAt.add(System.nanoTime());
          closed.complete(ws.closeStatusCode() + " " + ws.closeReason());
        });
        closes.add(closed);
      }
      // A client sees 101 a moment before the gateway registers its session; the drain spreads
      // only the sessions registered when the stop begins.
      Await.until("sessions registered", () -> harness.gateway.services().sessions().size() == 5);
      Future<Void> stopped = harness.gateway.stop();
      for (CompletableFuture<String> closed : closes) {
        assertEquals("1012 gateway restarting", closed.get(10, TimeUnit.SECONDS));
      }
      Await.result(stopped);
      long spreadMs = TimeUnit.NANOSECONDS.toMillis(
          closedAt.stream().mapToLong(Long::longValue).max().getAsLong()
              - closedAt.stream().mapToLong(Long::longValue).min().getAsLong());
      assertTrue(spreadMs >= 400, "closes spread over the 800 ms window, got " + spreadMs + " ms");
      assertEquals(5, harness.gateway.services().audit().metrics().outcomes(Reason.SHUTDOWN_RESTART));
    }
  }

  @Test
  void stopRefusesNewUpgradesWith503AndDefaultsTo1001() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .shutdown(1001, Duration.ofMillis(4000), Duration.ofSeconds(10)).build())) {
      WebSocket live = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = CloseIT.closeOf(live);
      WebSocket second = Await.result(harness.connect("/chat"));
      CompletableFuture<String> secondClosed = CloseIT.closeOf(second);
      // Registered, so the drain spreads them and lasts long enough for the refused upgrade below.
      Await.until("sessions registered", () -> harness.gateway.services().sessions().size() == 2);
      Future<Void> stopped = harness.gateway.stop();
      Throwable refused = Await.failure(harness.connect("/chat"));
      assertInstanceOf(io.vertx.core.http.UpgradeRejectedException.class, refused, String.valueOf(refused));
      assertEquals(503, ((io.vertx.core.http.UpgradeRejectedException) refused).getStatus());
      assertEquals("1001 gateway shutting down", closed.get(10, TimeUnit.SECONDS));
      assertEquals("1001 gateway shutting down", secondClosed.get(10, TimeUnit.SECONDS));
      Await.result(stopped);
      assertEquals(0, harness.gateway.services().sessions().size());
    }
  }
}
