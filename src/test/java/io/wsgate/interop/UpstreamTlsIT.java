package io.wsgate.interop;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.wsgate.Gateway;
import io.wsgate.Reason;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.UpstreamGauges;
import io.wsgate.policy.Balancing;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.policy.Tls;
import io.wsgate.policy.UpstreamTls;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.NamedCerts;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.StartedGateway;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Node {@code wss} upstream that requires a client certificate ({@code tls-upstream.js}), dialled
 * through the gateway with {@code upstreamTls}: the route's CA, the gateway's client certificate, the
 * SNI name sent and the name verified. Every TLS failure toward it is a 502 {@code upstream_tls},
 * audited and counted, and the client never gets a 101.
 */
class UpstreamTlsIT {
  @TempDir
  static Path certs;
  /** The upstream's certificate: localhost and backend.test, not 127.0.0.1. */
  private static Tls.Pair upstreamCert;
  /** The only client certificate the upstream accepts. */
  private static Tls.Pair gatewayClient;
  /** A certificate nobody trusts: a wrong CA, and a client certificate the upstream refuses. */
  private static Tls.Pair stranger;
  private static PeerProcess upstream;
  private static int port;

  @BeforeAll
  static void startUpstream() throws Exception {
    NodePeer.requireNodeAndWs();
    upstreamCert = NamedCerts.create(certs, "upstream", "localhost", "backend.test");
    gatewayClient = NamedCerts.create(certs, "gateway-client", "gateway-client.test");
    stranger = NamedCerts.create(certs, "stranger", "stranger.test");
    upstream = NodePeer.start("tls-upstream.js", upstreamCert.cert().toString(), upstreamCert.key().toString(),
        gatewayClient.cert().toString());
    port = Integer.parseInt(upstream.awaitLine("listening (\\d+)", Duration.ofSeconds(20)).group(1));
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void withItsClientCertificateMessagesRelayBothWaysAndTheUpstreamSawOurNameAndCertificate() throws Exception {
    UpstreamTls tls = new UpstreamTls(upstreamCert.cert(), gatewayClient.cert(), gatewayClient.key(), null);
    try (GatewayHarness harness = gateway("wss://localhost:" + port + "/", tls)) {
      BlockingQueue<Buffer> received = new LinkedBlockingQueue<>();
      ClientWebSocket ws = harness.client.webSocket();
      ws.handler(received::add); // before connecting: the upstream speaks first
      Await.result(ws.connect(harness.options("/chat")));
      JsonObject seen = new JsonObject(received.poll(10, TimeUnit.SECONDS));
      assertEquals("localhost", seen.getString("servername"), "SNI: the member URL's host");
      assertEquals("gateway-client.test", seen.getString("subject"), "the gateway's client certificate");

      Await.result(ws.writeTextMessage("hello upstream"));
      assertEquals("hello upstream", received.poll(10, TimeUnit.SECONDS).toString());
      byte[] binary = {0, 1, 2, (byte) 0xff};
      Await.result(ws.writeBinaryMessage(Buffer.buffer(binary)));
      assertArrayEquals(binary, received.poll(10, TimeUnit.SECONDS).getBytes());
      Await.result(ws.close());
    }
  }

  @Test
  void withoutAClientCertificateTheUpstreamRefusesAndTheClientGets502UpstreamTls() throws Exception {
    UpstreamTls caOnly = new UpstreamTls(upstreamCert.cert(), null, null, null);
    assertRefusedForTls("wss://localhost:" + port + "/", caOnly);
    upstream.awaitLine("tls-error .*", Duration.ofSeconds(10)); // the upstream, not the gateway, said no
  }

  @Test
  void aClientCertificateTheUpstreamDoesNotTrustIs502UpstreamTls() throws Exception {
    assertRefusedForTls("wss://localhost:" + port + "/",
        new UpstreamTls(upstreamCert.cert(), stranger.cert(), stranger.key(), null));
  }

  @Test
  void anUpstreamCertificateOutsideTheConfiguredCaIs502UpstreamTls() throws Exception {
    assertRefusedForTls("wss://localhost:" + port + "/",
        new UpstreamTls(stranger.cert(), gatewayClient.cert(), gatewayClient.key(), null));
  }

  @Test
  void theUpstreamCertificateMustCoverTheDialledHostWhenNoServerNameIsSet() throws Exception {
    // Trusted chain, but issued to localhost and backend.test: an address it does not name is refused.
    assertRefusedForTls("wss://127.0.0.1:" + port + "/",
        new UpstreamTls(upstreamCert.cert(), gatewayClient.cert(), gatewayClient.key(), null));
  }

  @Test
  void aServerNameOtherThanTheUrlHostIsSentAndVerified() throws Exception {
    UpstreamTls tls = new UpstreamTls(upstreamCert.cert(), gatewayClient.cert(), gatewayClient.key(), "backend.test");
    try (GatewayHarness harness = gateway("wss://127.0.0.1:" + port + "/", tls)) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      ClientWebSocket ws = harness.client.webSocket();
      ws.textMessageHandler(received::add);
      Await.result(ws.connect(harness.options("/chat")));
      JsonObject seen = new JsonObject(received.poll(10, TimeUnit.SECONDS));
      assertEquals("backend.test", seen.getString("servername"));
      assertEquals("gateway-client.test", seen.getString("subject"));
      Await.result(ws.writeTextMessage("via backend.test"));
      assertEquals("via backend.test", received.poll(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aServerNameTheUpstreamCertificateDoesNotCoverIs502UpstreamTls() throws Exception {
    // Dialled as localhost, which the certificate does cover: only the configured name counts.
    assertRefusedForTls("wss://localhost:" + port + "/",
        new UpstreamTls(upstreamCert.cert(), gatewayClient.cert(), gatewayClient.key(), "other.test"));
  }

  @Test
  void aMemberThatDoesNotSpeakTlsIs502UpstreamTlsAndTheNextMemberIsTried() throws Exception {
    UpstreamTls tls = new UpstreamTls(upstreamCert.cert(), gatewayClient.cert(), gatewayClient.key(), null);
    try (EchoUpstream plain = new EchoUpstream()) {
      assertRefusedForTls("wss://localhost:" + plain.port() + "/", tls);
      // Round robin: of two sessions, one tries the plain member first, fails over, and cools it down.
      try (GatewayHarness harness = new GatewayHarness(TestPolicy.create()
          .route("/chat", "wss://localhost:" + plain.port() + "/", "wss://localhost:" + port + "/")
          .upstreamTls(tls).build())) {
        for (int i = 0; i < 2; i++) {
          BlockingQueue<String> received = new LinkedBlockingQueue<>();
          ClientWebSocket ws = harness.client.webSocket();
          ws.textMessageHandler(received::add);
          Await.result(ws.connect(harness.options("/chat")));
          assertEquals("gateway-client.test", new JsonObject(received.poll(10, TimeUnit.SECONDS)).getString("subject"),
              "session " + i + " on the Node member");
        }
        GatewayMetrics metrics = harness.gateway.services().audit().metrics();
        assertEquals(2, metrics.acceptedTotal());
        assertEquals(0, metrics.outcomes(Reason.UPSTREAM_TLS), "a failover that worked refuses nobody");
        assertFalse(up(harness, "wss://localhost:" + plain.port() + "/"), "the member that failed TLS cools down");
      }
    }
  }

  @Test
  void healthChecksDialWithTheRoutesCaClientCertificateAndServerName() throws Exception {
    String member = "wss://127.0.0.1:" + port + "/";
    Balancing checked = new Balancing(Balancing.Strategy.ROUND_ROBIN, null, new Balancing.HealthCheck(
        Balancing.HealthCheck.Type.WEBSOCKET, "/health", Duration.ofMillis(300), Duration.ofMillis(300), 1, 1),
        Duration.ZERO);
    UpstreamTls tls = new UpstreamTls(upstreamCert.cert(), gatewayClient.cert(), gatewayClient.key(), "backend.test");
    try (GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", member).upstreamTls(tls)
        .balancing(checked).build())) {
      upstream.awaitLine("session backend\\.test gateway-client\\.test /health", Duration.ofSeconds(10));
      assertTrue(up(harness, member));
    }
    UpstreamTls noCertificate = new UpstreamTls(upstreamCert.cert(), null, null, "backend.test");
    try (GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", member)
        .upstreamTls(noCertificate).balancing(checked).build())) {
      Await.until("the member refusing the check's missing certificate is seen down", () -> !up(harness, member));
    }
  }

  private static boolean up(GatewayHarness harness, String member) {
    return harness.gateway.services().current().upstreamGauges().stream()
        .filter(m -> m.member().equals(member)).allMatch(UpstreamGauges.Member::up);
  }

  @Test
  void aRenewedClientCertificateBesideThePolicyIsUsedAfterTheReloadItTriggers(@TempDir Path root) throws Exception {
    // First the pair the upstream refuses, renewed below with the one it accepts.
    Path policies = renewablePolicy(root, stranger);
    try (StartedGateway started = StartedGateway.start(PolicyLoader.load(policies))) {
      Gateway gateway = started.gateway();
      Await.result(gateway.watchPolicy(200));
      GatewayMetrics metrics = gateway.services().audit().metrics();
      assertEquals(502, upgradeStatus(gateway.port()), "the old pair is refused by the upstream");

      // Renewed in place, each file replaced in one step (the key first: in between, the pair does not
      // match and a reload that sees that state fails, keeping the old pair).
      renew(gatewayClient.key(), policies.resolve("client.key"));
      renew(gatewayClient.cert(), policies.resolve("client.crt"));
      Await.until("a reload with the renewed pair", Duration.ofSeconds(15), () -> metrics.reloads(true) >= 1);
      assertEquals("gateway-client.test", subjectSeenUpstream(gateway.port()));
    }
  }

  @Test
  void aHalfRenewedPairFailsTheReloadAndTheRunningPairStaysInUse(@TempDir Path root) throws Exception {
    Path policies = renewablePolicy(root, gatewayClient);
    try (StartedGateway started = StartedGateway.start(PolicyLoader.load(policies))) {
      Gateway gateway = started.gateway();
      Await.result(gateway.watchPolicy(200));
      GatewayMetrics metrics = gateway.services().audit().metrics();
      assertEquals("gateway-client.test", subjectSeenUpstream(gateway.port()));

      renew(stranger.key(), policies.resolve("client.key")); // the certificate is not renewed yet
      Await.until("the mismatched pair fails the reload", Duration.ofSeconds(15), () -> metrics.reloads(false) >= 1);
      assertEquals(0, metrics.reloads(true));
      assertEquals("gateway-client.test", subjectSeenUpstream(gateway.port()), "the running pair is still used");

      renew(stranger.cert(), policies.resolve("client.crt"));
      Await.until("the completed renewal reloads", Duration.ofSeconds(15), () -> metrics.reloads(true) >= 1);
      assertEquals(502, upgradeStatus(gateway.port()), "the new pair is in use (and this upstream refuses it)");
    }
  }

  /** A policy directory with the upstream's CA and {@code client} as client.crt / client.key beside gateway.yaml. */
  private static Path renewablePolicy(Path root, Tls.Pair client) throws IOException {
    Path policies = Files.createDirectory(root.resolve("policies"));
    Files.copy(upstreamCert.cert(), policies.resolve("upstream-ca.crt"));
    Files.copy(client.cert(), policies.resolve("client.crt"));
    Files.copy(client.key(), policies.resolve("client.key"));
    Files.writeString(policies.resolve(PolicyLoader.FILE_NAME), """
        listen:
          host: 127.0.0.1
          port: 0
          tls: { cert: "%s", key: "%s" }
          clients: { allow: [0.0.0.0/0] }
        shutdown: { drainWindow: 0s, drainTimeout: 10s }
        audit: { dir: "%s", flushInterval: 50ms }
        routes:
          - path: /chat
            upstreams: ["wss://localhost:%d/"]
            upstreamTls: { ca: upstream-ca.crt, cert: client.crt, key: client.key }
            upstreamCooldown: 0s
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
        """.formatted(TestCerts.cert(), TestCerts.key(), root.resolve("audit"), port));
    return policies;
  }

  /** Opens a session through the gateway; returns the client certificate subject the upstream reports. */
  private static String subjectSeenUpstream(int gatewayPort) throws IOException {
    try (RawClient raw = new RawClient(gatewayPort, true)) {
      raw.send(RawClient.upgrade("/chat"));
      String head = raw.readHead();
      assertEquals(101, RawClient.status(head), head);
      return new JsonObject(raw.readFrame().text()).getString("subject");
    }
  }

  private static List<ILoggingEvent> snapshot(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) { // AppenderBase.doAppend holds this lock while it appends
      return new java.util.ArrayList<>(appender.list);
    }
  }

  private static int upgradeStatus(int gatewayPort) throws IOException {
    try (RawClient raw = new RawClient(gatewayPort, true)) {
      raw.send(RawClient.upgrade("/chat"));
      return RawClient.status(raw.readHead());
    }
  }

  private static void renew(Path from, Path to) throws IOException {
    Path scratch = to.resolveSibling(to.getFileName() + ".tmp"); // .tmp files do not trigger the watch
    Files.copy(from, scratch, StandardCopyOption.REPLACE_EXISTING);
    Files.move(scratch, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static GatewayHarness gateway(String upstreamUrl, UpstreamTls tls) {
    return new GatewayHarness(TestPolicy.create().route("/chat", upstreamUrl).upstreamTls(tls).build());
  }

  /**
   * 502 upstream_tls with its reason text, audited and counted once; nothing admitted, nothing held;
   * no log line or audit record carries the client key.
   */
  private static void assertRefusedForTls(String upstreamUrl, UpstreamTls tls) throws IOException {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try (AuditCapture audit = new AuditCapture(); GatewayHarness harness = gateway(upstreamUrl, tls)) {
      Throwable failure = Await.failure(harness.connect("/chat"));
      assertInstanceOf(UpgradeRejectedException.class, failure);
      assertEquals(502, ((UpgradeRejectedException) failure).getStatus());
      Buffer body = ((UpgradeRejectedException) failure).getBody();
      assertEquals(Reason.UPSTREAM_TLS.description() + "\n", body == null ? null : body.toString());
      GatewayMetrics metrics = harness.gateway.services().audit().metrics();
      Await.until("upstream_tls counted", () -> metrics.outcomes(Reason.UPSTREAM_TLS) == 1);
      assertEquals(0, metrics.outcomes(Reason.UPSTREAM_UNAVAILABLE), "told apart from an unreachable upstream");
      assertEquals(0, metrics.acceptedTotal());
      assertEquals(0, harness.gateway.services().globalConnections());
      List<JsonObject> rejected = audit.await("handshake.rejected", events -> !events.isEmpty());
      assertTrue(AuditCapture.has(rejected, "reason", "upstream_tls"), rejected.toString());
      assertFalse(rejected.toString().contains("PRIVATE KEY"), "no key material in the audit");
      String warning = snapshot(logged).stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.startsWith("No upstream for route")).findFirst().orElseThrow();
      assertTrue(warning.contains("(upstream_tls)") && warning.contains(": TLS: "), "the log says why: " + warning);
    } finally {
      root.detachAppender(logged);
    }
    if (tls.key() != null) {
      List<String> keyLines = Files.readAllLines(tls.key()).stream().filter(l -> !l.startsWith("-----")).toList();
      for (ILoggingEvent event : snapshot(logged)) {
        String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
            : event.getThrowableProxy().getMessage());
        assertFalse(keyLines.stream().anyMatch(text::contains) || text.contains("PRIVATE KEY"), "logged: " + text);
      }
    }
  }
}
