package io.wsgate.attack;

import java.nio.charset.StandardCharsets;

import io.wsgate.testing.TestCerts;

import javax.net.ssl.SSLSocket;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Cidr;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.RawClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the upgrade itself: cross-site WebSocket hijacking, spoofed forwarding headers, a
 * bogus version with a request smuggled behind it, slowloris, and exhausting the global cap.
 */
class HandshakeAttacksIT {
  private static final OriginRules ONLY_APP = new OriginRules(List.of("https://app.example.com"), false, false,
      Mode.ENFORCE);
  private static final OriginRules ANY_SUBDOMAIN = new OriginRules(List.of("https://*.example.com"), false, false,
      Mode.ENFORCE);
  /** The only allowed network is one the attacker is not in (it connects from 127.0.0.1). */
  private static final IpRules ONLY_DOCUMENTATION_NET = new IpRules(List.of(Cidr.parse("192.0.2.0/24")), List.of(),
      Mode.ENFORCE);

  private static AttackTarget originChecked() {
    return AttackTarget.echo(p -> p.security(new RouteSecurity(null, ONLY_APP, Auth.ANONYMOUS, MessageRules.NONE)));
  }

  private static AttackTarget addressChecked() {
    // A trusted proxy is configured, but the attacker is not it: its forwarding headers count for nothing.
    return AttackTarget.echo(p -> p.clients(ONLY_DOCUMENTATION_NET, List.of(Cidr.parse("10.0.0.0/8"))));
  }

  @Test
  @DisplayName("Cross-site WebSocket hijacking: foreign Origin")
  void foreignOrigin() {
    try (AttackTarget t = originChecked()) {
      t.refuses(Reason.ORIGIN_DENIED, () -> t.harness.connect(t.options().addHeader("Origin", "https://evil.example.net")));
    }
  }

  @Test
  @DisplayName("Cross-site WebSocket hijacking: Origin null (sandboxed frame)")
  void nullOrigin() {
    try (AttackTarget t = originChecked()) {
      t.refuses(Reason.ORIGIN_DENIED, () -> t.harness.connect(t.options().addHeader("Origin", "null")));
    }
  }

