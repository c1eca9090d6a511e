package io.wsgate;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditLog;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.policy.AuditSettings;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit trail of a real gateway: complete after a stop, refusing or counting when it cannot write. */
class AuditTrailIT {
  @TempDir
  Path tmp;

  private static List<JsonObject> records(Path dir) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (Path file : AuditFileName.collect(List.of(dir))) {
      for (String line : Files.readAllLines(file)) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  private static Set<String> requestIds(List<JsonObject> records, String event) {
    Set<String> ids = new TreeSet<>();
    records.stream().filter(r -> r.getString("event").equals(event)).forEach(r -> ids.add(r.getString("requestId")));
    return ids;
  }

  @Test
  void aGracefulStopLosesNothingInFlight() throws Exception {
    Path dir = tmp.resolve("audit");
    int sessions = 20;
    // A long flush interval: only the stop's drain can have put the records on disk.
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .audit(new AuditSettings(dir, AuditSettings.DEFAULT_ROTATE_BYTES, 4096, Duration.ofMinutes(1),
                 AuditSettings.OnFailure.FAIL_CLOSED, null, null, false))
             .shutdown(1001, Duration.ofMillis(200), Duration.ofSeconds(10)).build())) {
      List<WebSocket> clients = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        clients.add(Await.result(harness.connect("/chat")));
      }
      for (WebSocket ws : clients) {
        for (int m = 0; m < 20; m++) {
          ws.writeTextMessage("message " + m);
        }
      }
      Throwable missing = Await.failure(harness.connect("/nowhere"));
      assertEquals(404, ((UpgradeRejectedException) missing).getStatus());
      Await.result(harness.gateway.stop());
      Await.result(harness.clientVertx.close());

      List<JsonObject> all = records(dir);
      Set<String> accepted = requestIds(all, "session.accepted");
      assertEquals(sessions, accepted.size(), "every session.accepted");
      assertEquals(accepted, requestIds(all, "session.closed"), "every session.closed");
      assertEquals(1, all.stream().filter(r -> "route_not_found".equals(r.getString("reason"))).count());
      assertTrue(all.stream().filter(r -> r.getString("event").equals("session.closed"))
          .allMatch(r -> r.getString("reason").equals("shutdown")), "closed by the stop");
      AuditVerifier.Result result = AuditVerifier.verify(AuditFileName.collect(List.of(dir)), null);
      assertTrue(result.intact(), result::problem);
      assertEquals(all.size(), result.records());
    }
  }

  @Test
  void failClosedRefusesNewSessionsWith503UntilTheTrailCanBeWrittenAgain() throws Exception {
    Path dir = tmp.resolve("audit");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .auditTo(dir).build())) {
      AuditLog audit = harness.gateway.services().audit();
      harness.auditTrailBrokenOnPurpose("the test deletes the audit directory, and the records in it, mid-session");
      WebSocket before = Await.result(harness.connect("/chat"));

      // A real failure: the directory is gone, and a file stands where it was (root ignores chmod).
      deleteTree(dir);
      Files.writeString(dir, "not a directory");
      Await.until("the writer notices", () -> !audit.healthy());

      Throwable refused = Await.failure(harness.connect("/chat"));
      assertInstanceOf(UpgradeRejectedException.class, refused, String.valueOf(refused));
      assertEquals(503, ((UpgradeRejectedException) refused).getStatus());
      assertEquals(1, audit.metrics().outcomes(Reason.AUDIT_UNAVAILABLE));
      before.writeTextMessage("live sessions carry on");
      assertEquals("live sessions carry on", upstream.frames.poll(10, TimeUnit.SECONDS).textData());

      Files.delete(dir);
      Await.until("the writer recovers", audit::healthy);
      WebSocket after = Await.result(harness.connect("/chat"));
      after.writeTextMessage("admitted again");
      assertEquals("admitted again", upstream.frames.poll(10, TimeUnit.SECONDS).textData());
      assertEquals(0, audit.metrics().auditDrops(), "kept, then written");

      Await.result(harness.gateway.stop());
      List<JsonObject> all = records(dir);
      assertTrue(all.stream().anyMatch(r -> "audit_unavailable".equals(r.getString("reason"))
          && r.getInteger("status") == 503), "the refusal itself is in the trail");
      assertEquals("recover", all.get(0).getString("reason"));
    }
  }

  @Test
  void failOpenLetsTrafficThroughAndCountsTheDrops() throws Exception {
    Path blocker = Files.writeString(tmp.resolve("file"), "x");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .audit(new AuditSettings(blocker.resolve("audit"), AuditSettings.DEFAULT_ROTATE_BYTES, 2,
                 Duration.ofMillis(50), AuditSettings.OnFailure.FAIL_OPEN, null, null, false)).build())) {
      AuditLog audit = harness.gateway.services().audit();
      harness.auditTrailBrokenOnPurpose("the test makes the audit directory impossible to create");
      assertFalse(audit.healthy(), "the directory cannot be created");
      assertTrue(audit.acceptsNewSessions(), "failOpen");
      for (int i = 0; i < 5; i++) {
        WebSocket ws = Await.result(harness.connect("/chat"));
        var echoes = CloseIT.texts(ws);
        ws.writeTextMessage("through " + i);
        assertEquals("through " + i, echoes.poll(10, TimeUnit.SECONDS), "relayed both ways");
        Await.result(ws.close());
      }
      Await.until("drops counted", () -> audit.metrics().auditDrops() >= 8);
      assertEquals(0, audit.metrics().outcomes(Reason.AUDIT_UNAVAILABLE));
    }
  }

  @Test
  void withoutAnAuditSectionNothingIsWrittenToDisk() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = GatewayHarness.logOnlyAudit(TestPolicy.create().route("/chat", upstream.url("/")).build())) {
      Await.result(harness.connect("/chat"));
      assertEquals(AuditSettings.LOG_ONLY, harness.gateway.services().audit().settings());
      assertEquals(null, harness.gateway.services().audit().currentFile());
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
