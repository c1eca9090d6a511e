package io.wsgate;

import io.vertx.core.http.ClientWebSocket;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An upstream that sends right after its 101 (the seed's welcome) is heard: the gateway holds those
 * frames until the client's side of the session is wired, instead of dropping them.
 */
class UpstreamSpeaksFirstIT {
  private GatewayHarness harness;

  @BeforeEach
  void start() {
    harness = new GatewayHarness(TestPolicy.create().route("/chat", "demo").build());
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void everyClientGetsTheWelcomeTheUpstreamSentBeforeTheClientWasAccepted() throws Exception {
    List<ClientWebSocket> sockets = new ArrayList<>(); // kept reachable until the end of the test
    for (int i = 0; i < 20; i++) {
      ClientWebSocket ws = harness.client.webSocket();
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      ws.textMessageHandler(received::add);
      Await.result(ws.connect(harness.options("/chat")));
      sockets.add(ws);
      assertEquals(DemoUpstream.WELCOME, received.poll(10, TimeUnit.SECONDS), "welcome on connection " + i);
    }
    assertEquals(20, sockets.size());
  }
}
