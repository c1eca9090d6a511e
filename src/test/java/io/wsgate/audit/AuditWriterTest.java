package io.wsgate.audit;

import io.wsgate.metrics.GatewayMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.CheckpointSettings;
import io.wsgate.testing.Await;
import io.wsgate.testing.Requests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chained writer on its own: file format, rotation, restart, overflow and disk failure. */
class AuditWriterTest {
  static final Pattern TS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

  @TempDir
  Path tmp;

  static AuditSettings settings(Path dir, long rotateBytes, int queueSize) {
    return new AuditSettings(dir, rotateBytes, queueSize, Duration.ofMillis(20), AuditSettings.OnFailure.FAIL_CLOSED,
        null, null, false, "gw-1", CheckpointSettings.DEFAULT);
  }

  /** A clock the test sets; starts on a fixed day so file names are known. */
  static final class SetClock extends Clock {
    final AtomicReference<Instant> now;

    SetClock(String instant) {
      now = new AtomicReference<>(Instant.parse(instant));
    }

    void set(String instant) {
      now.set(Instant.parse(instant));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  static List<Path> files(Path dir) throws IOException {
    return AuditFileName.collect(List.of(dir));
  }

  static List<String> names(Path dir) throws IOException {
    return files(dir).stream().map(p -> p.getFileName().toString()).toList();
  }

  static List<JsonObject> records(Path dir) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (Path file : files(dir)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  static void assertIntact(Path dir) throws IOException {
    AuditVerifier.Result result = AuditVerifier.verify(files(dir), null);
    assertNull(result.problem(), () -> "chain broken: " + result.problem());
  }

  @Test
  void everyRecordIsOneChainedLineAfterAHeader() throws Exception {
    Path dir = tmp.resolve("audit");
    SetClock clock = new SetClock("2026-11-25T09:14:03Z");
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, 64), clock);
    audit.accepted(new AuditedRequest("r-1", "203.0.113.9", "alice", "idp", "/chat", "/chat", "https://app.example.com",
        "Mozilla/5.0", null, null, "chat.example.com", null), "ws://10.0.0.5:9000/", "v1");
    audit.rejected(Requests.refused("r-2", "198.51.100.7", "/chat"), Reason.ORIGIN_DENIED);
    Await.result(audit.close());

    assertEquals(List.of("audit-2026-11-25.jsonl"), names(dir));
    List<String> lines = Files.readAllLines(dir.resolve("audit-2026-11-25.jsonl"));
    assertEquals("{\"seq\":1,\"v\":2,\"ts\":\"2026-11-25T09:14:03.000Z\",\"node\":\"gw-1\",\"event\":\"audit.file_start\","
        + "\"file\":\"audit-2026-11-25.jsonl\",\"prevFile\":null,\"reason\":\"start\",\"prev\":\"" + AuditChain.GENESIS
        + "\"}", lines.get(0));
    assertEquals("{\"seq\":2,\"v\":2,\"ts\":\"2026-11-25T09:14:03.000Z\",\"node\":\"gw-1\",\"event\":\"session.accepted\",\"requestId\":\"r-1\","
        + "\"clientIp\":\"203.0.113.9\",\"subject\":\"alice\",\"issuer\":\"idp\",\"route\":\"/chat\",\"path\":\"/chat\","
        + "\"host\":\"chat.example.com\",\"origin\":\"https://app.example.com\",\"userAgent\":\"Mozilla/5.0\",\"upstream\":\"ws://10.0.0.5:9000/\","
        + "\"policyVersion\":\"v1\",\"prev\":\""
        + AuditChain.hash(lines.get(0)) + "\"}", lines.get(1));
    assertEquals("{\"seq\":3,\"v\":2,\"ts\":\"2026-11-25T09:14:03.000Z\",\"node\":\"gw-1\",\"event\":\"handshake.rejected\",\"requestId\":\"r-2\","
        + "\"clientIp\":\"198.51.100.7\",\"subject\":null,\"issuer\":null,\"route\":null,\"path\":\"/chat\","
        + "\"host\":null,\"origin\":null,\"userAgent\":null,\"reason\":\"origin_denied\",\"status\":403,\"prev\":\""
        + AuditChain.hash(lines.get(1)) + "\"}", lines.get(2));
    assertEquals(3, lines.size());
    assertIntact(dir);
  }

  @Test
  void timestampsAlwaysCarryMilliseconds() {
    assertEquals("2026-11-25T00:00:00.000Z", AuditChain.timestamp(Instant.parse("2026-11-25T00:00:00Z")));
    assertEquals("2026-11-25T23:59:59.999Z", AuditChain.timestamp(Instant.parse("2026-11-25T23:59:59.999999Z")));
  }

