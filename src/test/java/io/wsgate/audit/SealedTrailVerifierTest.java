package io.wsgate.audit;

import io.wsgate.metrics.GatewayMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.CheckpointSettings;
import io.wsgate.testing.Await;
import io.wsgate.testing.Requests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the chain alone cannot see at the end of the newest file, the checkpoints can: lines cut
 * from the end, the newest file removed, the last line edited. Each damage is first shown to pass
 * the chain alone, then reported with the checkpoints.
 */
class SealedTrailVerifierTest {
  private static final String KEY = "an audit key of more than 32 bytes, for tests only";
  private static final String DAY = "audit-2026-11-25";
  private static final String SEALS = "checkpoints-2026-11-25.jsonl";
  private static final String TS = "2026-11-25T10:00:00.000Z";

  @TempDir
  Path tmp;

  /** At least three files of 2 KiB, 60 records after the headers; a checkpoint at each rotation and at the stop. */
  private Path writeLog(Path hmacKey) {
    Path dir = tmp.resolve("audit");
    AuditLog audit = new AuditLog(new GatewayMetrics(), new AuditSettings(dir, 2048, 1024, Duration.ofMillis(20),
        AuditSettings.OnFailure.FAIL_CLOSED, hmacKey, null, false, "gw-1", CheckpointSettings.DEFAULT),
        new AuditWriterTest.SetClock("2026-11-25T10:00:00Z"));
    for (int i = 0; i < 60; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2." + (i % 5), "/chat"), Reason.ORIGIN_DENIED);
    }
    Await.result(audit.close());
    return dir;
  }

  private static String verify(Path dir, Mac mac, CheckpointKeys keys) throws Exception {
    CheckpointLog seals = keys == null ? null : CheckpointLog.read(dir.resolve("checkpoints"), keys);
    AuditVerifier.Result result = AuditVerifier.verify(AuditWriterTest.files(dir), mac, seals);
    return result.intact() ? "OK" : result.problem();
  }

  private static Path newest(Path dir) throws Exception {
    List<Path> files = AuditWriterTest.files(dir);
    return files.get(files.size() - 1);
  }

