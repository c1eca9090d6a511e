package io.wsgate;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client that stops reading cannot even receive a close frame. The session must still end
 * (connection aborted after a grace period) and give its slot back, or such clients would pin
 * gateway resources forever.
 */
class StuckPeerIT {

  @Test
  void sessionWithAClientThatStoppedReadingStillEndsAndFreesItsSlot() throws Exception {
    Vertx upstreamVertx = Vertx.vertx();
    HttpServer upstream = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(StuckPeerIT::flood);
    Await.result(upstream.listen());
    try (GatewayHarness harness = new GatewayHarness(TestPolicy.create()
        .route("/feed", "ws://127.0.0.1:" + upstream.actualPort() + "/").maxLifetime(Duration.ofMillis(1500)).build());
         RawClient stuck = new RawClient(harness.port(), true)) {
      stuck.send(RawClient.upgrade("/feed"));
      assertEquals(101, RawClient.status(stuck.readHead()));
      Await.until("session registered", () -> harness.gateway.services().sessions().size() == 1);
      // Never read again: socket buffers fill, the lifetime close frame can never be written.
      Await.until("session ended and slot released", Duration.ofSeconds(20),
          () -> harness.gateway.services().globalConnections() == 0 && harness.gateway.services().sessions().size() == 0);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.MAX_LIFETIME));
    } finally {
      Await.result(upstreamVertx.close());
    }
  }

  private static void flood(ServerWebSocket ws) {
    Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (!ws.isClosed() && !ws.writeQueueFull()) {
        ws.writeBinaryMessage(chunk);
      }
      if (!ws.isClosed()) {
        ws.drainHandler(v -> pump[0].run());
      }
    };
    pump[0].run();
  }
}
