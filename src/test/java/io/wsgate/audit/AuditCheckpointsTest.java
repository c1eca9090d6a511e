package io.wsgate.audit;

import io.wsgate.metrics.GatewayMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.CheckpointSettings;
import io.wsgate.policy.Ed25519Keys;
import io.wsgate.testing.Await;
import io.wsgate.testing.Requests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The writer seals the end of the chain in checkpoints: at an interval, at every rotation and at stop. */
class AuditCheckpointsTest {
  private static final String KEY = "an audit key of more than 32 bytes, for tests only";

  @TempDir
  Path tmp;

  private static AuditSettings settings(Path dir, long rotateBytes, Path hmacKey, CheckpointSettings checkpoints) {
    return new AuditSettings(dir, rotateBytes, 1024, Duration.ofMillis(20), AuditSettings.OnFailure.FAIL_CLOSED,
        hmacKey, null, false, "gw-1", checkpoints);
  }

  static List<JsonObject> checkpoints(Path dir) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          out.add(new JsonObject(line));
        }
      }
    }
    return out;
  }

  /** The file, line number, seq and hash of every audit file's last line, in chain order. */
  private static List<String> fileEnds(Path dir) throws Exception {
    List<String> out = new ArrayList<>();
    for (Path file : AuditWriterTest.files(dir)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      String last = lines.get(lines.size() - 1);
      out.add(file.getFileName() + ":" + lines.size() + " seq " + new JsonObject(last).getLong("seq") + " "
          + AuditChain.hash(last));
    }
    return out;
  }

  private static String sealed(JsonObject checkpoint) {
    return checkpoint.getString("file") + ":" + checkpoint.getLong("line") + " seq " + checkpoint.getLong("seq") + " "
        + checkpoint.getString("hash");
  }

  @Test
  void everyRotationAndTheStopSealTheLastLineOfTheirFile() throws Exception {
    Path dir = tmp.resolve("audit");
    // A long interval: only rotations and the stop write checkpoints here.
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 2048, null,
        new CheckpointSettings(null, Duration.ofHours(1), null, false)),
        new AuditWriterTest.SetClock("2026-11-25T10:00:00Z"));
    for (int i = 0; i < 40; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2.1", "/chat"), Reason.ROUTE_NOT_FOUND);
    }
    Await.result(audit.close());

    List<JsonObject> seals = checkpoints(dir.resolve("checkpoints"));
    List<String> ends = fileEnds(dir);
    assertTrue(ends.size() >= 3, "rotated: " + ends);
    assertEquals(ends, seals.stream().map(AuditCheckpointsTest::sealed).toList(), "one per file, at its end");
    List<String> reasons = seals.stream().map(c -> c.getString("reason")).toList();
    assertEquals("stop", reasons.get(reasons.size() - 1));
    assertTrue(reasons.subList(0, reasons.size() - 1).stream().allMatch("rotate"::equals), reasons::toString);
    JsonObject first = seals.get(0);
    assertEquals(List.of("v", "ts", "node", "event", "file", "line", "seq", "hash", "reason", "alg"),
        new ArrayList<>(first.fieldNames()), "unsigned: no sig");
    assertEquals("gw-1", first.getString("node"));
    assertEquals("none", first.getString("alg"));
    assertEquals(List.of("checkpoints-2026-11-25.jsonl"), List.of(dir.resolve("checkpoints").toFile().list()));
  }

  @Test
  void anIntervalSealsTheChainWhileItMovesAndNotWhileItIsIdle() throws Exception {
    Path dir = tmp.resolve("audit");
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, null,
        new CheckpointSettings(null, Duration.ofMillis(50), null, false)));
    audit.rejected(Requests.refused("r-1", "192.0.2.1", "/chat"), Reason.ROUTE_NOT_FOUND);
    Path seals = dir.resolve("checkpoints");
    Await.until("a checkpoint while running", () -> checkpointsQuietly(seals).size() == 1);
    JsonObject sealed = checkpointsQuietly(seals).get(0);
    assertEquals("interval", sealed.getString("reason"));
    assertEquals(2, sealed.getLong("seq"), "the header and the record, forced to disk");
    // Idle for many intervals: nothing new to seal.
    long idleUntil = System.nanoTime() + Duration.ofMillis(300).toNanos();
    Await.until("idle", () -> System.nanoTime() > idleUntil);
    assertEquals(1, checkpointsQuietly(seals).size(), "no checkpoint while the chain does not move");
    audit.rejected(Requests.refused("r-2", "192.0.2.1", "/chat"), Reason.ROUTE_NOT_FOUND);
    Await.until("the next one", () -> checkpointsQuietly(seals).size() == 2);
    assertEquals(3, checkpointsQuietly(seals).get(1).getLong("seq"));
    Await.result(audit.close());
    assertEquals("stop", checkpointsQuietly(seals).get(2).getString("reason"));
  }

  private static List<JsonObject> checkpointsQuietly(Path dir) {
    try {
      return checkpoints(dir);
    } catch (Exception e) {
      return List.of();
    }
  }

  @Test
  void theHmacKeySignsCheckpointsUnlessAnEd25519KeyIsGiven() throws Exception {
    Path hmacKey = Files.writeString(tmp.resolve("audit.key"), KEY);
    KeyPair pair = Ed25519Keys.generate();
    Path edKey = Files.writeString(tmp.resolve("checkpoint.key"), Ed25519Keys.pem(pair.getPrivate()));
    Path hmacDir = tmp.resolve("hmac");
    Path edDir = tmp.resolve("ed");
    for (Path dir : List.of(hmacDir, edDir)) {
      AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, hmacKey,
          new CheckpointSettings(null, Duration.ofHours(1), dir == edDir ? edKey : null, false)));
      audit.rejected(Requests.refused("r-1", "192.0.2.1", "/chat"), Reason.ROUTE_NOT_FOUND);
      Await.result(audit.close());
    }
    CheckpointKeys hmac = new CheckpointKeys(AuditChain.mac(KEY.getBytes(StandardCharsets.UTF_8)), null);
    CheckpointKeys ed = new CheckpointKeys(null, pair.getPublic());
    CheckpointKeys wrongEd = new CheckpointKeys(null, Ed25519Keys.generate().getPublic());

    CheckpointLog byHmac = CheckpointLog.read(hmacDir.resolve("checkpoints"), hmac);
    assertNull(byHmac.problem(), byHmac.problem());
    assertEquals("HS256", byHmac.entries().get(0).checkpoint().alg());
    CheckpointLog byEd = CheckpointLog.read(edDir.resolve("checkpoints"), ed);
    assertNull(byEd.problem(), byEd.problem());
    assertEquals("Ed25519", byEd.entries().get(0).checkpoint().alg());
    assertEquals("checkpoints-" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + ".jsonl:1: signature mismatch"
        + " (Ed25519)", CheckpointLog.read(edDir.resolve("checkpoints"), wrongEd).problem());
    assertTrue(CheckpointLog.read(edDir.resolve("checkpoints"), hmac).problem().endsWith(": signed with Ed25519,"
        + " which no given key checks (give --checkpoint-public-key)"));
    String key = Files.readString(edKey);
    String body = key.substring(key.indexOf('\n') + 1, key.indexOf("-----END"));
    for (Path file : List.of(hmacDir, edDir)) {
      try (var all = Files.walk(file)) {
        for (Path p : all.filter(Files::isRegularFile).toList()) {
          String text = Files.readString(p);
          assertFalse(text.contains(KEY) || text.contains(body.trim()), "no key in " + p);
        }
      }
    }
  }

  @Test
  void checkpointsCanAlsoGoToTheirOwnLogger() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(CheckpointWriter.LOGGER);
    ListAppender<ILoggingEvent> shipped = new ListAppender<>();
    shipped.start();
    logger.addAppender(shipped);
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO); // the tests' root level is WARN; a gateway's is INFO
    try {
      Path dir = tmp.resolve("audit");
      AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 1 << 20, null,
          new CheckpointSettings(null, Duration.ofHours(1), null, true)));
      audit.rejected(Requests.refused("r-1", "192.0.2.1", "/chat"), Reason.ROUTE_NOT_FOUND);
      Await.result(audit.close());
      List<String> logged = shipped.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      List<String> written = new ArrayList<>();
      checkpoints(dir.resolve("checkpoints")).forEach(c -> written.add(c.encode()));
      assertEquals(written, logged, "the same lines as the files");
    } finally {
      logger.detachAppender(shipped);
      logger.setLevel(level);
    }
  }

  @Test
  void aCheckpointDirectoryThatCannotBeWrittenLeavesTheRecordsAlone() throws Exception {
    Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Path dir = tmp.resolve("audit");
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, 2048, null,
        new CheckpointSettings(blocker.resolve("checkpoints"), Duration.ofMillis(50), null, false)));
    for (int i = 0; i < 40; i++) {
      audit.rejected(Requests.refused("r-" + i, "192.0.2.1", "/chat"), Reason.ROUTE_NOT_FOUND);
    }
    Await.result(audit.close());
    assertTrue(audit.healthy(), "the trail itself is fine");
    assertEquals(0, audit.metrics().auditDrops());
    assertEquals(40, AuditWriterTest.records(dir).stream()
        .filter(r -> r.getString("event").equals("handshake.rejected")).count());
    AuditWriterTest.assertIntact(dir);
  }
}
