package io.wsgate;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.Cidr;
import io.wsgate.policy.ClientAddresses;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.Mode;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.GatewayProcess;
import io.wsgate.testing.NamedCerts;
import io.wsgate.testing.StartedGateway;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import io.wsgate.metrics.ReloadOutcome;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.policy.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway with a {@code public} TLS listener on 127.0.0.1 and an {@code internal} plain one on
 * 127.0.0.2 (Linux routes all of 127/8 to loopback): routes restricted to one listener, each
 * listener's own address rules and trusted proxies, observed with clients bound to chosen local addresses.
 */
class ListenersIT {
  private static IpRules allow(String... cidrs) {
    return new IpRules(List.of(cidrs).stream().map(Cidr::parse).toList(), List.of(), Mode.ENFORCE);
  }

  private static int status(Throwable failure) {
    assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
    return ((UpgradeRejectedException) failure).getStatus();
  }

  /** A client whose connections come from {@code localAddress}, trusting the test certificate. */
  private static WebSocketClient clientFrom(GatewayHarness harness, String localAddress) {
    return harness.clientVertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(localAddress)
        .setTrustOptions(TestCerts.trust()).setVerifyHost(true));
  }

  private static String echo(WebSocket socket, String text) {
    Promise<String> reply = Promise.promise();
    socket.textMessageHandler(reply::tryComplete);
    socket.writeTextMessage(text);
    return Await.result(reply.future());
  }

  private static TestPolicy publicAndInternal(EchoUpstream upstream) {
    return TestPolicy.create().listenerName("public")
        .listener("internal", "127.0.0.2", null, new ClientAddresses(allow("127.0.0.0/8"), List.of()))
        .route("/chat", upstream.url("/"))
        .route("/ops", upstream.url("/")).onListeners("internal");
  }

  @Test
  void aRouteRestrictedToInternalIsNotFoundOnPublicAndWorksOnInternal() throws Exception {
    try (AuditCapture audit = new AuditCapture();
         EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(publicAndInternal(upstream).admin(AdminSettings.loopback(0))
             .build())) {
      assertNotEquals(harness.port("public"), harness.port("internal"));
      assertEquals(harness.port("public"), harness.port(), "port() is the first listener's");
      assertTrue(harness.gateway.listening(), "every listener bound before start completed");

      assertEquals(404, status(Await.failure(harness.connect(harness.options("public", "/ops")))));
      List<JsonObject> rejected = audit.await("handshake.rejected", e -> !e.isEmpty());
      assertTrue(AuditCapture.has(rejected, "reason", "route_not_found", "listener", "public", "path", "/ops"),
          rejected::toString);

      WebSocket ops = Await.result(harness.connect(harness.options("internal", "/ops")));
      assertEquals("on internal", echo(ops, "on internal"));
      assertEquals("on public", echo(Await.result(harness.connect(harness.options("public", "/chat"))), "on public"));
      assertEquals("chat on internal",
          echo(Await.result(harness.connect(harness.options("internal", "/chat"))), "chat on internal"));
      List<JsonObject> accepted = audit.await("session.accepted", e -> e.size() == 3);
      assertTrue(AuditCapture.has(accepted, "route", "/ops", "listener", "internal"), accepted::toString);
      assertTrue(AuditCapture.has(accepted, "route", "/chat", "listener", "public"), accepted::toString);
      assertTrue(AuditCapture.has(accepted, "route", "/chat", "listener", "internal"), accepted::toString);

      JsonArray sessions = new AdminClient(harness.gateway.adminPort()).get("/sessions").json()
          .getJsonArray("sessions");
      assertEquals(3, sessions.size(), sessions::encode);
      assertEquals(List.of("internal", "internal", "public"), sessions.stream()
          .map(s -> ((JsonObject) s).getString("listener")).sorted().toList());

      ops.close();
      List<JsonObject> closed = audit.await("session.closed", e -> !e.isEmpty());
      assertTrue(AuditCapture.has(closed, "route", "/ops", "listener", "internal"), closed::toString);
    }
  }

  @Test
  void aGracefulStopClosesEveryListener() throws Exception {
    int publicPort;
    int internalPort;
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(publicAndInternal(upstream).build())) {
      publicPort = harness.port("public");
      internalPort = harness.port("internal");
      new Socket("127.0.0.2", internalPort).close(); // bound now
    }
    assertThrows(ConnectException.class, () -> connect("127.0.0.1", publicPort));
    assertThrows(ConnectException.class, () -> connect("127.0.0.2", internalPort));
  }

  private static void connect(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
    }
  }

  /**
   * public admits 127.0.0.1 only and trusts no proxy; internal admits 127.0.0.3 and 192.0.2.0/24 and
   * believes X-Forwarded-For from 127.0.0.4 (its load balancer).
   */
  @Test
  void eachListenerAppliesItsOwnClientsRulesAndTrustedProxies() throws Exception {
    try (AuditCapture audit = new AuditCapture();
         EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().listenerName("public")
             .clients(allow("127.0.0.1/32"), List.of())
             .listener("internal", "127.0.0.2", null,
                 new ClientAddresses(allow("127.0.0.3/32", "192.0.2.0/24"), List.of(Cidr.parse("127.0.0.4"))))
             .route("/chat", upstream.url("/")).build())) {
      WebSocketClient from1 = clientFrom(harness, "127.0.0.1");
      WebSocketClient from3 = clientFrom(harness, "127.0.0.3");
      WebSocketClient from4 = clientFrom(harness, "127.0.0.4");
      WebSocketConnectOptions onPublic = harness.options("public", "/chat");
      WebSocketConnectOptions onInternal = harness.options("internal", "/chat");

      Await.result(from1.connect(onPublic));
      assertEquals(403, status(Await.failure(from1.connect(onInternal))), "127.0.0.1 is not internal's");
      Await.result(from3.connect(onInternal));
      assertEquals(403, status(Await.failure(from3.connect(onPublic))), "127.0.0.3 is not public's");

      // internal's load balancer forwards a client of 192.0.2.0/24: believed, admitted, passed on.
      upstream.handshakes.clear();
      Await.result(from4.connect(new WebSocketConnectOptions(onInternal).addHeader("X-Forwarded-For", "192.0.2.7")));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals("192.0.2.7", seen.get("x-forwarded-for"));
      List<JsonObject> accepted = audit.await("session.accepted", e -> e.size() == 3);
      assertTrue(AuditCapture.has(accepted, "clientIp", "192.0.2.7", "listener", "internal"), accepted::toString);

      // public trusts no proxy: the same claim from 127.0.0.4 is the client 127.0.0.4, which public refuses,
      // and a claim to be public's own 127.0.0.1 does not help either.
      assertEquals(403, status(Await.failure(from4.connect(new WebSocketConnectOptions(onPublic)
          .addHeader("X-Forwarded-For", "127.0.0.1")))));
      List<JsonObject> rejected = audit.await("handshake.rejected", e -> e.size() == 3);
      assertTrue(AuditCapture.has(rejected, "clientIp", "127.0.0.4", "listener", "public", "reason", "ip_denied"),
          rejected::toString);
      assertTrue(AuditCapture.has(rejected, "clientIp", "127.0.0.1", "listener", "internal", "reason", "ip_denied"),
          rejected::toString);
      assertTrue(AuditCapture.has(rejected, "clientIp", "127.0.0.3", "listener", "public", "reason", "ip_denied"),
          rejected::toString);
    }
  }

  @TempDir
  Path policyDir;
  @TempDir
  Path auditDir;
  @TempDir
  Path logDir;

  private String twoListeners(int upstreamPort, String internalPort, String internalAllow) {
    return twoListeners(upstreamPort, internalPort, internalAllow, "");
  }

  private String twoListeners(int upstreamPort, String internalPort, String internalAllow, String extra) {
    return extra + "listeners:\n"
        + "  - name: public\n"
        + "    host: 127.0.0.1\n"
        + "    port: 0\n"
        + "    tls: { cert: " + TestCerts.cert().toAbsolutePath() + ", key: " + TestCerts.key().toAbsolutePath() + " }\n"
        + "    clients: { allow: [127.0.0.1/32] }\n"
        + "  - name: internal\n"
        + "    host: 127.0.0.2\n"
        + "    port: " + internalPort + "\n"
        + "    plain: true\n"
        + "    clients: { allow: [" + internalAllow + "] }\n"
        + "routes:\n"
        + "  - path: /chat\n"
        + "    upstreams: [\"ws://127.0.0.1:" + upstreamPort + "/\"]\n"
        + "    origins: { allow: ['*'], allowMissing: true, allowNull: true }\n"
        + "    auth: { anonymous: true }\n"
        + "audit: { dir: \"" + auditDir + "\", flushInterval: 50ms }\n";
  }

  @Test
  void aReloadMayChangeAListenersClientsButNotItsPort() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream()) {
      Files.writeString(policyDir.resolve(PolicyLoader.FILE_NAME), twoListeners(upstream.port(), "0", "127.0.0.0/8"));
      try (GatewayHarness harness = new GatewayHarness(PolicyLoader.load(policyDir))) {
        Await.result(harness.gateway.watchPolicy(3_600_000));
        WebSocketClient from1 = clientFrom(harness, "127.0.0.1");
        WebSocketClient from3 = clientFrom(harness, "127.0.0.3");
        WebSocketConnectOptions onInternal = harness.options("internal", "/chat");
        Await.result(from1.connect(onInternal));

        Files.writeString(policyDir.resolve(PolicyLoader.FILE_NAME),
            twoListeners(upstream.port(), "1", "127.0.0.0/8"));
        var refused = Await.result(harness.gateway.reload("test"));
        assertEquals(ReloadOutcome.REFUSED, refused.outcome());
        assertEquals(List.of("listeners[1].port"), refused.startupFields());

        Files.writeString(policyDir.resolve(PolicyLoader.FILE_NAME),
            twoListeners(upstream.port(), "0", "127.0.0.3/32"));
        assertEquals(ReloadOutcome.OK, Await.result(harness.gateway.reload("test")).outcome());
        assertEquals(403, status(Await.failure(from1.connect(onInternal))), "internal's new rules");
        Await.result(from3.connect(onInternal));
        Await.result(from1.connect(harness.options("public", "/chat"))); // public's rules did not change
      }
    }
  }

  /** {@code run --listen PORT} moves the first listener only; each listener's port is in the log by name. */
  @Test
  void runListenMovesTheFirstListener() throws Exception {
    int free;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      free = probe.getLocalPort();
    }
    try (EchoUpstream upstream = new EchoUpstream()) {
      Files.writeString(policyDir.resolve(PolicyLoader.FILE_NAME), twoListeners(upstream.port(), "0", "127.0.0.0/8"));
      GatewayProcess gateway = GatewayProcess.start(policyDir, logDir.resolve("gateway.log"), Map.of(),
          List.of("--listen", Integer.toString(free)));
      try {
        assertEquals(free, gateway.port(), "the first listener announces itself first");
        assertEquals(free, gateway.port("public"));
        int internal = gateway.port("internal");
        assertNotEquals(free, internal);
        connect("127.0.0.1", free);
        connect("127.0.0.2", internal);
      } finally {
        gateway.process().destroy();
        assertTrue(gateway.process().waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
      }
    }
  }

  /** A re-checking reload judges each live session by the rules of the listener it came through. */
  @Test
  void aRecheckingReloadClosesOnlyTheSessionsTheirOwnListenerNowRefuses() throws Exception {
    String recheck = "reload: { recheckSessions: true }\n";
    try (EchoUpstream upstream = new EchoUpstream()) {
      Files.writeString(policyDir.resolve(PolicyLoader.FILE_NAME),
          twoListeners(upstream.port(), "0", "127.0.0.0/8", recheck));
      try (GatewayHarness harness = new GatewayHarness(PolicyLoader.load(policyDir))) {
        Await.result(harness.gateway.watchPolicy(3_600_000));
        WebSocketClient from1 = clientFrom(harness, "127.0.0.1");
        WebSocket onInternal = Await.result(from1.connect(harness.options("internal", "/chat")));
        WebSocket onPublic = Await.result(from1.connect(harness.options("public", "/chat")));
        Promise<Short> internalClosed = Promise.promise();
        onInternal.closeHandler(v -> internalClosed.tryComplete(onInternal.closeStatusCode()));

        // public still admits 127.0.0.1; internal no longer does.
        Files.writeString(policyDir.resolve(PolicyLoader.FILE_NAME),
            twoListeners(upstream.port(), "0", "127.0.0.3/32", recheck));
        assertEquals(ReloadOutcome.OK, Await.result(harness.gateway.reload("test")).outcome());
        assertEquals((short) 1008, Await.result(internalClosed.future()));
        assertEquals("still open", echo(onPublic, "still open"));
      }
    }
  }

  /** Each TLS listener serves its own certificate, and a renewed file changes only its own listener's. */
  @Test
  void eachTlsListenerServesAndReloadsItsOwnCertificate() throws Exception {
    Tls.Pair partner = NamedCerts.create(logDir, "partner", "partner.test");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().listenerName("public")
             .listener("partner", "127.0.0.2", new Tls(partner.cert(), partner.key(), false),
                 new ClientAddresses(allow("127.0.0.0/8"), List.of()))
             .route("/chat", upstream.url("/")).build())) {
      String publicName = servedSubject("127.0.0.1", harness.port("public"));
      assertEquals("CN=partner.test", servedSubject("127.0.0.2", harness.port("partner")));
      assertNotEquals("CN=partner.test", publicName);

      NamedCerts.create(logDir, "partner", "renewed.test");
      Await.until("the partner listener serves the renewed certificate",
          () -> "CN=renewed.test".equals(servedSubjectOrNull("127.0.0.2", harness.port("partner"))));
      assertEquals(publicName, servedSubject("127.0.0.1", harness.port("public")), "public keeps its own");
    }
  }

  private static String servedSubjectOrNull(String host, int port) {
    try {
      return servedSubject(host, port);
    } catch (Exception e) {
      return null;
    }
  }

  /** The subject of the certificate the listener presents (read without trusting it: only looked at). */
  private static String servedSubject(String host, int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
      socket.setSoTimeout(5000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
  }

  /** A listener whose port is taken fails the start, naming the listener and the address. */
  @Test
  void aListenerThatCannotBindFailsTheStartAndSaysWhich() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"))) {
      Throwable failure = StartedGateway.startFailure(TestPolicy.create().listenerName("public")
          .listener("internal", "127.0.0.2", taken.getLocalPort(), null,
              new ClientAddresses(allow("127.0.0.0/8"), List.of()))
          .route("/chat", upstream.url("/")).build());
      assertTrue(String.valueOf(failure.getMessage()).startsWith("listeners[1] (internal): cannot listen on 127.0.0.2:"
          + taken.getLocalPort() + ": "), failure::toString);
    }
  }

  /** limits.maxConnections counts the sessions of every listener together. */
  @Test
  void theGlobalConnectionCapSpansTheListeners() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(publicAndInternal(upstream).maxConnections(1).build())) {
      WebSocket first = Await.result(harness.connect(harness.options("public", "/chat")));
      assertEquals(503, status(Await.failure(harness.connect(harness.options("internal", "/chat")))));
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.CONNECTION_CAP));
      first.close();
      Await.until("the slot is free again", () -> harness.gateway.services().globalConnections() == 0);
      Await.result(harness.connect(harness.options("internal", "/chat")));
    }
  }
}
