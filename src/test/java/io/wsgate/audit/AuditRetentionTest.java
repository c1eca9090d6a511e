package io.wsgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.cli.Main;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.RetentionSettings;
import io.wsgate.testing.Await;
import io.wsgate.testing.Requests;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * keepBytes / keepDays delete the oldest files, record it in the chain, and {@code audit verify}
 * then checks the trail from where it now starts, still catching tampering and files removed by hand.
 */
class AuditRetentionTest {
  @TempDir
  Path tmp;

  private record Run(int exitCode, String out, String err) {
  }

  private static Run verify(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("audit", "verify"));
    all.addAll(List.of(args));
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  private static List<JsonObject> retentionRecords(Path dir) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject r : AuditWriterTest.records(dir)) {
      if (r.getString("event").equals(AuditRetention.EVENT)) {
        out.add(r);
      }
    }
    return out;
  }

  private static long totalBytes(Path dir) throws IOException {
    long total = 0;
    for (Path f : AuditWriterTest.files(dir)) {
      total += Files.size(f);
    }
    return total;
  }

  @Test
  void keepBytesDeletesTheOldestFilesAndVerifyStartsWhereRetentionSaid() throws Exception {
    Path dir = tmp.resolve("audit");
    AuditSettings settings = AuditWriterTest.settings(dir, 2048, 4096).withRetention(new RetentionSettings(0, 8192));
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings, new AuditWriterTest.SetClock("2026-11-25T10:00:00Z"));
    for (int i = 0; i < 200; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2.1", "/nowhere"), Reason.ROUTE_NOT_FOUND);
    }
    Await.result(audit.close());

    List<String> names = AuditWriterTest.names(dir);
    assertNotEquals("audit-2026-11-25.jsonl", names.get(0), "the oldest file is gone: " + names);
    assertTrue(totalBytes(dir) <= 8192 + 2048, "at most keepBytes and the file being written: " + totalBytes(dir));
    List<JsonObject> retained = retentionRecords(dir);
    assertFalse(retained.isEmpty(), "the deletions are recorded in the chain");
    JsonObject last = retained.get(retained.size() - 1);
    assertEquals(names.get(0), last.getString("firstFile"));
    JsonObject firstHeader = new JsonObject(Files.readAllLines(dir.resolve(names.get(0))).get(0));
    assertEquals(firstHeader.getLong("seq"), last.getLong("firstSeq"));
    assertEquals(firstHeader.getString("prev"), last.getString("firstPrev"));
    assertEquals(8192L, last.getLong("keepBytes"));
    for (Object deleted : last.getJsonArray("deleted")) {
      assertFalse(Files.exists(dir.resolve((String) deleted)), deleted + " was deleted");
    }
    assertEquals(AuditWriterTest.records(dir).get(0).getLong("seq") + AuditWriterTest.records(dir).size() - 1,
        AuditWriterTest.records(dir).get(AuditWriterTest.records(dir).size() - 1).getLong("seq"));

    Run ok = verify("--checkpoints", dir.resolve("checkpoints").toString(), dir.toString());
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().contains(names.get(0) + ": the trail starts here; the files before it were deleted by"
        + " retention"), ok.out());
    assertTrue(ok.out().contains("checkpoints matched"), ok.out());

    // Tampering in what remains is still caught.
    Path first = dir.resolve(names.get(0));
    String original = Files.readString(first);
    Files.writeString(first, original.replace("\"requestId\":\"r-", "\"requestId\":\"x-"));
    Run tampered = verify(dir.toString());
    assertEquals(1, tampered.exitCode(), tampered.out());
    assertTrue(tampered.err().startsWith(names.get(0) + ":") && tampered.err().contains(": hash mismatch"),
        tampered.err());
    Files.writeString(first, original);

    // A middle file removed by hand breaks the chain.
    Path middle = dir.resolve(names.get(names.size() / 2));
    byte[] kept = Files.readAllBytes(middle);
    Files.delete(middle);
    Run hole = verify(dir.toString());
    assertEquals(1, hole.exitCode(), hole.out());
    assertTrue(hole.err().contains("previous file missing or out of order"), hole.err());
    Files.write(middle, kept);

    // The first remaining file removed by hand: the retention record says the trail starts earlier.
    Files.delete(first);
    Run cut = verify(dir.toString());
    assertEquals(1, cut.exitCode(), cut.out());
    assertTrue(cut.err().contains("left it starting at " + names.get(0) + ": files were removed by hand"), cut.err());
  }

  @Test
  void aForgedStartIsNotTheHeaderRetentionLeft() throws Exception {
    Path dir = tmp.resolve("audit");
    AuditSettings settings = AuditWriterTest.settings(dir, 2048, 4096).withRetention(new RetentionSettings(0, 4096));
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings, new AuditWriterTest.SetClock("2026-11-25T10:00:00Z"));
    for (int i = 0; i < 100; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2.1", "/nowhere"), Reason.ROUTE_NOT_FOUND);
    }
    Await.result(audit.close());
    // Whoever rewrites the whole remaining chain from a forged first header keeps it intact,
    // but not equal to what the retention record saw.
    String prev = "1".repeat(64);
    for (Path file : AuditWriterTest.files(dir)) {
      List<String> out = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        JsonObject record = new JsonObject(line);
        String sealed = AuditChain.seal(record, record.getLong("seq"), prev, null);
        out.add(sealed);
        prev = AuditChain.hash(sealed);
      }
      Files.write(file, out);
    }

    Run run = verify(dir.toString());
    assertEquals(1, run.exitCode(), run.out());
    assertTrue(run.err().contains("not the header the retention record"), run.err());
  }

  @Test
  void keepDaysDeletesWholeDaysAndTheirCheckpoints() throws Exception {
    Path dir = tmp.resolve("audit");
    AuditSettings settings = AuditWriterTest.settings(dir, 1 << 20, 4096).withRetention(new RetentionSettings(1, 0));
    for (String day : List.of("2026-11-25", "2026-11-26", "2026-11-27")) {
      // One gateway run a day: each stop seals its day in that day's checkpoint file.
      AuditLog audit = new AuditLog(new GatewayMetrics(), settings, new AuditWriterTest.SetClock(day + "T10:00:00Z"));
      audit.rejected(Requests.refused("r-" + day, "192.0.2.1", "/nowhere"), Reason.ROUTE_NOT_FOUND);
      Await.result(audit.close());
      assertTrue(Files.exists(dir.resolve("checkpoints/checkpoints-" + day + ".jsonl")));
    }

    assertEquals(List.of("audit-2026-11-26.jsonl", "audit-2026-11-27.jsonl"), AuditWriterTest.names(dir),
        "one day kept before today");
    assertFalse(Files.exists(dir.resolve("checkpoints/checkpoints-2026-11-25.jsonl")),
        "checkpoints that only seal deleted files go with them");
    assertTrue(Files.exists(dir.resolve("checkpoints/checkpoints-2026-11-26.jsonl")));
    JsonObject record = retentionRecords(dir).get(0);
    assertEquals("audit-2026-11-25.jsonl", record.getJsonArray("deleted").getString(0));
    assertEquals("checkpoints-2026-11-25.jsonl", record.getJsonArray("deletedCheckpoints").getString(0));
    assertEquals(1, record.getInteger("keepDays"));

    Run ok = verify("--checkpoints", dir.resolve("checkpoints").toString(), dir.toString());
    assertEquals(0, ok.exitCode(), ok.err());
  }
}
