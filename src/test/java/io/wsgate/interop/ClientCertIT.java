package io.wsgate.interop;

import io.vertx.core.MultiMap;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.ClientCert.IdentityFrom;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.policy.Tls;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.ClientCerts;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.NamedCerts;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.security.auth.x500.X500Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client mutual TLS per route, on one TLS listener with three routes: {@code /pair} needs a token and
 * a certificate from CA A, {@code /device} takes the certificate from CA A as its identity, and
 * {@code /open} needs neither. Real certificates, real TLS (both engines), real upstream, and curl.
 */
class ClientCertIT {
  @TempDir
  static Path certs;
  private static ClientCerts.Authority caA;
  private static ClientCerts.Authority caB;
  private static Tls.Pair alice;
  private static Tls.Pair device;
  private static Tls.Pair mallory;
  private static Tls.Pair expired;
  private static Tls.Pair serverOnly;
  private static TestIssuer idp;

  @BeforeAll
  static void certificates() throws Exception {
    caA = ClientCerts.authority(certs, "ca-a", "Example Client CA");
    caB = ClientCerts.authority(certs, "ca-b", "Elsewhere CA");
    alice = caA.issue("alice", "CN=alice-laptop,O=Example");
    device = caA.issue("device", "CN=device-42,O=Example", ClientCerts.uri("spiffe://example.org/device/42"),
        ClientCerts.dns("device-42.example.org"));
    mallory = caB.issue("mallory", "CN=alice-laptop,O=Elsewhere");
    expired = caA.issue("expired", "CN=old,O=Example", Instant.now().minus(Duration.ofDays(3)),
        Instant.now().minus(Duration.ofDays(1)), KeyPurposeId.id_kp_clientAuth);
    serverOnly = caA.issue("server-only", "CN=server,O=Example", Instant.now().minus(Duration.ofHours(1)),
        Instant.now().plus(Duration.ofDays(1)), KeyPurposeId.id_kp_serverAuth);
    idp = TestIssuer.rsaJwkFile("idp", certs);
  }

