package io.wsgate.audit;

import io.wsgate.metrics.GatewayMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.AuditSettings;
import io.wsgate.testing.Await;
import io.wsgate.testing.Requests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way of tampering with the files is reported at the first broken line. */
class AuditVerifierTest {
  private static final String KEY = "an audit key of more than 32 bytes, for tests only";
  private static final String DAY = "audit-2026-11-25";

  @TempDir
  Path tmp;

  /** Three or more files of 2 KiB, 60 records after the headers. */
  private Path writeLog(Path keyFile) throws Exception {
    Path dir = tmp.resolve("audit");
    AuditSettings settings = new AuditSettings(dir, 2048, 1024, Duration.ofMillis(20),
        AuditSettings.OnFailure.FAIL_CLOSED, keyFile, null, false);
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings, new AuditWriterTest.SetClock("2026-11-25T10:00:00Z"));
    for (int i = 0; i < 60; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2." + (i % 5), "/chat"), Reason.ORIGIN_DENIED);
    }
    Await.result(audit.close());
    assertTrue(AuditWriterTest.files(dir).size() >= 3, "rotated into at least three files");
    return dir;
  }

  private static String verify(Path dir, Mac mac) throws Exception {
    AuditVerifier.Result result = AuditVerifier.verify(AuditWriterTest.files(dir), mac);
    return result.intact() ? "OK" : result.problem();
  }

  private static List<String> read(Path file) throws Exception {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static void write(Path file, List<String> lines) throws Exception {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  @Test
  void anIntactLogVerifies() throws Exception {
    Path dir = writeLog(null);
    AuditVerifier.Result result = AuditVerifier.verify(AuditWriterTest.files(dir), null);
    assertTrue(result.intact(), result::problem);
    assertEquals(AuditWriterTest.files(dir).size(), result.files());
    assertEquals(60 + result.files(), result.records(), "records and one header per file");
    assertEquals(1, result.firstSeq());
    assertEquals(result.records(), result.lastSeq());
    assertEquals(List.of(), result.notes());
  }

  @Test
  void anEditedLineBreaksTheChainAtTheNextLine() throws Exception {
    Path dir = writeLog(null);
    Path file = dir.resolve(DAY + ".jsonl");
    List<String> lines = read(file);
    lines.set(4, lines.get(4).replace("\"clientIp\":\"192.0.2.3\"", "\"clientIp\":\"192.0.2.99\""));
    write(file, lines);
    assertEquals(DAY + ".jsonl:6: hash mismatch", verify(dir, null));
  }

  @Test
  void aRemovedLineIsReportedWhereItWas() throws Exception {
    Path dir = writeLog(null);
    Path file = dir.resolve(DAY + ".jsonl");
    List<String> lines = read(file);
    lines.remove(4);
    write(file, lines);
    assertEquals(DAY + ".jsonl:5: hash mismatch", verify(dir, null));
  }

  @Test
  void swappedLinesAreReportedAtTheFirst() throws Exception {
    Path dir = writeLog(null);
    Path file = dir.resolve(DAY + ".1.jsonl");
    List<String> lines = read(file);
    String third = lines.get(2);
    lines.set(2, lines.get(3));
    lines.set(3, third);
    write(file, lines);
    assertEquals(DAY + ".1.jsonl:3: hash mismatch", verify(dir, null));
  }

  @Test
  void aTruncatedFileEndsInAPartialLine() throws Exception {
    Path dir = writeLog(null);
    List<Path> files = AuditWriterTest.files(dir);
    Path last = files.get(files.size() - 1);
    byte[] bytes = Files.readAllBytes(last);
    Files.write(last, java.util.Arrays.copyOf(bytes, bytes.length - 20));
    int lines = read(last).size();
    assertEquals(last.getFileName() + ":" + lines + ": truncated line (no newline at the end of the file)",
        verify(dir, null));
  }

  @Test
  void linesCutFromTheEndOfARotatedFileBreakTheNextHeader() throws Exception {
    Path dir = writeLog(null);
    Path file = dir.resolve(DAY + ".jsonl");
    List<String> lines = read(file);
    write(file, lines.subList(0, lines.size() - 2));
    assertEquals(DAY + ".1.jsonl:1: hash mismatch", verify(dir, null));
  }

  @Test
  void aMissingRotatedFileIsNamed() throws Exception {
    Path dir = writeLog(null);
    Files.delete(dir.resolve(DAY + ".1.jsonl"));
    assertEquals(DAY + ".2.jsonl: previous file missing or out of order (the header follows " + DAY + ".1.jsonl,"
        + " the file before it is " + DAY + ".jsonl)", verify(dir, null));
  }

  @Test
  void aRenamedFileIsNoticed() throws Exception {
    Path dir = writeLog(null);
    Files.move(dir.resolve(DAY + ".1.jsonl"), dir.resolve("audit-2026-11-24.jsonl"));
    assertEquals("audit-2026-11-24.jsonl:1: the header names the file " + DAY + ".1.jsonl (renamed?)",
        verify(dir, null));
  }

  @Test
  void recordsWrittenBeforeTheFormatVersionVerifyAndTheChainGoesOnThroughThem() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("audit"));
    Path old = dir.resolve(DAY + ".jsonl");
    // Version 1 lines, as an earlier gateway wrote them: no v, no node.
    String header = AuditChain.seal(new JsonObject().put("ts", "2026-11-25T09:00:00.000Z")
        .put("event", "audit.file_start").put("file", DAY + ".jsonl").put("prevFile", null).put("reason", "start"),
        1, AuditChain.GENESIS, null);
    String record = AuditChain.seal(new JsonObject().put("ts", "2026-11-25T09:00:01.000Z")
        .put("event", "handshake.rejected").put("requestId", "r-1").put("clientIp", "192.0.2.1").put("path", "/")
        .put("reason", "route_not_found").put("status", 404), 2, AuditChain.hash(header), null);
    Files.writeString(old, header + "\n" + record + "\n", StandardCharsets.UTF_8);

    AuditLog audit = new AuditLog(new GatewayMetrics(), AuditWriterTest.settings(dir, 1 << 20, 64),
        new AuditWriterTest.SetClock("2026-11-25T10:00:00Z"));
    audit.rejected(Requests.refused("r-2", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.result(audit.close());

    List<JsonObject> all = AuditWriterTest.records(dir);
    assertEquals(List.of(false, false, true, true), all.stream().map(r -> r.containsKey("v")).toList());
    assertEquals(AuditChain.FORMAT, all.get(3).getInteger("v"));
    assertEquals("gw-1", all.get(3).getString("node"));
    AuditVerifier.Result result = AuditVerifier.verify(AuditWriterTest.files(dir), null);
    assertTrue(result.intact(), result::problem);
    assertEquals(4, result.records());
  }

  @Test
  void aLaterRangeVerifiesWithANote() throws Exception {
    Path dir = writeLog(null);
    List<Path> files = AuditWriterTest.files(dir);
    AuditVerifier.Result result = AuditVerifier.verify(files.subList(1, files.size()), null);
    assertTrue(result.intact(), result::problem);
    assertEquals(List.of(DAY + ".1.jsonl: continues " + DAY + ".jsonl, which was not given: the chain is checked"
        + " from here"), result.notes());
  }

  @Test
  void everyRecordCarriesAnHmacThatTheKeyChecks() throws Exception {
    Path keyFile = Files.writeString(tmp.resolve("audit.key"), KEY + "\n");
    Path dir = writeLog(keyFile);
    Mac mac = AuditChain.mac(KEY.getBytes(StandardCharsets.UTF_8));
    assertEquals("OK", verify(dir, mac));
    assertEquals("OK", verify(dir, null), "a reader without the key still checks the chain");
    for (Path file : AuditWriterTest.files(dir)) {
      for (String line : read(file)) {
        assertTrue(AuditChain.hmacOf(line) != null, line);
      }
    }
    Mac wrong = AuditChain.mac("another key of more than 32 bytes, for tests".getBytes(StandardCharsets.UTF_8));
    assertEquals(DAY + ".jsonl:1: hmac mismatch", verify(dir, wrong));
  }

  @Test
  void aChainForgedWithoutTheKeyFailsTheHmac() throws Exception {
    Path keyFile = Files.writeString(tmp.resolve("audit.key"), KEY);
    Path dir = writeLog(keyFile);
    Mac mac = AuditChain.mac(KEY.getBytes(StandardCharsets.UTF_8));
    // The forger edits line 5 and recomputes every later prev: the chain alone is consistent again.
    List<Path> files = AuditWriterTest.files(dir);
    String previous = null;
    for (Path file : files) {
      List<String> lines = read(file);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (file.equals(files.get(0)) && i == 4) {
          line = line.replace("\"clientIp\":\"192.0.2.3\"", "\"clientIp\":\"192.0.2.99\"");
        }
        if (previous != null) {
          line = new JsonObject(line).put("prev", AuditChain.hash(previous)).encode();
        }
        lines.set(i, line);
        previous = line;
      }
      write(file, lines);
    }
    assertEquals("OK", verify(dir, null));
    assertEquals(DAY + ".jsonl:5: hmac mismatch", verify(dir, mac));
  }

  @Test
  void aChainRewrittenWithoutHmacsFailsWithTheKey() throws Exception {
    Path keyFile = Files.writeString(tmp.resolve("audit.key"), KEY);
    Path dir = writeLog(keyFile);
    Path file = dir.resolve(DAY + ".jsonl");
    List<String> lines = read(file);
    JsonObject header = new JsonObject(lines.get(0));
    header.remove("hmac");
    lines.set(0, header.encode());
    write(file, lines);
    assertEquals(DAY + ".jsonl:1: missing hmac",
        verify(dir, AuditChain.mac(KEY.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void theKeyNeverAppearsInTheFiles() throws Exception {
    Path keyFile = Files.writeString(tmp.resolve("audit.key"), KEY);
    Path dir = writeLog(keyFile);
    byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
    List<String> forms = List.of(KEY, HexFormat.of().formatHex(key), Base64.getEncoder().encodeToString(key),
        Base64.getUrlEncoder().withoutPadding().encodeToString(key), KEY.substring(0, 16), keyFile.toString());
    for (Path file : AuditWriterTest.files(dir)) {
      String text = Files.readString(file);
      for (String form : forms) {
        assertFalse(text.contains(form), file + " holds " + form);
      }
    }
  }

  @Test
  void anEmptyFileAndGarbageAreReported() throws Exception {
    Path dir = writeLog(null);
    Path file = dir.resolve(DAY + ".1.jsonl");
    List<String> lines = read(file);
    lines.set(2, "not json");
    write(file, lines);
    assertEquals(DAY + ".1.jsonl:3: not a JSON object", verify(dir, null));
    Files.write(file, new byte[0]);
    assertEquals(DAY + ".1.jsonl: empty file (no audit.file_start header)", verify(dir, null));
    assertNull(AuditFileName.parse("audit-2026-11-25.0.jsonl"));
    assertNull(AuditFileName.parse("audit-2026-13-25.jsonl"));
    assertEquals(new AuditFileName(java.time.LocalDate.parse("2026-11-25"), 12),
        AuditFileName.parse("audit-2026-11-25.12.jsonl"));
  }
}