  private static List<String> read(Path file) throws Exception {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static void write(Path file, List<String> lines) throws Exception {
    Files.writeString(file, lines.isEmpty() ? "" : String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  private static long seq(String line) {
    return new JsonObject(line).getLong("seq");
  }

  @Test
  void anUndamagedTrailMatchesEveryCheckpoint() throws Exception {
    Path dir = writeLog(null);
    CheckpointLog seals = CheckpointLog.read(dir.resolve("checkpoints"), CheckpointKeys.NONE);
    AuditVerifier.Result result = AuditVerifier.verify(AuditWriterTest.files(dir), null, seals);
    assertTrue(result.intact(), result::problem);
    assertEquals(AuditWriterTest.files(dir).size(), result.sealed(), "one per rotation, and the stop");
    assertEquals(SEALS + ":" + result.sealed() + " of " + TS + ", seq " + result.lastSeq(), result.lastSeal());
    assertEquals(List.of(), result.notes());
  }

  @Test
  void linesCutFromTheEndOfTheNewestFileAreMissing() throws Exception {
    Path dir = writeLog(null);
    Path file = newest(dir);
    List<String> lines = read(file);
    int total = lines.size();
    long lastSeq = seq(lines.get(total - 1));
    int seals = read(dir.resolve("checkpoints").resolve(SEALS)).size();
    write(file, lines.subList(0, total - 3));
    assertEquals("OK", verify(dir, null, null), "the chain alone cannot tell");
    assertEquals(file.getFileName() + ":" + total + ": missing: the trail ends at seq " + (lastSeq - 3) + " ("
            + file.getFileName() + ":" + (total - 3) + "), but the checkpoint " + SEALS + ":" + seals + " of " + TS
            + " seals seq " + lastSeq + " here",
        verify(dir, null, CheckpointKeys.NONE));
  }

  @Test
  void theNewestFileRemovedIsNamed() throws Exception {
    Path dir = writeLog(null);
    List<Path> files = AuditWriterTest.files(dir);
    Path removed = files.get(files.size() - 1);
    Path before = files.get(files.size() - 2);
    List<String> removedLines = read(removed);
    List<String> beforeLines = read(before);
    int seals = read(dir.resolve("checkpoints").resolve(SEALS)).size();
    Files.delete(removed);
    assertEquals("OK", verify(dir, null, null), "the chain alone cannot tell");
    assertEquals(removed.getFileName() + ":" + removedLines.size() + ": missing: the trail ends at seq "
            + seq(beforeLines.get(beforeLines.size() - 1)) + " (" + before.getFileName() + ":" + beforeLines.size()
            + "), but the checkpoint " + SEALS + ":" + seals + " of " + TS + " seals seq "
            + seq(removedLines.get(removedLines.size() - 1)) + " here",
        verify(dir, null, CheckpointKeys.NONE));
  }

  @Test
  void theLastLineEditedDiffersFromItsSeal() throws Exception {
    Path dir = writeLog(null);
    Path file = newest(dir);
    List<String> lines = read(file);
    int last = lines.size() - 1;
    String edited = lines.get(last).replaceFirst("\"clientIp\":\"192\\.0\\.2\\.\\d\"", "\"clientIp\":\"203.0.113.66\"");
    assertTrue(!edited.equals(lines.get(last)), "edited");
    lines.set(last, edited);
    write(file, lines);
    int seals = read(dir.resolve("checkpoints").resolve(SEALS)).size();
    assertEquals("OK", verify(dir, null, null), "the chain alone cannot tell: no line follows it");
    assertEquals(file.getFileName() + ":" + lines.size() + ": differs from the line the checkpoint " + SEALS + ":"
        + seals + " of " + TS + " sealed here (another hash)", verify(dir, null, CheckpointKeys.NONE));
  }

  @Test
  void aTailCutMidLineIsATruncatedLine() throws Exception {
    Path dir = writeLog(null);
    Path file = newest(dir);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 20));
    assertEquals(file.getFileName() + ":" + read(file).size() + ": truncated line (no newline at the end of the file)",
        verify(dir, null, CheckpointKeys.NONE));
  }

  @Test
  void aSealMovedToHideACutFailsItsSignature() throws Exception {
    Path keyFile = Files.writeString(tmp.resolve("audit.key"), KEY);
    Path dir = writeLog(keyFile);
    Mac mac = AuditChain.mac(KEY.getBytes(StandardCharsets.UTF_8));
    CheckpointKeys keys = new CheckpointKeys(AuditChain.mac(KEY.getBytes(StandardCharsets.UTF_8)), null);
    assertEquals("OK", verify(dir, mac, keys));
    // The forger cuts two lines and moves the last seal onto the new last line.
    Path file = newest(dir);
    List<String> lines = read(file);
    List<String> kept = lines.subList(0, lines.size() - 2);
    write(file, kept);
    Path sealsFile = dir.resolve("checkpoints").resolve(SEALS);
    List<String> seals = read(sealsFile);
    String newLast = kept.get(kept.size() - 1);
    seals.set(seals.size() - 1, new JsonObject(seals.get(seals.size() - 1)).put("line", kept.size())
        .put("seq", seq(newLast)).put("hash", AuditChain.hash(newLast)).encode());
    write(sealsFile, seals);
    assertEquals("OK", verify(dir, mac, CheckpointKeys.NONE), "without a key, a moved seal is believed");
    assertEquals(SEALS + ":" + seals.size() + ": signature mismatch (HS256)", verify(dir, mac, keys));
    // An unsigned seal in its place does not pass either, once a key is given.
    JsonObject unsigned = new JsonObject(seals.get(seals.size() - 1)).put("alg", "none");
    unsigned.remove("sig");
    seals.set(seals.size() - 1, unsigned.encode());
    write(sealsFile, seals);
    assertEquals(SEALS + ":" + seals.size() + ": not signed (alg none), but a checkpoint key was given",
        verify(dir, mac, keys));
  }

  @Test
  void missingOrBrokenCheckpointsAreReported() throws Exception {
    Path dir = writeLog(null);
    Path sealsFile = dir.resolve("checkpoints").resolve(SEALS);
    List<String> seals = read(sealsFile);
    seals.set(1, "{\"event\":\"audit.checkpoint\"}");
    write(sealsFile, seals);
    assertEquals(SEALS + ":2: not a checkpoint (needs event audit.checkpoint, ts, file, line, seq, hash and alg)",
        verify(dir, null, CheckpointKeys.NONE));
    Files.delete(sealsFile);
    assertEquals(dir.resolve("checkpoints") + ": no checkpoint files (checkpoints-YYYY-MM-DD.jsonl)",
        verify(dir, null, CheckpointKeys.NONE));
  }

  @Test
  void recordsAfterTheLastCheckpointAreNoted() throws Exception {
    Path dir = writeLog(null);
    Path sealsFile = dir.resolve("checkpoints").resolve(SEALS);
    List<String> seals = read(sealsFile);
    write(sealsFile, seals.subList(0, seals.size() - 1));
    CheckpointLog log = CheckpointLog.read(dir.resolve("checkpoints"), CheckpointKeys.NONE);
    AuditVerifier.Result result = AuditVerifier.verify(AuditWriterTest.files(dir), null, log);
    assertTrue(result.intact(), result::problem);
    JsonObject last = new JsonObject(seals.get(seals.size() - 2));
    assertEquals(List.of((result.lastSeq() - last.getLong("seq")) + " records after the last checkpoint (" + SEALS
        + ":" + (seals.size() - 1) + " of " + TS + ", seq " + last.getLong("seq") + ") are checked by the chain alone"),
        result.notes());
  }
}
