package io.wsgate.interop;

import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.metrics.ReloadOutcome;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.policy.Tls;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.ClientCerts;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.NamedCerts;
import io.wsgate.testing.PolicyDirectory;
import io.wsgate.testing.TestCerts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code clientCert.crl} on the wire, through the policy loader as {@code run} reads it: a listed
 * certificate is refused 403 {@code client_cert_revoked}, a stale CRL fails closed with 403
 * {@code client_cert_revocation_unknown}, and a re-checking reload that brings a CRL listing a live
 * session's certificate closes that session (1008) and no other.
 */
class ClientCertRevocationIT {
  @TempDir
  Path dir;
  private ClientCerts.Authority ca;
  private Tls.Pair kept;
  private Tls.Pair lost;
  private final List<WebSocketClient> clients = new ArrayList<>();

  @BeforeEach
  void certificates() {
    ca = ClientCerts.authority(dir, "ca", "Example Device CA");
    kept = ca.issue("kept", "CN=kept", ClientCerts.uri("spiffe://example.org/kept"));
    lost = ca.issue("lost", "CN=lost", ClientCerts.uri("spiffe://example.org/lost"));
  }

  private String policy(int upstreamPort, Path crl, Path staleCrl) {
    return "listen:\n"
        + "  host: 127.0.0.1\n"
        + "  port: 0\n"
        + "  tls: { cert: " + TestCerts.cert().toAbsolutePath() + ", key: " + TestCerts.key().toAbsolutePath() + " }\n"
        + "  clients: { allow: [127.0.0.0/8] }\n"
        + "reload: { recheckSessions: true }\n"
        + "routes:\n"
        + route("/device", upstreamPort, crl)
        + route("/stale", upstreamPort, staleCrl)
        + "audit: { dir: \"" + dir.resolve("audit") + "\", flushInterval: 50ms, console: true }\n";
  }

  private String route(String path, int upstreamPort, Path crl) {
    return "  - path: " + path + "\n"
        + "    upstreams: [\"ws://127.0.0.1:" + upstreamPort + "/\"]\n"
        + "    origins: { allow: ['*'], allowMissing: true }\n"
        + "    clientCert: { ca: " + ca.cert() + ", identity: certificate, crl: " + crl + " }\n";
  }

  private Path staleCrl() {
    Instant now = Instant.now();
    return ca.crl("stale", now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)));
  }

  private WebSocketClient client(GatewayHarness harness, Tls.Pair pair) {
    WebSocketClient client = harness.clientVertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setVerifyHost(true).setTrustOptions(TestCerts.trust()).setKeyCertOptions(ClientCerts.keyCert(pair)));
    clients.add(client);
    return client;
  }

  private static int refusedStatus(WebSocketClient client, GatewayHarness harness, String path) {
    Throwable failure = Await.failure(client.connect(harness.options(path)));
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus();
  }

  private static long outcomes(GatewayHarness harness, Reason reason) {
    return harness.gateway.services().audit().metrics().outcomes(reason);
  }

  private static String echo(WebSocket ws, String text) {
    Promise<String> reply = Promise.promise();
    ws.textMessageHandler(reply::tryComplete);
    ws.writeTextMessage(text);
    return Await.result(reply.future());
  }

  @Test
  void aListedCertificateIs403RevokedAndAStaleCrlFailsClosed() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture()) {
      PolicyDirectory.replace(dir, policy(upstream.port(), ca.crl("current", NamedCerts.read(lost.cert())),
          staleCrl()));
      try (GatewayHarness harness = new GatewayHarness(PolicyLoader.load(dir))) {
        WebSocket ws = Await.result(client(harness, kept).connect(harness.options("/device")));
        assertEquals("still trusted", echo(ws, "still trusted"));

        assertEquals(403, refusedStatus(client(harness, lost), harness, "/device"));
        JsonObject revoked = audit.await("handshake.rejected",
            e -> AuditCapture.has(e, "reason", "client_cert_revoked")).get(0);
        assertEquals(ClientCerts.fingerprint(lost.cert()), revoked.getJsonObject("clientCert").getString("sha256"));
        assertNull(revoked.getString("subject"), "a revoked certificate is nobody");
        assertEquals(1, outcomes(harness, Reason.CLIENT_CERT_REVOKED));

        assertEquals(403, refusedStatus(client(harness, kept), harness, "/stale"));
        audit.await("handshake.rejected", e -> AuditCapture.has(e, "reason", "client_cert_revocation_unknown"));
        assertEquals(1, outcomes(harness, Reason.CLIENT_CERT_REVOCATION_UNKNOWN));
        assertEquals(1, upstream.handshakes.size(), "only the trusted client reached the upstream");
      }
    }
  }

  @Test
  void aRecheckingReloadWithANewCrlClosesOnlyTheSessionWhoseCertificateItLists() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture()) {
      Path crl = ca.crl("device");
      PolicyDirectory.replace(dir, policy(upstream.port(), crl, staleCrl()));
      try (GatewayHarness harness = new GatewayHarness(PolicyLoader.load(dir))) {
        Await.result(harness.gateway.watchPolicy(3_600_000)); // reloads by hand only
        WebSocket keptSession = Await.result(client(harness, kept).connect(harness.options("/device")));
        WebSocket lostSession = Await.result(client(harness, lost).connect(harness.options("/device")));
        Promise<Short> lostClosed = Promise.promise();
        lostSession.closeHandler(v -> lostClosed.tryComplete(lostSession.closeStatusCode()));

        Files.move(ca.crl("device-next", NamedCerts.read(lost.cert())), crl,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(ReloadOutcome.OK, Await.result(harness.gateway.reload("test")).outcome());
        assertEquals((short) 1008, Await.result(lostClosed.future()));
        assertEquals("untouched", echo(keptSession, "untouched"));
        JsonObject closed = audit.await("session.closed", e -> !e.isEmpty()).get(0);
        assertEquals("spiffe://example.org/lost", closed.getString("subject"));

        assertEquals(403, refusedStatus(client(harness, lost), harness, "/device"), "and it cannot come back");
        Await.until("counted", () -> outcomes(harness, Reason.CLIENT_CERT_REVOKED) == 1);
        assertEquals(2, upstream.handshakes.size(), "the two sessions before the reload, no more");
      }
    }
  }
}