  @ParameterizedTest(name = "Cross-site WebSocket hijacking: Origin https://{0}.example.com under https://*.example.com")
  @ValueSource(strings = {"evil#", "evil?", "a b", "evil/", "", ".."})
  void wildcardOriginWithALabelNoBrowserSends(String label) throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p.security(
        new RouteSecurity(null, ANY_SUBDOMAIN, Auth.ANONYMOUS, MessageRules.NONE)))) {
      Counter counter = Counter.of(t.harness, Reason.ORIGIN_DENIED);
      try (RawClient raw = t.raw()) {
        String head = raw.send(withOrigin("https://" + label + ".example.com")).readHead();
        assertEquals(403, RawClient.status(head), head);
      }
      AttackAsserts.auditedOnce(t.audit, "handshake.rejected", Reason.ORIGIN_DENIED);
      counter.movedBy(1);
      assertEquals(0, t.upstream.handshakes.size(), "a refused attacker never reaches the upstream");
      try (RawClient raw = t.raw()) {
        String head = raw.send(withOrigin("https://chat.example.com")).readHead();
        assertEquals(101, RawClient.status(head), "control: a DNS label under the wildcard is admitted: " + head);
      }
    }
  }

  private static String withOrigin(String origin) {
    return RawClient.upgrade(AttackTarget.PATH).replace("\r\n\r\n", "\r\nOrigin: " + origin + "\r\n\r\n");
  }

  @Test
  @DisplayName("X-Forwarded-For spoofing from an untrusted peer")
  void xForwardedForSpoofing() {
    try (AttackTarget t = addressChecked()) {
      t.refuses(Reason.IP_DENIED, () -> t.harness.connect(t.options().addHeader("X-Forwarded-For", "192.0.2.7")));
      assertEquals("127.0.0.1", clientIpAudited(t), "judged and audited as the TCP peer, not the claim");
    }
  }

  @Test
  @DisplayName("Forwarded (RFC 7239) spoofing from an untrusted peer")
  void forwardedSpoofing() {
    try (AttackTarget t = addressChecked()) {
      t.refuses(Reason.IP_DENIED, () -> t.harness.connect(t.options().addHeader("Forwarded", "for=192.0.2.7;proto=https")));
      assertEquals("127.0.0.1", clientIpAudited(t), "judged and audited as the TCP peer, not the claim");
    }
  }

  private static String clientIpAudited(AttackTarget t) {
    return t.audit.events("handshake.rejected").get(0).getString("clientIp");
  }

  @Test
  @DisplayName("Bogus Sec-WebSocket-Version, then plain HTTP on the same connection")
  void bogusVersionThenHttp() throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p); RawClient raw = t.raw()) {
      Counter counter = Counter.of(t.harness, Reason.UNSUPPORTED_WS_VERSION);
      raw.send(RawClient.upgrade(AttackTarget.PATH).replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 7")
          + "GET /chat HTTP/1.1\r\nHost: localhost\r\n\r\n");
      String head = raw.readHead();
      assertEquals(400, RawClient.status(head));
      assertTrue(head.toLowerCase(Locale.ROOT).contains("sec-websocket-version: 13"), head);
      assertEquals(Reason.UNSUPPORTED_WS_VERSION.description() + "\n", raw.readUntilClosed(),
          "the request behind it is never answered; the connection is closed");
      AttackAsserts.auditedOnce(t.audit, "handshake.rejected", Reason.UNSUPPORTED_WS_VERSION);
      counter.movedBy(1);
      assertEquals(1, t.audit.events("handshake.rejected").size(), "the smuggled request is not even judged");
      assertEquals(0, t.upstream.handshakes.size());
    }
  }

  @Test
  @DisplayName("Slowloris on the upgrade (request head never finished)")
  void slowlorisOnTheUpgrade() throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p.handshakeTimeout(Duration.ofMillis(500)))) {
      Counter counter = Counter.of(t.harness, Reason.HANDSHAKE_TIMEOUT);
      long start = System.nanoTime(); // before the connect, where the deadline starts
      try (RawClient raw = t.raw()) {
        raw.send("GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"); // ...and never the rest
        String answer = raw.readUntilClosed();
        assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\n" + Reason.HANDSHAKE_TIMEOUT.description() + "\n"), answer);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertFalse(ms < 400 || ms > 5000, "closed at the 500 ms handshake timeout, not after " + ms + " ms");
      JsonObject record = AttackAsserts.auditedOnce(t.audit, "handshake.rejected", Reason.HANDSHAKE_TIMEOUT);
      assertEquals("127.0.0.1", record.getString("clientIp"));
      counter.movedBy(1);
      assertEquals(0, t.upstream.handshakes.size());
    }
  }

  @Test
  @DisplayName("Slowloris on the TLS handshake (ClientHello never finished)")
  void slowlorisOnTheTlsHandshake() throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p.handshakeTimeout(Duration.ofMillis(500)))) {
      Counter counter = Counter.of(t.harness, Reason.HANDSHAKE_TIMEOUT);
      long start = System.nanoTime(); // before the connect, where the TLS deadline starts
      try (Socket socket = new Socket("127.0.0.1", t.harness.port())) {
        socket.setSoTimeout(8000);
        socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // a TLS record header, then nothing
        assertEquals(-1, readUntilClosed(socket), "cut off without an answer");
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertFalse(ms < 400 || ms > 5000, "closed at the 500 ms handshake timeout, not Vert.x's 10 s: " + ms + " ms");
      AttackAsserts.auditedOnce(t.audit, "handshake.rejected", Reason.HANDSHAKE_TIMEOUT);
      counter.movedBy(1);
      assertEquals(0, t.upstream.handshakes.size());
    }
  }

  @Test
  @DisplayName("Slow TLS handshake, then a slow request head: one handshakeTimeout covers both")
  void oneDeadlineCoversTheTlsHandshakeAndTheRequestHead() throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p.handshakeTimeout(Duration.ofMillis(1500)))) {
      Counter counter = Counter.of(t.harness, Reason.HANDSHAKE_TIMEOUT);
      long start = System.nanoTime();
      try (Socket tcp = new Socket("127.0.0.1", t.harness.port())) {
        // Most of the deadline spent before the TLS handshake even starts...
        Thread.sleep(1000); // the attack is the waiting: nothing to wait for but time

        SSLSocket tls = (SSLSocket) TestCerts.sslContext().getSocketFactory().createSocket(tcp, "localhost",
            t.harness.port(), true);
        tls.setSoTimeout(8000);
        tls.startHandshake();
        tls.getOutputStream().write("GET /chat HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
        tls.getOutputStream().flush();
        String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        long ms = (System.nanoTime() - start) / 1_000_000;
        // ...so the head has only what is left of it: 408 at about 1.5 s after connect, not 1.5 s after TLS.
        assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        assertFalse(ms > 2300, "answered " + ms + " ms after connect: the head got a deadline of its own");
      }
      AttackAsserts.auditedOnce(t.audit, "handshake.rejected", Reason.HANDSHAKE_TIMEOUT);
      counter.movedBy(1);
    }
  }

  /** -1 once the peer closed (EOF or reset); fails at the socket timeout. */
  private static int readUntilClosed(Socket socket) throws IOException {
    try {
      while (socket.getInputStream().read() >= 0) {
        // a TLS alert at most
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("still open after " + socket.getSoTimeout() + " ms", e);
    } catch (IOException reset) {
      // the peer is gone
    }
    return -1;
  }

  @Test
  @DisplayName("Slowloris behind a kept-alive demo page (next request head trickled)")
  void slowlorisBehindTheDemoPage() throws Exception {
    // The handshake deadline covers a connection's first request head only: the page must not keep it open.
    try (AttackTarget t = AttackTarget.echo(p -> p.demoPage().handshakeTimeout(Duration.ofSeconds(10)));
         RawClient raw = t.raw()) {
      Counter timeouts = Counter.of(t.harness, Reason.HANDSHAKE_TIMEOUT);
      raw.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\nGET /chat HTTP/1.1\r\nHost: localhost\r\n");
      String head = raw.readHead();
      assertEquals(200, RawClient.status(head));
      assertTrue(head.toLowerCase(Locale.ROOT).contains("connection: close"), head);
      raw.timeout(3000); // far below the 10 s deadline: it is the page's answer that ends the connection
      assertFalse(raw.readUntilClosed().contains("HTTP/1."), "the trickled request is never answered");
      // Nothing was judged: no refusal recorded or counted, no upstream dialled.
      assertEquals(List.of(), t.audit.events("handshake.rejected"));
      timeouts.movedBy(0);
      assertEquals(0, t.upstream.handshakes.size());
    }
  }

  @Test
  @DisplayName("Connection exhaustion against the global cap (60 clients, maxConnections 50)")
  void connectionExhaustion() throws Exception {
    int cap = 50;
    int attackers = 60;
    try (AttackTarget t = AttackTarget.echo(p -> p.maxConnections(cap))) {
      Counter refusedCounter = Counter.of(t.harness, Reason.CONNECTION_CAP);
      Counter acceptedCounter = Counter.accepted(t.harness);
      List<RawClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < attackers; i++) {
          clients.add(t.raw());
        }
        for (RawClient raw : clients) { // all 60 upgrades in flight at once
          raw.send(RawClient.upgrade(AttackTarget.PATH));
        }
        List<RawClient> admitted = new ArrayList<>();
        int refused = 0;
        for (RawClient raw : clients) {
          int status = RawClient.status(raw.readHead());
          if (status == 101) {
            admitted.add(raw);
          } else {
            assertEquals(503, status);
            assertEquals(Reason.CONNECTION_CAP.description() + "\n", raw.readUntilClosed());
            refused++;
          }
        }
        assertEquals(cap, admitted.size(), "admitted");
        assertEquals(attackers - cap, refused, "refused");
        List<JsonObject> records = t.audit.await("handshake.rejected", list -> list.size() >= attackers - cap);
        assertEquals(attackers - cap, records.stream()
            .filter(r -> Reason.CONNECTION_CAP.tag().equals(r.getString("reason")) && r.getInteger("status") == 503)
            .count(), records.toString());
        t.audit.await("session.accepted", list -> list.size() == cap);
        refusedCounter.movedBy(attackers - cap);
        acceptedCounter.movedBy(cap);
        Await.until("every admitted session reached the upstream", () -> t.upstream.handshakes.size() == cap);
        assertEquals(cap, t.harness.gateway.services().globalConnections());

        // The cap is a ceiling, not a lock-out: one admitted client leaves, one new client gets in.
        admitted.get(0).close();
        Await.until("slot released", () -> t.harness.gateway.services().globalConnections() == cap - 1);
        RawClient late = t.raw();
        clients.add(late);
        late.send(RawClient.upgrade(AttackTarget.PATH));
        assertEquals(101, RawClient.status(late.readHead()));
        refusedCounter.movedBy(attackers - cap);
      } finally {
        for (RawClient raw : clients) {
          raw.close();
        }
      }
    }
  }
}
