package io.wsgate.interop;

import io.vertx.core.http.ClientWebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed tutorial's chat, as any third-party broadcast server behind the gateway must play it.
 * The texts are the tutorial's, spelled out here on purpose (not taken from the demo upstream).
 */
final class SeedChat {
  static final String WELCOME = "欢迎来到 WebSocket 服务器!";
  static final String BROADCAST = "客户端说: ";
  static final String ACK = "服务器已收到你的消息: ";
  static final Duration DEADLINE = Duration.ofSeconds(15);

  private SeedChat() {
  }

  /**
   * Two Vert.x clients through the gateway: both welcomed; each message goes to the other client
   * and is acknowledged to its sender, who never gets its own broadcast.
   */
  static void assertBroadcastsToOthersAndAcksTheSender(GatewayHarness harness) throws InterruptedException {
    Client a = new Client(harness, "/chat");
    Client b = new Client(harness, "/chat");
    assertEquals(WELCOME, a.next());
    assertEquals(WELCOME, b.next()); // b is among the server's clients once it has been welcomed

    a.ws.writeTextMessage("你好");
    assertEquals(BROADCAST + "你好", b.next());
    // The server sends the broadcasts before the ack: a broadcast to the sender would have reached a first.
    assertEquals(ACK + "你好", a.next());

    b.ws.writeTextMessage("大家好");
    assertEquals(ACK + "大家好", b.next());
    assertEquals(BROADCAST + "大家好", a.next());
    assertTrue(a.received.isEmpty(), () -> "a got more: " + a.received);
    assertTrue(b.received.isEmpty(), () -> "b got more: " + b.received);
  }

  /** A Vert.x client through the gateway that queues what it receives. */
  static final class Client {
    final ClientWebSocket ws;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();

    Client(GatewayHarness harness, String uri) {
      ws = harness.client.webSocket();
      ws.textMessageHandler(received::add);
      ws.binaryMessageHandler(binary -> received.add("binary:" + binary));
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
      Await.result(ws.connect(harness.options(uri)));
    }

    String next() throws InterruptedException {
      String message = received.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(message, "no message within " + DEADLINE);
      return message;
    }

    short closeCode() throws Exception {
      return closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
