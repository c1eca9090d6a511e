package io.wsgate.interop;

import static io.wsgate.interop.SeedChat.ACK;
import static io.wsgate.interop.SeedChat.DEADLINE;
import static io.wsgate.interop.SeedChat.WELCOME;

import io.wsgate.demo.DevCertificate;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed tutorial's own peers, on the real Node {@code ws} library, talking through the gateway over
 * real TLS: its broadcast server as the upstream of Vert.x clients, and a Node {@code ws} client in
 * front of the embedded demo upstream. The texts are the tutorial's, spelled out here on purpose.
 */
class SeedInteropIT {

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
    SeedChat.assertBroadcastsToOthersAndAcksTheSender(harness);
  }

  @Test
  void clientClosingThroughTheGatewayDisconnectsItFromTheSeedServer() throws Exception {
    gatewayInFrontOfTheSeedServer();
    SeedChat.Client a = new SeedChat.Client(harness, "/chat");
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

}
