package io.wsgate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditLog;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.reload.PolicyReloader;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.StartedGateway;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults that strike while sessions are streaming: the audit directory disappears under a
 * {@code failOpen} gateway, and the policy file is replaced by garbage of several kinds. In both,
 * live traffic flows on without a gap, new handshakes keep their documented answer, and the
 * failure is visible: counted, in {@code /metrics}, logged or audited.
 */
class LiveTrafficFaultsIT {
  @TempDir
  Path tmp;

  /**
   * A client that sends {@code n} every {@code periodMs} and checks that the echoes come back in
   * order with no gap; {@link #stop()} returns how many made the round trip.
   */
  private static final class EchoStream implements AutoCloseable {
    private final Vertx vertx;
    private final WebSocket ws;
    private final long timer;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger echoed = new AtomicInteger();
    private volatile String error;

    EchoStream(Vertx vertx, WebSocket ws, long periodMs) {
      this.vertx = vertx;
      this.ws = ws;
      ws.textMessageHandler(text -> {
        int expected = echoed.get();
        if (!text.equals("seq " + expected)) {
          error = "expected seq " + expected + ", got " + text;
        }
        echoed.incrementAndGet();
      });
      ws.closeHandler(v -> error = "closed: " + ws.closeStatusCode() + " " + ws.closeReason());
      timer = vertx.setPeriodic(periodMs, id -> ws.writeTextMessage("seq " + sent.getAndIncrement()));
    }

    void awaitMore(int count) {
      int target = echoed.get() + count;
      Await.until(count + " more echoes", () -> echoed.get() >= target || error != null);
      assertEquals(null, error);
    }

    int stop() {
      vertx.cancelTimer(timer);
      Await.until("every message echoed", () -> echoed.get() == sent.get() || error != null);
      assertEquals(null, error);
      return echoed.get();
    }

    @Override
    public void close() {
      vertx.cancelTimer(timer);
    }
  }