  private static GatewayHarness gateway(EchoUpstream upstream, Tls.Engine engine) {
    return new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
        .route("/pair", false, List.of("*"), upstream.url("/pair")).security(TestAuth.trusting("idp").route())
        .clientCert(caA.cert(), IdentityFrom.TOKEN)
        .route("/device", false, List.of("*"), upstream.url("/device")).clientCert(caA.cert(), IdentityFrom.CERTIFICATE)
        .route("/open", false, List.of("*"), upstream.url("/open"))
        .tlsEngine(engine)
        .build());
  }

  /** Vert.x closes a client nothing refers to any more, a connection under way included: kept for the test. */
  private final List<WebSocketClient> clients = new java.util.ArrayList<>();

  /** A client presenting {@code pair} (null: none), trusting the gateway's test certificate. */
  private WebSocketClient client(GatewayHarness harness, Tls.Pair pair) {
    WebSocketClientOptions options = new WebSocketClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(TestCerts.trust());
    if (pair != null) {
      options.setKeyCertOptions(ClientCerts.keyCert(pair));
    }
    WebSocketClient client = harness.clientVertx.createWebSocketClient(options);
    clients.add(client);
    return client;
  }

  private static UpgradeRejectedException refused(WebSocketClient client, WebSocketConnectOptions options) {
    Throwable failure = Await.failure(client.connect(options));
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
  }

  private static String dn(Tls.Pair pair) {
    return NamedCerts.read(pair.cert()).getSubjectX500Principal().getName(X500Principal.RFC2253);
  }

  private static JsonObject rejection(AuditCapture audit, String reason) {
    return audit.await("handshake.rejected", e -> AuditCapture.has(e, "reason", reason)).stream()
        .filter(e -> reason.equals(e.getString("reason"))).findFirst().orElseThrow();
  }

  private static long outcomes(GatewayHarness harness, Reason reason) {
    return harness.gateway.services().audit().metrics().outcomes(reason);
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void noCertificateIs401AuditedAndCounted(Tls.Engine engine) {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream, engine)) {
      UpgradeRejectedException refused = refused(client(harness, null), harness.options("/device"));
      assertEquals(401, refused.getStatus());
      assertNull(refused.getHeaders().get("www-authenticate"), "no Bearer challenge: a token would not help");
      JsonObject record = rejection(audit, "client_cert_missing");
      assertEquals("/device", record.getString("route"));
      assertNull(record.getValue("clientCert"), "no certificate, nothing to record");
      assertEquals(1, outcomes(harness, Reason.CLIENT_CERT_MISSING));

      // A token alone does not open the route that wants both.
      refused = refused(client(harness, null), harness.options("/pair")
          .addHeader("authorization", "Bearer " + idp.token("alice")));
      assertEquals(401, refused.getStatus());
      Await.until("counted", () -> outcomes(harness, Reason.CLIENT_CERT_MISSING) == 2);
      assertTrue(upstream.handshakes.isEmpty(), "a refused client never reaches the upstream");
    }
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void certificateFromAnotherCaIs403AuditedWithSubjectAndFingerprint(Tls.Engine engine) {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream, engine)) {
      UpgradeRejectedException refused = refused(client(harness, mallory), harness.options("/device"));
      assertEquals(403, refused.getStatus());
      JsonObject record = rejection(audit, "client_cert_untrusted");
      assertEquals(new JsonObject().put("subject", dn(mallory)).put("sha256", ClientCerts.fingerprint(mallory.cert())),
          record.getJsonObject("clientCert"));
      assertNull(record.getString("subject"), "an untrusted certificate is nobody");
      assertEquals(1, outcomes(harness, Reason.CLIENT_CERT_UNTRUSTED));
      assertTrue(upstream.handshakes.isEmpty());
    }
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void expiredOrNonClientCertificatesFromTheRightCaAre403(Tls.Engine engine) {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream, engine)) {
      assertEquals(403, refused(client(harness, expired), harness.options("/device")).getStatus());
      assertEquals(403, refused(client(harness, serverOnly), harness.options("/device")).getStatus());
      Await.until("both counted", () -> outcomes(harness, Reason.CLIENT_CERT_UNTRUSTED) == 2);
      List<JsonObject> records = audit.await("handshake.rejected", e -> e.size() == 2);
      assertTrue(AuditCapture.has(records.stream().map(r -> r.getJsonObject("clientCert")).toList(),
          "sha256", ClientCerts.fingerprint(expired.cert())), records.toString());
      assertTrue(AuditCapture.has(records.stream().map(r -> r.getJsonObject("clientCert")).toList(),
          "sha256", ClientCerts.fingerprint(serverOnly.cert())), records.toString());
      assertTrue(upstream.handshakes.isEmpty());
    }
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void certificateAndTokenTogetherReachTheUpstreamWhichSeesTheCertificate(Tls.Engine engine) throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream, engine)) {
      // The certificate without the token: the route's auth still applies.
      assertEquals(401, refused(client(harness, alice), harness.options("/pair")).getStatus());
      rejection(audit, "token_missing");

      WebSocket ws = Await.result(client(harness, alice).connect(harness.options("/pair")
          .addHeader("authorization", "Bearer " + idp.token("alice"))
          .addHeader("x-client-cert-subject", "CN=admin")
          .addHeader("x-client-cert-fingerprint", "00")));
      MultiMap seen = upstream.handshakes.poll(5, TimeUnit.SECONDS);
      assertNotNull(seen);
      assertEquals(List.of(dn(alice)), seen.getAll("x-client-cert-subject"), "the verified subject, never the client's");
      assertEquals(List.of(ClientCerts.fingerprint(alice.cert())), seen.getAll("x-client-cert-fingerprint"));
      assertEquals("alice", seen.get("x-wsgate-subject"), "the token's subject is the session's");
      JsonObject accepted = audit.await("session.accepted", e -> !e.isEmpty()).get(0);
      assertEquals("alice", accepted.getString("subject"));
      assertEquals(new JsonObject().put("subject", dn(alice)).put("sha256", ClientCerts.fingerprint(alice.cert())),
          accepted.getJsonObject("clientCert"));
      Await.result(ws.close());
    }
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void certificateStandsForATokenWithItsFirstUriSanAsSubject(Tls.Engine engine) throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream, engine)) {
      WebSocket ws = Await.result(client(harness, device).connect(harness.options("/device")));
      MultiMap seen = upstream.handshakes.poll(5, TimeUnit.SECONDS);
      assertNotNull(seen);
      assertEquals("spiffe://example.org/device/42", seen.get("x-wsgate-subject"));
      assertEquals(dn(device), seen.get("x-client-cert-subject"));
      JsonObject accepted = audit.await("session.accepted", e -> !e.isEmpty()).get(0);
      assertEquals("spiffe://example.org/device/42", accepted.getString("subject"));
      assertEquals(io.wsgate.policy.ClientCert.ISSUER, accepted.getString("issuer"));
      // The session joins the registry just after the client's 101, so the client can be first.
      Await.until("the session is registered", () -> harness.gateway.services().sessions().size() == 1);
      assertEquals(List.of("spiffe://example.org/device/42"), harness.gateway.services().sessions().snapshot().stream()
          .map(s -> s.audited().subject()).toList(), "the live session is the certificate's subject");
      Await.result(ws.close());
    }
  }

  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void routeWithoutClientCertNeedsNoneAndNeverForwardsTheHeaders(Tls.Engine engine) throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream, engine)) {
      WebSocket plain = Await.result(client(harness, null).connect(harness.options("/open")
          .addHeader("x-client-cert-subject", "CN=admin").addHeader("x-client-cert-fingerprint", "00")));
      MultiMap seen = upstream.handshakes.poll(5, TimeUnit.SECONDS);
      assertNotNull(seen);
      assertFalse(seen.contains("x-client-cert-subject"), "a client's own copy is dropped: " + seen);
      assertFalse(seen.contains("x-client-cert-fingerprint"), "a client's own copy is dropped: " + seen);
      // A certificate presented where no route asked for it is not vouched for either.
      WebSocket withCert = Await.result(client(harness, mallory).connect(harness.options("/open")));
      seen = upstream.handshakes.poll(5, TimeUnit.SECONDS);
      assertNotNull(seen);
      assertFalse(seen.contains("x-client-cert-subject"), "unverified on this route: " + seen);
      List<JsonObject> accepted = audit.await("session.accepted", e -> e.size() == 2);
      assertTrue(accepted.stream().allMatch(e -> e.getValue("clientCert") == null), "not read here: " + accepted);
      Await.result(plain.close());
      Await.result(withCert.close());
    }
  }

  @Test
  void curlWithTheCertificateIsAcceptedAndWithoutIsRefused() throws Exception {
    PeerProcess.requireSuccess(List.of("curl", "--version"), "curl is not installed: apt-get install curl");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, Tls.DEFAULT_ENGINE)) {
      assertEquals("HTTP/1.1 101 Switching Protocols", curl(harness.port(), device));
      MultiMap seen = upstream.handshakes.poll(5, TimeUnit.SECONDS);
      assertNotNull(seen);
      assertEquals(dn(device), seen.get("x-client-cert-subject"));
      assertEquals("HTTP/1.1 401 Unauthorized", curl(harness.port(), null));
      assertEquals("HTTP/1.1 403 Forbidden", curl(harness.port(), mallory));
    }
  }

  /** curl's upgrade to {@code /device} presenting {@code pair} (null: none); returns the status line. */
  private static String curl(int port, Tls.Pair pair) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "-i", "--http1.1", "--max-time", "3",
        "--cacert", TestCerts.cert().toString(),
        "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
        "-H", "Sec-WebSocket-Key: " + RawClient.KEY));
    if (pair != null) {
      command.addAll(List.of("--cert", pair.cert().toString(), "--key", pair.key().toString()));
    }
    command.add("https://localhost:" + port + "/device");
    // After a 101 curl waits for a body that never comes: --max-time ends it (exit 28).
    PeerProcess.Exit exit = PeerProcess.run(Duration.ofSeconds(20), certs, command);
    return exit.stdout().isEmpty() ? "no answer (exit " + exit.code() + "): " + exit.stderr()
        : exit.stdout().get(0).strip();
  }

  /** The CertificateRequest names the routes' CAs as acceptable issuers, so a client can pick the right certificate. */
  @ParameterizedTest
  @EnumSource(Tls.Engine.class)
  void theListenerNamesTheRouteCasAsAcceptableIssuers(Tls.Engine engine) throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, engine)) {
      List<List<java.security.Principal>> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
      WebSocketClient withRecorder = harness.clientVertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
          .setVerifyHost(true).setTrustOptions(TestCerts.trust()).setKeyCertOptions(ClientCerts.keyCert(device, asked)));
      clients.add(withRecorder);
      WebSocket ws = Await.result(withRecorder.connect(harness.options("/device")));
      assertEquals(List.of(List.of(caA.certificate().getSubjectX500Principal())), asked.stream()
          .map(issuers -> issuers.stream().map(p -> new X500Principal(p.getName())).toList()).toList());
      Await.result(ws.close());
    }
  }

  /** A certificate subject is a subject like a token's: listed in /sessions, revocable through the admin API. */
  @Test
  void aCertificateSubjectIsListedAndRevocableLikeATokens() throws Exception {
    Tls.Pair sensor = caA.issue("sensor", "CN=sensor,O=Example", ClientCerts.dns("sensor-9.example.org"));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/device", false, List.of("*"), upstream.url("/device")).clientCert(caA.cert(), IdentityFrom.CERTIFICATE)
             .admin(new io.wsgate.policy.AdminSettings(true, "127.0.0.1", 0, null, null)).build())) {
      WebSocket ws = Await.result(client(harness, sensor).connect(harness.options("/device")));
      io.wsgate.testing.AdminClient admin = new io.wsgate.testing.AdminClient(harness.gateway.adminPort());
      Await.until("the session is listed", () -> admin.get("/sessions").json().getJsonArray("sessions").size() == 1);
      JsonObject listed = admin.get("/sessions").json().getJsonArray("sessions").getJsonObject(0);
      assertEquals("sensor-9.example.org", listed.getString("subject"));
      assertEquals(io.wsgate.policy.ClientCert.ISSUER, listed.getString("issuer"));

      io.wsgate.testing.AdminClient.Response revoked = admin.send(io.vertx.core.http.HttpMethod.POST,
          "/subjects/sensor-9.example.org/revoke?issuer=" + io.wsgate.policy.ClientCert.ISSUER, null);
      assertEquals(200, revoked.status(), revoked.body());
      Await.until("the session is closed", ws::isClosed);
      assertEquals((short) 1008, ws.closeStatusCode());
      assertEquals(401, refused(client(harness, sensor), harness.options("/device")).getStatus());
      Await.until("refused as revoked", () -> outcomes(harness, Reason.TOKEN_REVOKED) == 1);
    }
  }

  /**
   * The listener asks for certificates only while a route needs one: a policy reload that adds the
   * first {@code clientCert} route makes the running listener ask, before that route is in force.
   */
  @Test
  void reloadAddingTheFirstClientCertRouteMakesTheListenerAsk(@TempDir Path root) throws Exception {
    Path policyDir = Files.createDirectory(root.resolve("policies"));
    try (EchoUpstream upstream = new EchoUpstream()) {
      String openRoute = """
            - path: /open
              upstreams: ["%s"]
              origins: { allow: ["*"], allowMissing: true }
              auth: { anonymous: true }
          """.formatted(upstream.url("/open"));
      String deviceRoute = """
            - path: /device
              upstreams: ["%s"]
              origins: { allow: ["*"], allowMissing: true }
              clientCert: { ca: "%s", identity: certificate }
          """.formatted(upstream.url("/device"), caA.cert());
      String head = """
          listen:
            host: 127.0.0.1
            port: 0
            tls: { cert: "%s", key: "%s" }
            clients: { allow: [0.0.0.0/0] }
          shutdown: { drainWindow: 0s, drainTimeout: 10s }
          audit: { dir: "%s", flushInterval: 50ms }
          routes:
          """.formatted(TestCerts.cert(), TestCerts.key(), root.resolve("audit"));
      writePolicy(policyDir, head + openRoute);
      try (GatewayHarness harness = new GatewayHarness(PolicyLoader.load(policyDir))) {
        Await.result(harness.gateway.watchPolicy(100));
        WebSocket before = Await.result(client(harness, device).connect(harness.options("/open")));
        assertNull(before.sslSession().getLocalCertificates(), "no clientCert route: no certificate asked for");
        assertEquals(404, refused(client(harness, device), harness.options("/device")).getStatus());

        writePolicy(policyDir, head + openRoute + deviceRoute);
        Await.until("the reload is in force", Duration.ofSeconds(10),
            () -> harness.gateway.services().current().policy().routes().size() == 2);
        WebSocket after = Await.result(client(harness, device).connect(harness.options("/device")));
        assertNotNull(after.sslSession().getLocalCertificates(), "the listener now asks");
        assertEquals(401, refused(client(harness, null), harness.options("/device")).getStatus());
        assertFalse(before.isClosed(), "the session from before lives on");
        Await.result(before.close());
        Await.result(after.close());
      }
    }
  }

  /**
   * With several listeners, each asks for certificates only for the routes reachable through it: a
   * {@code clientCert} route kept to {@code partners} leaves the {@code public} listener's clients unasked.
   */
  @Test
  void onlyTheListenerThatServesAClientCertRouteAsks(@TempDir Path root) throws Exception {
    Path policyDir = Files.createDirectory(root.resolve("policies"));
    try (EchoUpstream upstream = new EchoUpstream()) {
      writePolicy(policyDir, """
          listeners:
            - { name: public, host: 127.0.0.1, port: 0, tls: { cert: "%1$s", key: "%2$s" }, clients: { allow: [0.0.0.0/0] } }
            - { name: partners, host: 127.0.0.1, port: 0, tls: { cert: "%1$s", key: "%2$s" }, clients: { allow: [0.0.0.0/0] } }
          shutdown: { drainWindow: 0s, drainTimeout: 10s }
          routes:
            - path: /open
              upstreams: ["%3$s"]
              origins: { allow: ["*"], allowMissing: true }
              auth: { anonymous: true }
            - path: /device
              listeners: [partners]
              upstreams: ["%4$s"]
              origins: { allow: ["*"], allowMissing: true }
              clientCert: { ca: "%5$s", identity: certificate }
          """.formatted(TestCerts.cert(), TestCerts.key(), upstream.url("/open"), upstream.url("/device"), caA.cert()));
      try (GatewayHarness harness = new GatewayHarness(PolicyLoader.load(policyDir))) {
        assertFalse(harness.port("public") == harness.port("partners"), "two listeners on port 0: two sockets");
        WebSocket open = Await.result(client(harness, device).connect(harness.options("public", "/open")));
        assertNull(open.sslSession().getLocalCertificates(), "public serves no clientCert route: not asked");
        assertEquals(404, refused(client(harness, device), harness.options("public", "/device")).getStatus());

        WebSocket partner = Await.result(client(harness, device).connect(harness.options("partners", "/device")));
        assertNotNull(partner.sslSession().getLocalCertificates(), "partners asks, and the device's certificate is let in");
        assertEquals(401, refused(client(harness, null), harness.options("partners", "/device")).getStatus());
        Await.result(open.close());
        Await.result(partner.close());
      }
    }
  }

  /** In one step, so the watcher never reads a half-written file. */
  private static void writePolicy(Path dir, String yaml) throws Exception {
    io.wsgate.testing.PolicyDirectory.replace(dir, yaml);
  }
}
