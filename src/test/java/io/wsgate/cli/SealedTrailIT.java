package io.wsgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.CheckpointSettings;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sealed trail as an operator meets it: a key from {@code audit keygen}, the files a real
 * gateway wrote while it served real clients and stopped, damaged the ways an intruder covers
 * tracks, and {@code audit verify --checkpoints} run on them. Each damage passes the chain alone
 * and is reported with the checkpoints as {@code file:line: message}, exit 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SealedTrailIT {
  private Path root;
  private Path trail;
  private Path publicKey;
  /** The checkpoints as the wsgate.audit.checkpoint logger shipped them, by file name. */
  private final List<String> shipped = new ArrayList<>();

  private record Run(int exitCode, String out, String err) {
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @AfterAll
  void removeTheFiles() throws IOException {
    if (root != null) {
      try (Stream<Path> all = Files.walk(root)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @BeforeAll
  void aGatewayWritesASealedTrail() throws Exception {
    root = Files.createTempDirectory("sealed-trail");
    Path key = root.resolve("checkpoint.key");
    Run keygen = run("audit", "keygen", "--out", key.toString());
    assertEquals(new Run(0, "wrote " + key + " (audit.checkpointKeyFile) and " + key + ".pub (audit verify"
        + " --checkpoint-public-key)\n", ""), keygen);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals(1, run("audit", "keygen", "--out", key.toString()).exitCode(), "never replaces a key");
    publicKey = root.resolve("checkpoint.key.pub");

    trail = root.resolve("audit");
    Logger logger = (Logger) LoggerFactory.getLogger("wsgate.audit.checkpoint");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .audit(new AuditSettings(trail, 2048, 1024, Duration.ofMillis(50), AuditSettings.OnFailure.FAIL_CLOSED,
                 null, null, false, "gw-it", new CheckpointSettings(null, Duration.ofSeconds(1), key, true))).build())) {
      for (int i = 0; i < 6; i++) {
        WebSocket ws = Await.result(harness.connect("/chat"));
        BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
        ws.textMessageHandler(echoes::add);
        ws.writeTextMessage("message " + i);
        assertEquals("message " + i, echoes.poll(10, TimeUnit.SECONDS));
        Await.result(ws.close());
        Await.result(harness.connect("/nowhere").otherwiseEmpty()); // refused: 404
      }
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }
    appender.list.forEach(e -> shipped.add(e.getFormattedMessage()));
    assertTrue(AuditFileName.collect(List.of(trail)).size() >= 3, "rotated a few times");
  }

  /** A fresh copy of the trail to damage. */
  private Path copy(String name) throws IOException {
    Path target = root.resolve(name);
    try (Stream<Path> all = Files.walk(trail)) {
      for (Path p : all.toList()) {
        Path to = target.resolve(trail.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return target;
  }

  private Run verify(Path dir, boolean withCheckpoints) {
    return withCheckpoints
        ? run("audit", "verify", "--checkpoints", dir.resolve("checkpoints").toString(), "--checkpoint-public-key",
            publicKey.toString(), dir.toString())
        : run("audit", "verify", dir.toString());
  }

  private static Path newest(Path dir) throws IOException {
    List<Path> files = AuditFileName.collect(List.of(dir));
    return files.get(files.size() - 1);
  }

  private static List<String> lines(Path file) throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static long seq(String line) {
    return new JsonObject(line).getLong("seq");
  }

  /** The last checkpoint as verify names it: {@code checkpoints-<day>.jsonl:<line> of <ts>}. */
  private static String lastSeal(Path checkpoints) throws IOException {
    Path file;
    try (Stream<Path> files = Files.list(checkpoints)) {
      file = files.max(Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
    }
    List<String> lines = lines(file);
    return file.getFileName() + ":" + lines.size() + " of " + new JsonObject(lines.get(lines.size() - 1)).getString("ts");
  }

  /** The first checkpoint that seals {@code seq}, as verify names it (an interval and the stop may both seal it). */
  private static String firstSealOf(Path checkpoints, long seq) throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(checkpoints)) {
      files = listing.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    for (Path file : files) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        JsonObject seal = new JsonObject(lines.get(i));
        if (seal.getLong("seq") == seq) {
          return file.getFileName() + ":" + (i + 1) + " of " + seal.getString("ts");
        }
      }
    }
    throw new AssertionError("no checkpoint seals seq " + seq);
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  @Test
  void anUndamagedTrailVerifiesWithEverySignature() {
    Run ok = verify(trail, true);
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().startsWith("OK ") && ok.out().contains(" checkpoints matched, the last checkpoints-")
        && ok.out().endsWith(", every signature valid\n"), ok.out());
  }

  @Test
  void aCutTailIsMissing() throws Exception {
    Path dir = copy("cut-tail");
    Path file = newest(dir);
    List<String> all = lines(file);
    write(file, all.subList(0, all.size() - 2));
    assertEquals(0, verify(dir, false).exitCode(), "the chain alone cannot tell");
    assertEquals(new Run(1, "", file.getFileName() + ":" + all.size() + ": missing: the trail ends at seq "
            + seq(all.get(all.size() - 3)) + " (" + file.getFileName() + ":" + (all.size() - 2) + "), but the checkpoint "
            + lastSeal(dir.resolve("checkpoints")) + " seals seq " + seq(all.get(all.size() - 1)) + " here\n"),
        verify(dir, true));
  }

  @Test
  void aTailCutMidLineIsATruncatedLine() throws Exception {
    Path dir = copy("cut-mid-line");
    Path file = newest(dir);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 30));
    assertEquals(new Run(1, "", file.getFileName() + ":" + lines(file).size()
        + ": truncated line (no newline at the end of the file)\n"), verify(dir, true));
  }

  @Test
  void aRemovedNewestFileIsMissing() throws Exception {
    Path dir = copy("newest-removed");
    Path removed = newest(dir);
    List<String> removedLines = lines(removed);
    Files.delete(removed);
    Path before = newest(dir);
    List<String> beforeLines = lines(before);
    assertEquals(0, verify(dir, false).exitCode(), "the chain alone cannot tell");
    assertEquals(new Run(1, "", removed.getFileName() + ":" + removedLines.size() + ": missing: the trail ends at seq "
            + seq(beforeLines.get(beforeLines.size() - 1)) + " (" + before.getFileName() + ":" + beforeLines.size()
            + "), but the checkpoint " + lastSeal(dir.resolve("checkpoints")) + " seals seq "
            + seq(removedLines.get(removedLines.size() - 1)) + " here\n"),
        verify(dir, true));
  }

  @Test
  void anEditedLastLineDiffersFromItsSeal() throws Exception {
    Path dir = copy("last-line-edited");
    Path file = newest(dir);
    List<String> all = lines(file);
    String last = all.get(all.size() - 1);
    String edited = last.replace("\"reason\":\"", "\"reason\":\"x");
    assertTrue(!edited.equals(last), last);
    all.set(all.size() - 1, edited);
    write(file, all);
    assertEquals(0, verify(dir, false).exitCode(), "the chain alone cannot tell: no line follows it");
    assertEquals(new Run(1, "", file.getFileName() + ":" + all.size() + ": differs from the line the checkpoint "
        + firstSealOf(dir.resolve("checkpoints"), seq(last)) + " sealed here (another hash)\n"), verify(dir, true));
  }

  @Test
  void checkpointsShippedElsewhereStillCatchACutAfterTheLocalOnesAreDeleted() throws Exception {
    Path dir = copy("local-checkpoints-deleted");
    Path file = newest(dir);
    List<String> all = lines(file);
    write(file, all.subList(0, all.size() - 1));
    try (Stream<Path> seals = Files.list(dir.resolve("checkpoints"))) {
      for (Path seal : seals.toList()) {
        Files.delete(seal);
      }
    }
    assertEquals(new Run(1, "", dir.resolve("checkpoints") + ": no checkpoint files (checkpoints-YYYY-MM-DD.jsonl)\n"),
        verify(dir, true), "deleted checkpoints are noticed, but prove nothing");

    Path elsewhere = Files.createDirectories(root.resolve("shipped"));
    for (String line : shipped) {
      String day = new JsonObject(line).getString("ts").substring(0, 10);
      Files.writeString(elsewhere.resolve("checkpoints-" + day + ".jsonl"), line + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
    Run run = run("audit", "verify", "--checkpoints", elsewhere.toString(), "--checkpoint-public-key",
        publicKey.toString(), dir.toString());
    assertEquals(1, run.exitCode(), run.out());
    assertTrue(run.err().startsWith(file.getFileName() + ":" + all.size() + ": missing: the trail ends at seq "
        + seq(all.get(all.size() - 2))), run.err());
  }
}
