package io.wsgate.interop;

import io.vertx.core.http.ClientWebSocket;
import io.wsgate.demo.DevCertificate;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed tutorial's own peers, on the real Node {@code ws} library, talking through the gateway over
 * real TLS: its broadcast server as the upstream of Vert.x clients, and a Node {@code ws} client in
 * front of the embedded demo upstream. The texts are the tutorial's, spelled out here on purpose.
 */
class SeedInteropTest {
  private static final String WELCOME = "欢迎来到 WebSocket 服务器!";
  private static final String BROADCAST = "客户端说: ";
  private static final String ACK = "服务器已收到你的消息: ";
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  private PeerProcess seed;
  private GatewayHarness harness;

  @BeforeAll
  static void nodeAndWsAreInstalled() {
    NodePeer.requireNodeAndWs();
  }

  @AfterEach
  void stop() {
    try {
      if (harness != null) {
        harness.close();
      }
    } finally {
      if (seed != null) {
        seed.close();
      }
    }
  }

  /** Starts the tutorial's server and a gateway routing {@code /chat} to it. */
  private void gatewayInFrontOfTheSeedServer() throws InterruptedException {
    seed = NodePeer.start("seed-server.js");
    int port = Integer.parseInt(seed.awaitLine("PORT (\\d+)", DEADLINE).group(1));
    harness = new GatewayHarness(TestPolicy.create().route("/chat", "ws://127.0.0.1:" + port + "/").build());
  }

  @Test
  void seedServerWelcomesBroadcastsToOthersAndAcknowledgesTheSender() throws Exception {
    gatewayInFrontOfTheSeedServer();
    Client a = new Client(harness, "/chat");
    Client b = new Client(harness, "/chat");
    assertEquals(WELCOME, a.next());
    assertEquals(WELCOME, b.next()); // b is in wss.clients once it has been welcomed

    a.ws.writeTextMessage("你好");
    assertEquals(BROADCAST + "你好", b.next());
    // The seed sends the broadcasts before the ack on the same sockets: a broadcast to the sender
    // would have reached a before its ack.
    assertEquals(ACK + "你好", a.next());

    b.ws.writeTextMessage("大家好");
    assertEquals(ACK + "大家好", b.next());
    assertEquals(BROADCAST + "大家好", a.next());
    assertTrue(a.received.isEmpty(), () -> "a got more: " + a.received);
    assertTrue(b.received.isEmpty(), () -> "b got more: " + b.received);
  }

  @Test
  void clientClosingThroughTheGatewayDisconnectsItFromTheSeedServer() throws Exception {
    gatewayInFrontOfTheSeedServer();
    Client a = new Client(harness, "/chat");
    assertEquals(WELCOME, a.next());
    seed.awaitLine("客户端已连接", DEADLINE);

    a.ws.close((short) 1000, "bye");
    assertEquals((short) 1000, a.closeCode());
    seed.awaitLine("客户端已断开连接", DEADLINE);
  }

  @Test
  void nodeWsClientTalksToTheDemoUpstreamThroughTheGateway() throws Exception {
    harness = new GatewayHarness(TestPolicy.create().route("/chat", "demo").build());
    String url = "wss://localhost:" + harness.port() + "/chat";

    PeerProcess.Exit exit = NodePeer.run(Duration.ofSeconds(30), "node-client.js",
        url, TestCerts.cert().toString(), "你好", "2", "10000");

    assertEquals(0, exit.code(), () -> "node-client.js exited " + exit.code() + ", stderr: " + exit.stderr());
    assertEquals(List.of(WELCOME, ACK + "你好"), exit.stdout());
  }

  @Test
  void nodeWsClientRefusesAGatewayItsCaFileDoesNotVouchFor(@TempDir Path dir) throws Exception {
    harness = new GatewayHarness(TestPolicy.create().route("/chat", "demo").build());
    String url = "wss://localhost:" + harness.port() + "/chat";
    Path otherCert = dir.resolve("other.crt");
    DevCertificate.ensure(otherCert, dir.resolve("other.key")); // same names, another key: not the gateway's

    PeerProcess.Exit exit = NodePeer.run(Duration.ofSeconds(30), "node-client.js",
        url, otherCert.toString(), "你好", "2", "10000");

    assertEquals(2, exit.code(), () -> "node-client.js exited " + exit.code() + ", stderr: " + exit.stderr());
    assertEquals(List.of(), exit.stdout());
    assertTrue(exit.stderr().contains("certificate"), exit.stderr());
  }

  /** A Vert.x client through the gateway whose handlers are set before the handshake, so no message is missed. */
  private static final class Client {
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