  @Test
  void failOpenAuditDirectoryLostMidTrafficKeepsRelayingAndCountsTheLoss() throws Exception {
    Path dir = tmp.resolve("audit");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .admin(AdminSettings.loopback(0))
             .audit(new AuditSettings(dir, AuditSettings.DEFAULT_ROTATE_BYTES, 8, Duration.ofMillis(50),
                 AuditSettings.OnFailure.FAIL_OPEN, null, null, false)).build())) {
      AuditLog audit = harness.gateway.services().audit();
      harness.auditTrailBrokenOnPurpose("the test deletes the audit directory mid-traffic and fills the queue");
      AdminClient admin = new AdminClient(harness.gateway.adminPort());
      try (EchoStream live = new EchoStream(harness.clientVertx, Await.result(harness.connect("/chat")), 20)) {
        live.awaitMore(5);

        // As root, chmod does not stop a write: the directory itself goes, and a file takes its place.
        deleteTree(dir);
        Files.writeString(dir, "not a directory");
        Await.until("the writer notices", () -> !audit.healthy());
        AdminClient.Response ready = admin.get("/ready");
        assertEquals(503, ready.status());
        assertEquals("DOWN", ready.json().getJsonObject("checks").getString("audit"), ready.body());

        // failOpen: new sessions are admitted and relay both ways; with the queue (8) full, records are lost.
        for (int i = 0; i < 10; i++) {
          WebSocket ws = Await.result(harness.connect("/chat"));
          BlockingQueue<String> echoes = CloseIT.texts(ws);
          ws.writeTextMessage("admitted " + i);
          assertEquals("admitted " + i, echoes.poll(10, TimeUnit.SECONDS));
          Await.result(ws.close());
        }
        live.awaitMore(5);
        Await.until("the loss counted", () -> audit.metrics().auditDrops() > 0);
        assertEquals(0, audit.metrics().outcomes(Reason.AUDIT_UNAVAILABLE));
        AdminClient.Metrics scrape = admin.metrics();
        assertTrue(scrape.value("wsgate_audit_dropped_total") > 0, scrape.text());
        assertEquals(0, scrape.value("wsgate_handshakes_total{outcome=\"rejected\",reason=\"audit_unavailable\"}"));

        // Writable again: the trail recovers and the live session never noticed.
        Files.delete(dir);
        Await.until("the writer recovers", Duration.ofSeconds(15), audit::healthy);
        assertEquals(200, admin.get("/ready").status());
        live.awaitMore(5);
        assertTrue(live.stop() >= 15);
      }
      long dropped = audit.metrics().auditDrops();
      Await.result(harness.gateway.stop());
      List<Path> files = AuditFileName.collect(List.of(dir));
      AuditVerifier.Result result = AuditVerifier.verify(files, null);
      assertTrue(result.intact(), result::problem);
      List<JsonObject> records = new ArrayList<>();
      for (Path file : files) {
        Files.readAllLines(file).forEach(line -> records.add(new JsonObject(line)));
      }
      assertEquals("recover", records.get(0).getString("reason"), "the trail says where it picked up");
      // The old file went with the directory. Since then: 10 sessions opened and closed (20 records)
      // and the live one closed by the stop (1): each of them is either in the trail or counted as lost.
      long sessionRecords = records.stream().map(r -> r.getString("event"))
          .filter(e -> e.equals("session.accepted") || e.equals("session.closed")).count();
      assertEquals(21, sessionRecords + dropped, "in the trail: " + sessionRecords + ", counted lost: " + dropped);
    }
  }

  @Test
  void policyReplacedByGarbageMidTrafficKeepsThePolicyAndTheStream() throws Exception {
    Path policyDir = Files.createDirectory(tmp.resolve("policies"));
    Path file = policyDir.resolve(PolicyLoader.FILE_NAME);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger reloaderLog = (Logger) LoggerFactory.getLogger(PolicyReloader.class);
    log.start();
    reloaderLog.addAppender(log);
    Vertx clientVertx = Vertx.vertx();
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture()) {
      String good = """
          listen:
            host: 127.0.0.1
            port: 0
            plain: true
            clients: { allow: [0.0.0.0/0, "::/0"] }
          routes:
            - path: /chat
              upstreams: [%s]
              origins: { allow: ["*"], allowMissing: true }
              auth: { anonymous: true }
              messages:
                toUpstream:
                  - { name: no-forbidden, denyPatterns: ["forbidden"], action: drop }
          admin: { enabled: true, host: 127.0.0.1, port: 0 }
          shutdown: { drainWindow: 0s, drainTimeout: 10s }
          """.formatted(upstream.url("/"));
      replace(file, good.getBytes());
      StartedGateway started = StartedGateway.start(PolicyLoader.load(policyDir));
      Gateway gateway = started.gateway();
      try {
        Await.result(gateway.watchPolicy(100));
        String version = gateway.services().current().policy().version();
        WebSocketClient client = clientVertx.createWebSocketClient(new WebSocketClientOptions());
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
            .setURI("/chat").setAllowOriginHeader(false);
        var metrics = gateway.services().audit().metrics();
        try (EchoStream live = new EchoStream(clientVertx, Await.result(client.connect(options)), 10)) {
          live.awaitMore(5);
          byte[] binary = new byte[4096];
          new java.util.Random(6).nextBytes(binary);
          List<byte[]> garbage = List.of(
              binary,                                                      // random bytes, NULs included
              new byte[0],                                                 // empty file
              good.substring(0, good.indexOf("origins")).getBytes(),       // cut off mid-route
              good.replace("port: 0", "port: [0").getBytes(),              // broken flow sequence
              ("\uFEFF" + "\u0000".repeat(10)).getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
          int failed = 0;
          for (byte[] bad : garbage) {
            replace(file, bad);
            int expected = ++failed;
            Await.until("failed reload #" + expected, Duration.ofSeconds(5), () -> metrics.reloads(false) == expected);
            live.awaitMore(3);
            // New handshakes are answered by the policy in force, rules included.
            WebSocket fresh = Await.result(client.connect(options));
            BlockingQueue<String> answers = CloseIT.texts(fresh);
            fresh.writeTextMessage("forbidden");
            assertEquals("{\"error\":\"pattern_denied\",\"rule\":\"no-forbidden\"}", answers.poll(10, TimeUnit.SECONDS));
            Await.result(fresh.close());
          }
          // The file removed altogether.
          Files.delete(file);
          Await.until("failed reload: file gone", Duration.ofSeconds(5), () -> metrics.reloads(false) == garbage.size() + 1);
          live.awaitMore(3);
          assertEquals(version, gateway.services().current().policy().version());
          assertEquals(0, metrics.reloads(true));
          int relayed = live.stop();
          assertTrue(relayed > 20, "the stream went on throughout: " + relayed);
        }
        int failures = 6;
        AdminClient.Metrics scrape = new AdminClient(gateway.adminPort()).metrics();
        assertEquals(failures, scrape.value("wsgate_policy_reloads_total{outcome=\"failed\"}"), scrape.text());
        List<JsonObject> reloads = audit.await("policy.reload", l -> l.size() == failures);
        assertTrue(reloads.stream().allMatch(r -> "failed".equals(r.getString("outcome"))
            && version.equals(r.getString("policyVersion")) && r.getInteger("errors") >= 1), reloads::toString);
        List<String> errors = log.list.stream().filter(e -> e.getLevel() == Level.ERROR)
            .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(failures, errors.size(), errors::toString);
        assertTrue(errors.stream().allMatch(m -> m.contains("failed, keeping version " + version)), errors::toString);
        assertFalse(errors.stream().anyMatch(m -> m.contains("\u0000")), "no raw garbage in the log");
      } finally {
        started.close();
      }
    } finally {
      reloaderLog.detachAppender(log);
      Await.result(clientVertx.close());
    }
  }

  /** Replaces the file in one step, as an editor or a config manager would. */
  private void replace(Path file, byte[] content) throws IOException {
    Path scratch = Files.createTempFile(tmp, "gateway", ".yaml");
    Files.write(scratch, content);
    Files.move(scratch, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
