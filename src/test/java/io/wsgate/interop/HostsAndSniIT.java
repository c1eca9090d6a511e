package io.wsgate.interop;

import io.vertx.core.json.JsonObject;
import io.wsgate.Gateway;
import io.wsgate.Reason;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.Await;
import io.wsgate.testing.StartedGateway;
import io.wsgate.policy.Tls;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.NamedCerts;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two (three) host names on one port, each with its own certificate chosen by SNI and its own
 * route, seen by real clients: curl with {@code --resolve}, Node's {@code ws} with a servername,
 * and a raw JDK TLS socket for what no well-behaved client sends (a Host its SNI does not cover).
 */
class HostsAndSniIT {
  private static final String CURL_HINT = "curl is not installed: run `scripts/test` (it installs curl), or apt-get install curl";

  @TempDir
  static Path certs;
  private static Tls.Pair a;
  private static Tls.Pair b;
  private static Tls.Pair c;
  private static EchoUpstream toA;
  private static EchoUpstream toB;
  private static EchoUpstream toC;
  private static EchoUpstream toAnyHost;

  @BeforeAll
  static void certificatesAndUpstreams() {
    a = NamedCerts.create(certs, "a", "a.test");
    b = NamedCerts.create(certs, "b", "b.test");
    c = NamedCerts.create(certs, "c", "*.c.test");
    toA = new EchoUpstream();
    toB = new EchoUpstream();
    toC = new EchoUpstream();
    toAnyHost = new EchoUpstream();
  }

  @AfterAll
  static void closeUpstreams() {
    toA.close();
    toB.close();
    toC.close();
    toAnyHost.close();
  }

  private static GatewayHarness gateway(Tls.Engine engine) {
    for (EchoUpstream upstream : List.of(toA, toB, toC, toAnyHost)) {
      upstream.handshakes.clear();
    }
    return new GatewayHarness(TestPolicy.create()
        .route("/chat", toA.url("/")).onHost("a.test")
        .route("/chat", toB.url("/")).onHost("B.Test")
        .route("/chat", toC.url("/")).onHost("*.c.test")
        .route("/chat", toAnyHost.url("/"))
        .certificates(List.of(a, b, c))
        .tlsEngine(engine)
        .build());
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void curlGetsEachHostsCertificateAndRoute(Tls.Engine engine) throws Exception {
    PeerProcess.requireSuccess(List.of("curl", "--version"), CURL_HINT);
    try (GatewayHarness harness = gateway(engine)) {
      String seenByA = curlUpgrade(harness.port(), "a.test", a.cert());
      assertTrue(seenByA.contains("CN=a.test"), "a.test's certificate: " + seenByA);
      assertNotNull(toA.handshakes.poll(5, TimeUnit.SECONDS), "a.test's upstream was dialled");

      String seenByB = curlUpgrade(harness.port(), "b.test", b.cert());
      assertTrue(seenByB.contains("CN=b.test"), "b.test's certificate: " + seenByB);
      assertNotNull(toB.handshakes.poll(5, TimeUnit.SECONDS), "b.test's upstream was dialled");

      assertNull(toA.handshakes.poll(0, TimeUnit.SECONDS), "a.test's upstream saw only a.test's session");
      assertTrue(toC.handshakes.isEmpty() && toAnyHost.handshakes.isEmpty(), "no other route was used");
    }
  }

  @Test
  void nodeClientWithAServernameReachesThatHostsRoute() throws Exception {
    NodePeer.requireNodeAndWs();
    try (GatewayHarness harness = gateway(Tls.DEFAULT_ENGINE)) {
      PeerProcess.Exit exit = NodePeer.run(Duration.ofSeconds(20), "sni-client.js",
          "wss://b.test:" + harness.port() + "/chat", b.cert().toString(), "b.test", "hello b");
      assertEquals(0, exit.code(), exit.stderr());
      assertEquals(List.of("cn=b.test", "hello b"), exit.stdout(), "b.test's certificate, then the echo");
      assertNotNull(toB.handshakes.poll(5, TimeUnit.SECONDS), "b.test's upstream served it");
      assertTrue(toA.handshakes.isEmpty() && toC.handshakes.isEmpty() && toAnyHost.handshakes.isEmpty());
    }
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void aHostItsSniCertificateDoesNotCoverIs421AuditedAndCounted(Tls.Engine engine) throws Exception {
    try (AuditCapture audit = new AuditCapture(); GatewayHarness harness = gateway(engine)) {
      Exchange misdirected = exchange(harness.port(), "a.test", "b.test");
      assertEquals("CN=a.test", misdirected.certificate().getSubjectX500Principal().getName());
      assertEquals(421, RawClient.status(misdirected.head()), misdirected.head());
      assertTrue(misdirected.closed(), "the connection is closed after the refusal");
      List<JsonObject> refused = audit.await("handshake.rejected", events -> !events.isEmpty());
      assertTrue(AuditCapture.has(refused, "reason", "misdirected_request", "host", "b.test", "sni", "a.test"),
          "the record names the pair that did not match: " + refused);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.MISDIRECTED_REQUEST));
      assertTrue(toB.handshakes.isEmpty() && toA.handshakes.isEmpty(), "no upstream was dialled");

      // A port in Host, another case, a trailing dot: still the name the certificate covers.
      assertEquals(101, RawClient.status(exchange(harness.port(), "a.test", "A.TEST.:443").head()));
      assertNotNull(toA.handshakes.poll(5, TimeUnit.SECONDS));
      // One wildcard certificate covers its sibling names: the connection may ask for any of them.
      assertEquals(101, RawClient.status(exchange(harness.port(), "x.c.test", "y.c.test").head()));
      assertNotNull(toC.handshakes.poll(5, TimeUnit.SECONDS), "*.c.test's route");
      // The wildcard covers one label only.
      assertEquals(421, RawClient.status(exchange(harness.port(), "x.c.test", "c.test").head()));
      assertEquals(2, harness.gateway.services().audit().metrics().outcomes(Reason.MISDIRECTED_REQUEST));
    }
  }