  @Test
  void rotationBySizeProducesChainedFilesThatVerify() throws Exception {
    Path dir = tmp.resolve("audit");
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 2048, 4096),
        new SetClock("2026-11-25T10:00:00Z"));
    for (int i = 0; i < 100; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2.1", "/nowhere"), Reason.ROUTE_NOT_FOUND);
    }
    Await.result(audit.close());

    List<Path> files = files(dir);
    assertTrue(files.size() >= 5, "rotated: " + names(dir));
    assertEquals("audit-2026-11-25.jsonl", files.get(0).getFileName().toString());
    assertEquals("audit-2026-11-25.1.jsonl", files.get(1).getFileName().toString());
    for (int i = 0; i < files.size(); i++) {
      assertTrue(Files.size(files.get(i)) <= 2048, files.get(i) + " is " + Files.size(files.get(i)) + " bytes");
      List<String> lines = Files.readAllLines(files.get(i));
      JsonObject header = new JsonObject(lines.get(0));
      assertEquals("audit.file_start", header.getString("event"));
      assertEquals(files.get(i).getFileName().toString(), header.getString("file"));
      if (i > 0) {
        List<String> before = Files.readAllLines(files.get(i - 1));
        assertEquals(files.get(i - 1).getFileName().toString(), header.getString("prevFile"));
        assertEquals("size", header.getString("reason"));
        assertEquals(AuditChain.hash(before.get(before.size() - 1)), header.getString("prev"));
      }
    }
    List<JsonObject> all = records(dir);
    assertEquals(100, all.stream().filter(r -> r.getString("event").equals("handshake.rejected")).count());
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i + 1, all.get(i).getLong("seq"), "seq is monotonic across files");
    }
    assertIntact(dir);
  }

  @Test
  void aNewUtcDayStartsANewFile() throws Exception {
    Path dir = tmp.resolve("audit");
    SetClock clock = new SetClock("2026-11-25T23:59:59.500Z");
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, 64), clock);
    audit.rejected(Requests.refused("r-1", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.until("written", () -> lines(dir.resolve("audit-2026-11-25.jsonl")) == 2);
    clock.set("2026-11-26T00:00:00.001Z");
    audit.rejected(Requests.refused("r-2", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.result(audit.close());

    assertEquals(List.of("audit-2026-11-25.jsonl", "audit-2026-11-26.jsonl"), names(dir));
    JsonObject header = new JsonObject(Files.readAllLines(dir.resolve("audit-2026-11-26.jsonl")).get(0));
    assertEquals("day", header.getString("reason"));
    assertEquals("audit-2026-11-25.jsonl", header.getString("prevFile"));
    assertIntact(dir);
  }

  private static long lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  void aRestartContinuesTheChainInANewFile() throws Exception {
    Path dir = tmp.resolve("audit");
    SetClock clock = new SetClock("2026-11-25T10:00:00Z");
    AuditLog first = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, 64), clock);
    first.rejected(Requests.refused("r-1", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.result(first.close());
    AuditLog second = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, 64), clock);
    second.rejected(Requests.refused("r-2", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.result(second.close());

    assertEquals(List.of("audit-2026-11-25.jsonl", "audit-2026-11-25.1.jsonl"), names(dir));
    List<JsonObject> all = records(dir);
    assertEquals(List.of(1L, 2L, 3L, 4L), all.stream().map(r -> r.getLong("seq")).toList());
    assertEquals("start", all.get(2).getString("reason"));
    assertEquals("audit-2026-11-25.jsonl", all.get(2).getString("prevFile"));
    assertIntact(dir);
  }

  @Test
  void aRestartAfterATornWriteChainsFromTheLastCompleteLine() throws Exception {
    Path dir = tmp.resolve("audit");
    SetClock clock = new SetClock("2026-11-25T10:00:00Z");
    AuditLog first = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, 64), clock);
    first.rejected(Requests.refused("r-1", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.result(first.close());
    Path torn = dir.resolve("audit-2026-11-25.jsonl");
    String complete = Files.readAllLines(torn).get(1);
    Files.writeString(torn, "{\"seq\":3,\"ts\":\"2026-11-25T10:0", java.nio.file.StandardOpenOption.APPEND);

    AuditLog second = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, 64), clock);
    Await.result(second.close());
    JsonObject header = new JsonObject(Files.readAllLines(dir.resolve("audit-2026-11-25.1.jsonl")).get(0));
    assertEquals(AuditChain.hash(complete), header.getString("prev"));
    assertEquals(3, header.getLong("seq"));
    assertEquals("audit-2026-11-25.jsonl:3: truncated line (no newline at the end of the file)",
        AuditVerifier.verify(files(dir), null).problem(), "the torn write stays visible");
    assertTrue(AuditVerifier.verify(files(dir).subList(1, 2), null).intact(), "what follows verifies on its own");
  }

  @Test
  void manyThreadsOneChain() throws Exception {
    Path dir = tmp.resolve("audit");
    GatewayMetrics metrics = new GatewayMetrics();
    AuditLog audit = new AuditLog(metrics, settings(dir, 64 << 10, 65536), Clock.systemUTC());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 2000; i++) {
          audit.rejected(Requests.refused("t" + id + "-" + i, "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    Await.result(audit.close());
    assertEquals(0, metrics.auditDrops());
    List<JsonObject> all = records(dir);
    assertEquals(8000, all.stream().filter(r -> r.getString("event").equals("handshake.rejected")).count());
    assertEquals(8000, all.stream().map(r -> r.getString("requestId")).filter(java.util.Objects::nonNull).distinct().count());
    assertIntact(dir);
  }

  @Test
  void aFullQueueDropsCountsAndRecovers() throws Exception {
    Path dir = tmp.resolve("audit");
    GatewayMetrics metrics = new GatewayMetrics();
    AuditLog audit = new AuditLog(metrics, settings(dir, 1 << 30, 1), Clock.systemUTC());
    java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread flood = new Thread(() -> {
      for (int i = 0; flooding.get(); i++) {
        audit.rejected(Requests.refused("r-" + i, "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
      }
    });
    flood.start();
    Await.until("a one-record queue overflows", () -> metrics.auditDrops() > 0 && !audit.healthy());
    Await.until("refusing while it overflows (failClosed)", () -> !audit.acceptsNewSessions());
    flooding.set(false);
    flood.join();
    Await.until("healthy again once a flush interval passes without a drop", audit::healthy);
    assertTrue(audit.acceptsNewSessions());
    Await.result(audit.close());
    assertIntact(dir);
  }

  @Test
  void whileTheDirectoryIsGoneRecordsAreKeptAndWrittenOnRecovery() throws Exception {
    Path dir = tmp.resolve("audit");
    GatewayMetrics metrics = new GatewayMetrics();
    AuditLog audit = new AuditLog(metrics, settings(dir, 1 << 20, 1024), Clock.systemUTC());
    audit.rejected(Requests.refused("before", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.until("written", () -> count(dir) == 2);
    Path first = audit.currentFile();

    deleteTree(dir);
    Files.writeString(dir, "a file where the directory was");
    audit.rejected(Requests.refused("during-1", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.until("unhealthy", () -> !audit.healthy());
    assertNull(audit.currentFile());
    audit.rejected(Requests.refused("during-2", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Thread.sleep(200); // a few failed retries
    assertFalse(audit.healthy());

    Files.delete(dir);
    Await.until("healthy again", audit::healthy);
    audit.rejected(Requests.refused("after", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    Await.result(audit.close());

    assertEquals(0, metrics.auditDrops());
    List<JsonObject> all = records(dir);
    assertEquals(List.of("audit.file_start", "handshake.rejected", "handshake.rejected", "handshake.rejected"),
        all.stream().map(r -> r.getString("event")).toList());
    assertEquals("recover", all.get(0).getString("reason"));
    assertEquals(first.getFileName().toString(), all.get(0).getString("prevFile"), "names the lost file");
    assertEquals(List.of("during-1", "during-2", "after"),
        all.subList(1, 4).stream().map(r -> r.getString("requestId")).toList());
    AuditVerifier.Result result = AuditVerifier.verify(files(dir), null);
    assertTrue(result.intact(), result::problem);
    assertEquals(List.of(all.get(0).getString("file") + ": continues " + first.getFileName()
        + ", which was not given: the chain is checked from here"), result.notes());
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsUnhealthyFromTheStart() throws Exception {
    Files.writeString(tmp.resolve("file"), "x");
    GatewayMetrics metrics = new GatewayMetrics();
    AuditLog audit = new AuditLog(metrics, settings(tmp.resolve("file/audit"), 1 << 20, 4), Clock.systemUTC());
    assertFalse(audit.healthy());
    for (int i = 0; i < 10; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    }
    Await.result(audit.close());
    assertEquals(10, metrics.auditDrops(), "4 queued and lost at the stop, 6 overflowed");
  }

  @Test
  void withoutADirectoryRecordsGoToTheLogAndNeverRefuse() throws Exception {
    AuditLog audit = new AuditLog(new GatewayMetrics());
    audit.rejected(Requests.refused("r-1", "192.0.2.1", "/"), Reason.ROUTE_NOT_FOUND);
    assertTrue(audit.healthy());
    assertTrue(audit.acceptsNewSessions());
    assertNull(audit.currentFile());
    Await.result(audit.close());
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static int count(Path dir) {
    try {
      return records(dir).size();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
