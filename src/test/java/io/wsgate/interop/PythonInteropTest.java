package io.wsgate.interop;

import io.vertx.core.http.ClientWebSocket;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.policy.TokenSource;
import io.wsgate.testing.Await;
import io.wsgate.testing.DevKeyIssuer;
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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python's {@code websockets} library (Debian's {@code python3-websockets}) on both sides of the
 * gateway over real TLS: a broadcast server with the seed tutorial's behaviour and texts as the
 * upstream of Vert.x clients, and a Python client in front of the embedded demo upstream, with and
 * without a bearer token offered as a subprotocol. The texts are spelled out here on purpose.
 */
class PythonInteropTest {
  private static final String WELCOME = "欢迎来到 WebSocket 服务器!";
  private static final String BROADCAST = "客户端说: ";
  private static final String ACK = "服务器已收到你的消息: ";
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  private PeerProcess server;
  private GatewayHarness harness;

  @BeforeAll
  static void pythonAndWebsocketsAreInstalled() {
    PythonPeer.requirePythonAndWebsockets();
  }

  @AfterEach
  void stop() {
    try {
      if (harness != null) {
        harness.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void pythonServerWelcomesBroadcastsToOthersAndAcknowledgesTheSender() throws Exception {
    server = PythonPeer.start("broadcast_server.py");
    int port = Integer.parseInt(server.awaitLine("PORT (\\d+)", DEADLINE).group(1));
    harness = new GatewayHarness(TestPolicy.create().route("/chat", "ws://127.0.0.1:" + port + "/").build());

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

  @Test
  void pythonClientTalksToTheDemoUpstreamThroughTheGateway() throws Exception {
    harness = new GatewayHarness(TestPolicy.create().route("/chat", "demo").build());

    PeerProcess.Exit exit = PythonPeer.run(Duration.ofSeconds(30), "client.py",
        url(), TestCerts.cert().toString(), "你好", "2");

    assertEquals(0, exit.code(), () -> "client.py exited " + exit.code() + ", stderr: " + exit.stderr());
    assertEquals(List.of(WELCOME, ACK + "你好"), exit.stdout());
  }

  @Test
  void pythonClientWithABearerSubprotocolTokenPassesATokenRouteAndWithoutOneGets401(@TempDir Path dir)
      throws Exception {
    DevKeyIssuer issuer = DevKeyIssuer.in(dir);
    Auth auth = new Auth(false, List.of(DevKeyIssuer.NAME), List.of(new TokenSource(TokenSource.Kind.SUBPROTOCOL, null)),
        List.of(), List.of(), Map.of(), "x-wsgate-subject", Map.of(), false, Mode.ENFORCE);
    harness = new GatewayHarness(TestPolicy.create().issuers(List.of(issuer.issuer()))
        .route("/chat", "demo")
        .security(new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), auth, MessageRules.NONE))
        .build());
    String token = issuer.mint("alice", Duration.ofMinutes(5));

    PeerProcess.Exit allowed = PythonPeer.run(Duration.ofSeconds(30), "client.py",
        url(), TestCerts.cert().toString(), "你好", "2", token);
    assertEquals(0, allowed.code(), () -> "client.py exited " + allowed.code() + ", stderr: " + allowed.stderr());
    assertEquals(List.of(WELCOME, ACK + "你好"), allowed.stdout());

    PeerProcess.Exit refused = PythonPeer.run(Duration.ofSeconds(30), "client.py",
        url(), TestCerts.cert().toString(), "你好", "2");
    assertEquals(2, refused.code(), () -> "client.py exited " + refused.code() + ", stderr: " + refused.stderr());
    assertEquals(List.of(), refused.stdout());
    assertTrue(refused.stderr().contains("HTTP 401"), refused.stderr());
  }

  private String url() {
    return "wss://localhost:" + harness.port() + "/chat";
  }

  /** A Vert.x client through the gateway whose handlers are set before the handshake, so no message is missed. */
  private static final class Client {
    final ClientWebSocket ws;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    Client(GatewayHarness harness, String uri) {
      ws = harness.client.webSocket();
      ws.textMessageHandler(received::add);
      ws.binaryMessageHandler(binary -> received.add("binary:" + binary));
      Await.result(ws.connect(harness.options(uri)));
    }

    String next() throws InterruptedException {
      String message = received.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(message, "no message within " + DEADLINE);
      return message;
    }
  }
}
