package io.wsgate;

import io.wsgate.policy.Tls;
import io.wsgate.cli.Main;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayProcess;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client may not renegotiate TLS 1.2 (a handshake costs the server far more than the client: one
 * connection doing hundreds of them is a DoS lever). TLS 1.3 has no renegotiation at all.
 *
 * <p>The JDK reads {@code jdk.tls.rejectClientInitiatedRenegotiation} once per JVM, before its first
 * server-side handshake, and this JVM runs many servers: Failsafe sets the property for it, and the
 * tests that prove the gateway sets it on its own start a fresh JVM that is told nothing.
 */
class TlsRenegotiationIT {
  private static final String PROPERTY = "jdk.tls.rejectClientInitiatedRenegotiation";

  @TempDir
  Path dir;

  /** BoringSSL refuses renegotiation itself (no_renegotiation); the JDK engine through the property (handshake_failure). */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Tls.Engine.class)
  void aClientThatRenegotiatesIsCutOffAndOrdinaryTls12And13ClientsAreServed(Tls.Engine engine) throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().tlsEngine(engine)
             .route("/chat", upstream.url("/")).build())) {
      assertRenegotiationRefused(harness.port());
      assertEquals("true", System.getProperty(PROPERTY), "set for the JVM once a gateway has started");
      assertServed(harness.port(), "TLSv1.2");
      assertServed(harness.port(), "TLSv1.3");
    }
  }

  /** The operator's entry point ({@code wsgate run}) and an application embedding {@code Gateway.start}. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cli", "embedded"})
  void aFreshGatewayProcessRefusesRenegotiationWithoutBeingTold(String entry) throws Exception {
    try (EchoUpstream upstream = new EchoUpstream()) {
      Path policy = dir.resolve("gateway.yaml");
      Files.writeString(policy, """
          listen:
            host: 127.0.0.1
            port: 0
            tls: { cert: "%s", key: "%s" }
            clients: { allow: [127.0.0.1/32] }
          routes:
            - path: /chat
              upstreams: ["ws://127.0.0.1:%d/"]
              origins: { allow: [], allowMissing: true }
              auth: { anonymous: true }
          """.formatted(TestCerts.cert(), TestCerts.key(), upstream.port()));
      String mainClass = entry.equals("cli") ? Main.class.getName() : EmbeddedGateway.class.getName();
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-Dlogback.configurationFile=logback.xml", // the product's logging, not logback-test.xml
          "-cp", System.getProperty("java.class.path"), mainClass));
      if (entry.equals("cli")) {
        command.addAll(List.of("run", "--policies", dir.toString()));
      } else {
        command.add(policy.toString());
      }
      assertTrue(command.stream().noneMatch(arg -> arg.contains(PROPERTY)), "the child is told nothing");
      GatewayProcess gateway = GatewayProcess.launch(command, dir.resolve("gateway.log"));
      Process process = gateway.process();
      try {
        int port = gateway.port();
        assertRenegotiationRefused(port);
        assertServed(port, "TLSv1.2");
        assertServed(port, "TLSv1.3");
      } finally {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  /**
   * TLS 1.2, one handshake, then the client asks for another and sends an upgrade: the gateway
   * must end the connection (a fatal alert, or a close) rather than complete the second handshake.
   */
  private static void assertRenegotiationRefused(int port) throws Exception {
    AtomicInteger completed = new AtomicInteger();
    try (SSLSocket socket = tls12(port)) {
      socket.addHandshakeCompletedListener(event -> completed.incrementAndGet());
      socket.startHandshake();
      Await.until("the first handshake completed", () -> completed.get() == 1);
      IOException refused = null;
      String answer = null;
      try {
        socket.startHandshake(); // sends the renegotiating ClientHello; completes while data is read
        socket.getOutputStream().write(RawClient.upgrade("/chat").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
        if (answer.length() < 12) {
          refused = new EOFException("closed after " + answer.length() + " bytes");
        }
      } catch (SSLException | SocketException e) {
        refused = e;
      }
      assertTrue(refused != null, "the renegotiating client was served: " + answer + ", handshakes " + completed.get());
      assertEquals(1, completed.get(), "no second handshake completed: " + refused);
      if (refused instanceof SSLException ssl) {
        String alert = String.valueOf(ssl.getMessage());
        assertTrue(alert.contains("handshake_failure") || alert.contains("no_renegotiation"), alert);
      } else {
        assertInstanceOf(IOException.class, refused);
      }
    }
  }

  private static void assertServed(int port, String protocol) throws Exception {
    try (SSLSocket socket = (SSLSocket) TestCerts.sslContext().getSocketFactory().createSocket()) {
      socket.setEnabledProtocols(new String[] {protocol});
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      assertEquals(protocol, socket.getSession().getProtocol());
      socket.getOutputStream().write(RawClient.upgrade("/chat").getBytes(StandardCharsets.ISO_8859_1));
      assertEquals("HTTP/1.1 101", new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1));
    }
  }

  private static SSLSocket tls12(int port) throws IOException {
    SSLSocket socket = (SSLSocket) TestCerts.sslContext().getSocketFactory().createSocket();
    socket.setEnabledProtocols(new String[] {"TLSv1.2"});
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** An application that embeds the gateway: loads a policy and calls {@link Gateway#start}, nothing else. */
  static final class EmbeddedGateway {
    public static void main(String[] args) throws Exception {
      Gateway.start(PolicyLoader.load(Path.of(args[0]))).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }
}
