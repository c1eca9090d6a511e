package io.wsgate.interop;

import static io.wsgate.interop.SeedChat.ACK;
import static io.wsgate.interop.SeedChat.DEADLINE;
import static io.wsgate.interop.SeedChat.WELCOME;

import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.policy.TokenSource;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python's {@code websockets} library (Debian's {@code python3-websockets}) on both sides of the
 * gateway over real TLS: a broadcast server with the seed tutorial's behaviour and texts as the
 * upstream of Vert.x clients, and a Python client in front of the embedded demo upstream, with and
 * without a bearer token offered as a subprotocol. The texts are spelled out here on purpose.
 */
class PythonInteropIT {

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
    SeedChat.assertBroadcastsToOthersAndAcksTheSender(harness);
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

}