  @Test
  void withoutSniTheDefaultCertificateServesAndHostAloneRoutes() throws Exception {
    try (GatewayHarness harness = gateway(Tls.DEFAULT_ENGINE)) {
      Exchange noSni = exchange(harness.port(), null, "b.test");
      assertEquals("CN=a.test", noSni.certificate().getSubjectX500Principal().getName(), "the first is the default");
      assertEquals(101, RawClient.status(noSni.head()), "no name asked for, none mismatched");
      assertNotNull(toB.handshakes.poll(5, TimeUnit.SECONDS), "routed by Host");

      Exchange unknownSni = exchange(harness.port(), "elsewhere.test", "elsewhere.test");
      assertEquals("CN=a.test", unknownSni.certificate().getSubjectX500Principal().getName());
      assertEquals(421, RawClient.status(unknownSni.head()), "the default certificate does not cover it");
    }
  }

  @Test
  void aHostWithRoutesOfItsOwnNeverFallsThroughToTheRoutesForAnyHost() throws Exception {
    try (GatewayHarness harness = new GatewayHarness(TestPolicy.create()
        .route("/chat", toA.url("/")).onHost("a.test")
        .route("/other", toAnyHost.url("/"))
        // Five: a JDK key manager over all of them would start with the fifth (its HashMap's order).
        .certificates(List.of(b, a, c, NamedCerts.create(certs, "d", "d.test"), NamedCerts.create(certs, "e", "e.test")))
        .build())) {
      assertEquals("CN=b.test", exchange(harness.port(), null, "a.test", "/nowhere").certificate()
          .getSubjectX500Principal().getName(), "without SNI, the first listed, whatever the keystore's order");
      assertEquals(404, RawClient.status(exchange(harness.port(), "a.test", "a.test", "/other").head()));
      assertEquals(101, RawClient.status(exchange(harness.port(), "b.test", "b.test", "/other").head()),
          "a host without routes of its own takes the routes for any host");
      assertNotNull(toAnyHost.handshakes.poll(5, TimeUnit.SECONDS));
      assertEquals(404, RawClient.status(exchange(harness.port(), "b.test", "b.test", "/chat").head()),
          "a.test's route is not b.test's");
    }
  }

