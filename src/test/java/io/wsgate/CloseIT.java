package io.wsgate;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Close codes and reasons cross the gateway; reserved codes become legal ones (RFC 6455 §7.4). */
class CloseIT {

  @Test
  void clientCloseCodeAndReasonReachTheUpstream() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build())) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
      ws.close((short) 4000, "bye now");
      assertEquals("4000 bye now", upstream.closes.poll(10, TimeUnit.SECONDS));
      Await.until("session count back to zero", () -> harness.gateway.services().sessions().size() == 0);
    }
  }

  @Test
  void upstreamCloseCodeAndReasonReachTheClient() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build())) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = closeOf(ws);
      Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
      ServerWebSocket upstreamSide = upstream.sockets.get(0);
      upstream.vertx.runOnContext(v -> upstreamSide.close((short) 4001, "come back later"));
      assertEquals("4001 come back later", closed.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void upstreamGoingAwayGivesTheClient1001() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build())) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = closeOf(ws);
      Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
      upstream.vertx.runOnContext(v -> upstream.sockets.get(0).close((short) 1001, "restarting"));
      assertEquals("1001 restarting", closed.get(10, TimeUnit.SECONDS));
      Await.until("metric counted", () -> harness.gateway.services().audit().metrics().outcomes(Reason.UPSTREAM_GOING_AWAY) == 1);
    }
  }

  @Test
  void upstreamConnectionLostGivesTheClient1011() throws Exception {
    try (RawUpstream upstream = RawUpstream.acceptThenDrop();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url()).build())) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = closeOf(ws);
      assertEquals("1011", closed.get(10, TimeUnit.SECONDS).split(" ")[0]);
      Await.until("metric counted", () -> harness.gateway.services().audit().metrics().outcomes(Reason.UPSTREAM_LOST) == 1);
    }
  }

  @Test
  void clientVanishingGivesTheUpstream1001() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build())) {
      try (RawClient raw = new RawClient(harness.port(), true)) {
        raw.send(RawClient.upgrade("/chat"));
        assertEquals(101, RawClient.status(raw.readHead()));
        Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
      } // TCP closed without a close frame
      assertEquals("1001", upstream.closes.poll(10, TimeUnit.SECONDS).split(" ")[0]);
    }
  }

  @Test
  void closeWithoutStatusIsPassedOnAsNormalClosure() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build());
         RawClient raw = new RawClient(harness.port(), true)) {
      raw.send(RawClient.upgrade("/chat"));
      assertEquals(101, RawClient.status(raw.readHead()));
      Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
      raw.send(RawClient.frame(0x88, new byte[0], true));
      // 1005 ("no status") must never be sent on: the upstream sees a normal closure.
      assertEquals("1000", upstream.closes.poll(10, TimeUnit.SECONDS).split(" ")[0]);
    }
  }

  static CompletableFuture<String> closeOf(WebSocket ws) {
    CompletableFuture<String> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() + " " + ws.closeReason()));
    return closed;
  }

  static BlockingQueue<String> texts(WebSocket ws) {
    BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    ws.textMessageHandler(texts::add);
    return texts;
  }
}
