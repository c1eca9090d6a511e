package io.wsgate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The upstream may speak first: frames it sends right behind its 101, while the gateway is still
 * accepting the client, are held and relayed, not dropped.
 */
class UpstreamGreetingIT {

  @Test
  void framesTheUpstreamSendsWithItsHandshakeReachTheClient() throws Exception {
    // The 101 and two text frames in one write: they reach the gateway before the client is accepted.
    // Afterwards it hangs up on anything the gateway sends (its close frame at the end).
    try (RawUpstream upstream = new RawUpstream((socket, key) -> {
      socket.handler(anything -> socket.close());
      socket.write(Buffer.buffer()
          .appendString(RawUpstream.switchingProtocols(RawUpstream.acceptKey(key)))
          .appendBytes(RawClient.frame(0x81, "welcome".getBytes(StandardCharsets.UTF_8), false))
          .appendBytes(RawClient.frame(0x81, "motd".getBytes(StandardCharsets.UTF_8), false)));
    });
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url()).build())) {
      BlockingQueue<String> texts = new LinkedBlockingQueue<>();
      ClientWebSocket ws = harness.client.webSocket();
      ws.textMessageHandler(texts::add);  // set before connecting: the test client itself drops nothing
      Await.result(ws.connect(harness.options("/chat")));
      assertEquals("welcome", texts.poll(10, TimeUnit.SECONDS));
      assertEquals("motd", texts.poll(10, TimeUnit.SECONDS));
    }
  }
}
