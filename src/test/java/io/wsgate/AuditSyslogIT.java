package io.wsgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditLog;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.CheckpointSettings;
import io.wsgate.policy.SyslogSettings;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.Rsyslog;
import io.wsgate.testing.SyslogReceiver;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RFC 5424 syslog copy of the audit trail against a real receiver on loopback that parses
 * every octet-counted frame strictly: the records arrive in order, as the exact file lines; a
 * receiver outage neither holds up handshakes nor costs the files a record, and the copy resumes.
 */
class AuditSyslogIT {
  @TempDir
  Path tmp;

  private static AuditSettings audit(Path dir, SyslogSettings syslog) {
    return new AuditSettings(dir, AuditSettings.DEFAULT_ROTATE_BYTES, 1024, Duration.ofMillis(50),
        AuditSettings.OnFailure.FAIL_CLOSED, null, null, false, "gw-it", CheckpointSettings.DEFAULT).withSyslog(syslog);
  }

  private static List<String> fileLines(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path file : AuditFileName.collect(List.of(dir))) {
      out.addAll(Files.readAllLines(file));
    }
    return out;
  }

  private static List<String> fileLinesQuietly(Path dir) {
    try {
      return fileLines(dir);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static int status(Throwable refused) {
    return ((UpgradeRejectedException) refused).getStatus();
  }

  @Test
  void recordsArriveInOrderAsTheFileLinesAndAnOutageCostsOnlyTheCopy() throws Exception {
    Path dir = tmp.resolve("audit");
    try (SyslogReceiver receiver = new SyslogReceiver(false); EchoUpstream upstream = new EchoUpstream()) {
      int port = receiver.listen(0);
      SyslogSettings syslog = new SyslogSettings("127.0.0.1", port, SyslogSettings.Transport.TCP, null, "wsgate", 13,
          8);
      try (GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
          .admin(new AdminSettings(true, "127.0.0.1", 0, null, null)).audit(audit(dir, syslog)).build())) {
        AuditLog log = harness.gateway.services().audit();
        AdminClient admin = new AdminClient(harness.gateway.adminPort());
        WebSocket ws = Await.result(harness.connect("/chat"));
        assertEquals(404, status(Await.failure(harness.connect("/nowhere"))));
        Await.result(ws.close());
        Await.until("session.closed in the files",
            () -> fileLinesQuietly(dir).stream().anyMatch(l -> l.contains("\"event\":\"session.closed\"")));
        Await.until("every line copied", () -> receiver.messages.size() == fileLinesQuietly(dir).size());

        List<String> lines = fileLines(dir);
        assertEquals(List.of(), receiver.problems);
        for (int i = 0; i < lines.size(); i++) {
          SyslogReceiver.Message m = receiver.messages.get(i);
          JsonObject record = new JsonObject(lines.get(i));
          assertEquals(lines.get(i), m.msg(), "MSG is the exact line, in order");
          assertEquals(i + 1, new JsonObject(m.msg()).getLong("seq"));
          assertEquals(record.getString("ts"), m.timestamp());
          assertEquals("gw-it", m.hostname());
          assertEquals("wsgate", m.appName());
          assertEquals(record.getString("event"), m.msgId());
          assertEquals("-", m.structuredData());
          assertEquals(13, m.facility());
          assertEquals(record.getString("event").equals("handshake.rejected") ? 5 : 6, m.severity());
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"event\":\"session.accepted\"")));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"event\":\"handshake.rejected\"")));
        assertTrue(log.metrics().syslogConnected());
        assertEquals("UP", new JsonObject(admin.get("/ready").body()).getString("auditSyslog"));

        // The receiver goes away: handshakes are answered as before, the files keep everything,
        // and the copies beyond the queue (8) are dropped and counted.
        receiver.stop();
        Await.until("the sink sees the outage", () -> !log.metrics().syslogConnected());
        AdminClient.Response ready = admin.get("/ready");
        assertEquals(200, ready.status(), "shown, not a readiness check: the files keep every record");
        assertEquals("DOWN", new JsonObject(ready.body()).getString("auditSyslog"));
        int copied = receiver.messages.size();
        long started = System.nanoTime();
        for (int i = 0; i < 30; i++) {
          assertEquals(404, status(Await.failure(harness.connect("/nowhere-" + i))));
        }
        WebSocket during = Await.result(harness.connect("/chat"));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(10)) < 0,
            "answered without waiting for the receiver");
        Await.result(during.close());
        Await.until("the outage's records in the files", () -> fileLinesQuietly(dir).stream()
            .filter(l -> l.contains("\"reason\":\"route_not_found\"")).count() == 31);
        Await.until("copies dropped and counted", () -> log.metrics().syslogDrops() > 0);
        assertTrue(admin.metrics().value("wsgate_audit_syslog_dropped_total") > 0);
        assertTrue(log.healthy(), "the audit trail itself lost nothing");
        assertEquals(0, log.metrics().auditDrops());

        // It comes back on the same port: the sink reconnects and the copy resumes, in order.
        receiver.listen(port);
        Await.until("reconnected", Duration.ofSeconds(40), () -> log.metrics().syslogConnected());
        assertEquals(404, status(Await.failure(harness.connect("/after"))));
        Await.until("the record after the outage arrives", () -> receiver.messages.stream()
            .anyMatch(m -> m.msg().contains("\"path\":\"/after\"")));
        List<String> after = fileLines(dir);
        List<SyslogReceiver.Message> resumed = receiver.messages.subList(copied, receiver.messages.size());
        long previous = -1;
        for (SyslogReceiver.Message m : resumed) {
          long seq = new JsonObject(m.msg()).getLong("seq");
          assertTrue(seq > previous, "in order after the outage");
          assertEquals(after.get((int) seq - 1), m.msg(), "the file's line at that seq");
          previous = seq;
        }
        assertTrue(resumed.size() < after.size() - copied, "what the queue could not hold was not sent");
        assertEquals(List.of(), receiver.problems);
      }
      AuditVerifier.Result result = AuditVerifier.verify(AuditFileName.collect(List.of(dir)), null);
      assertTrue(result.intact(), result::problem);
    }
  }

  @Test
  void overTlsTheReceiversCertificateIsCheckedAgainstCaFile() throws Exception {
    Path dir = tmp.resolve("audit");
    try (SyslogReceiver receiver = new SyslogReceiver(true); EchoUpstream upstream = new EchoUpstream()) {
      int port = receiver.listen(0);
      SyslogSettings syslog = new SyslogSettings("localhost", port, SyslogSettings.Transport.TLS, TestCerts.cert(),
          "wsgate-tls", 10, 100);
      try (GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
          .audit(audit(dir, syslog)).build())) {
        assertEquals(404, status(Await.failure(harness.connect("/nowhere"))));
        Await.until("the refusal arrives over TLS", () -> receiver.messages.stream()
            .anyMatch(m -> m.msgId().equals("handshake.rejected")));
        assertEquals(List.of(), receiver.problems);
        SyslogReceiver.Message m = receiver.messages.get(0);
        assertEquals("wsgate-tls", m.appName());
        assertEquals(10, m.facility());
        assertEquals(fileLines(dir).get(0), m.msg());
      }
    }
  }

  @Test
  void aTlsReceiverWhoseCertificateIsNotTrustedGetsNothing() throws Exception {
    Path dir = tmp.resolve("audit");
    try (SyslogReceiver receiver = new SyslogReceiver(true); EchoUpstream upstream = new EchoUpstream()) {
      int port = receiver.listen(0);
      // No caFile: the JVM's trust store, which does not hold the self-signed test certificate.
      SyslogSettings syslog = new SyslogSettings("localhost", port, SyslogSettings.Transport.TLS, null, "wsgate", 13, 2);
      try (GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
          .audit(audit(dir, syslog)).build())) {
        AuditLog log = harness.gateway.services().audit();
        for (int i = 0; i < 5; i++) {
          assertEquals(404, status(Await.failure(harness.connect("/nowhere"))));
        }
        Await.until("copies dropped", () -> log.metrics().syslogDrops() > 0);
        assertFalse(log.metrics().syslogConnected());
        assertEquals(List.of(), receiver.messages);
        assertTrue(log.healthy());
      }
    }
  }

  @Test
  void rsyslogParsesEveryCopyAsTheFileLine() throws Exception {
    assertTrue(Rsyslog.installed(), Rsyslog.BINARY + " is missing: run scripts/test once (it installs rsyslog)");
    Path dir = tmp.resolve("audit");
    try (Rsyslog rsyslog = Rsyslog.start(tmp.resolve("rsyslog")); EchoUpstream upstream = new EchoUpstream()) {
      SyslogSettings syslog = new SyslogSettings("127.0.0.1", rsyslog.port(), SyslogSettings.Transport.TCP, null,
          "wsgate", 13, 1000);
      try (GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
          .audit(audit(dir, syslog)).build())) {
        WebSocket ws = Await.result(harness.connect("/chat"));
        assertEquals(404, status(Await.failure(harness.connect("/nowhere"))));
        Await.result(ws.close());
        Await.until("session.closed in the files",
            () -> fileLinesQuietly(dir).stream().anyMatch(l -> l.contains("\"event\":\"session.closed\"")));
        Await.until("rsyslog wrote every line", () -> rsyslog.messages().size() == fileLinesQuietly(dir).size());
        List<String> lines = fileLines(dir);
        List<String> received = rsyslog.messages();
        for (int i = 0; i < lines.size(); i++) {
          String event = new JsonObject(lines.get(i)).getString("event");
          assertEquals("wsgate|" + event + "|gw-it|" + lines.get(i), received.get(i));
        }
      }
    }
  }
}