  @Test
  void aReloadAddsACertificateAndItsHostsRouteWithoutARestart(@TempDir Path root) throws Exception {
    Path policies = java.nio.file.Files.createDirectory(root.resolve("policies"));
    toB.handshakes.clear();
    String onlyA = policyYaml(root, List.of(a), "a.test", toA);
    writePolicy(policies, onlyA);
    try (StartedGateway started = StartedGateway.start(PolicyLoader.load(policies))) {
      Gateway gateway = started.gateway();
      Await.result(gateway.watchPolicy(200));
      GatewayMetrics metrics = gateway.services().audit().metrics();
      assertEquals("CN=a.test", exchange(gateway.port(), "b.test", "b.test").certificate()
          .getSubjectX500Principal().getName(), "before: b.test is not served, the default answers");

      // b.test's pair with a's key: refused whole, a.test served on, b.test's route not in force.
      writePolicy(policies, policyYaml(root, List.of(a, new Tls.Pair(b.cert(), a.key())), "a.test", toA)
          + hostRoute("b.test", toB));
      Await.until("the mismatched pair fails the reload", Duration.ofSeconds(10), () -> metrics.reloads(false) == 1);
      assertEquals("CN=a.test", exchange(gateway.port(), "b.test", "b.test").certificate()
          .getSubjectX500Principal().getName());

      writePolicy(policies, policyYaml(root, List.of(a, b), "a.test", toA) + hostRoute("b.test", toB));
      Await.until("the reload is applied", Duration.ofSeconds(10), () -> metrics.reloads(true) == 1);
      Exchange toNewHost = exchange(gateway.port(), "b.test", "b.test");
      assertEquals("CN=b.test", toNewHost.certificate().getSubjectX500Principal().getName(), "b.test's certificate");
      assertEquals(101, RawClient.status(toNewHost.head()), toNewHost.head());
      assertNotNull(toB.handshakes.poll(5, TimeUnit.SECONDS), "b.test's route");
      assertEquals("CN=a.test", exchange(gateway.port(), "a.test", "a.test").certificate()
          .getSubjectX500Principal().getName(), "a.test keeps its own");
    }
  }

  private static String policyYaml(Path root, List<Tls.Pair> pairs, String host, EchoUpstream upstream) {
    StringBuilder certificates = new StringBuilder();
    for (Tls.Pair pair : pairs) {
      certificates.append("      - { cert: \"").append(pair.cert()).append("\", key: \"").append(pair.key())
          .append("\" }\n");
    }
    return """
        listen:
          host: 127.0.0.1
          port: 0
          tls:
            certificates:
        %s  clients:
            allow: [0.0.0.0/0]
        shutdown: { drainWindow: 0s, drainTimeout: 10s }
        audit: { dir: "%s", flushInterval: 50ms }
        routes:
        """.formatted(certificates, root.resolve("audit")) + hostRoute(host, upstream);
  }

  private static String hostRoute(String host, EchoUpstream upstream) {
    return """
          - path: /chat
            host: %s
            upstreams: ["%s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
        """.formatted(host, upstream.url("/"));
  }

  /** In one step, so the watcher never reads a half-written file. */
  private static void writePolicy(Path dir, String yaml) throws IOException {
    io.wsgate.testing.PolicyDirectory.replace(dir, yaml);
  }

  /** curl's upgrade request through {@code --resolve}; returns its verbose output (the certificate's subject). */
  private static String curlUpgrade(int port, String host, Path ca) throws Exception {
    PeerProcess.Exit exit = PeerProcess.run(Duration.ofSeconds(20), certs, List.of("curl", "-sS", "-v", "-i",
        "--http1.1", "--max-time", "3", "--resolve", host + ":" + port + ":127.0.0.1", "--cacert", ca.toString(),
        "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
        "-H", "Sec-WebSocket-Key: " + RawClient.KEY, "https://" + host + ":" + port + "/chat"));
    // After the 101 curl waits for a body that never comes: --max-time ends it (exit 28).
    String status = exit.stdout().isEmpty() ? "" : exit.stdout().get(0).strip();
    if (!status.equals("HTTP/1.1 101 Switching Protocols")) {
      fail("curl to " + host + " got " + (status.isEmpty() ? "no answer" : status) + " (exit " + exit.code() + "): "
          + exit.stderr());
    }
    return exit.stderr();
  }

  private record Exchange(X509Certificate certificate, String head, boolean closed) {
  }

  private static Exchange exchange(int port, String sni, String host) throws IOException {
    return exchange(port, sni, host, "/chat");
  }

  /** A raw upgrade over TLS with {@code sni} (null: none) and {@code Host: host}, trusting all three certificates. */
  private static Exchange exchange(int port, String sni, String host, String path) throws IOException {
    try (SSLSocket socket = (SSLSocket) NamedCerts.trusting(List.of(a.cert(), b.cert(), c.cert())).getSocketFactory()
        .createSocket()) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
      parameters.setEndpointIdentificationAlgorithm(null); // the point is to send what the certificate does not cover
      socket.setSSLParameters(parameters);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: " + RawClient.KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
        int next = in.read();
        if (next < 0) {
          throw new EOFException("closed after: " + head);
        }
        head.append((char) next);
      }
      boolean closed = RawClient.status(head.toString()) != 101 && drainsToEnd(in);
      return new Exchange(served, head.toString(), closed);
    }
  }

  private static boolean drainsToEnd(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // the refusal's text
      }
      return true;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().toLowerCase().contains("reset");
    }
  }
}
