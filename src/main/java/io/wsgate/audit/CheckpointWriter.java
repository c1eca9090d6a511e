package io.wsgate.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Appends signed checkpoints to {@code checkpoints-YYYY-MM-DD.jsonl} (the UTC day of each) in the
 * checkpoint directory, forcing each to disk, and optionally to the {@code wsgate.audit.checkpoint}
 * logger so that they can be shipped off the machine. Called on the audit writer's thread only, and
 * only with lines already forced to disk, so a checkpoint never names a line a crash could lose.
 * A checkpoint that cannot be written is logged and skipped: the records themselves are unaffected.
 *
 * <pre>{@code
 * checkpoints.write(new AuditFileName(day, 0), 57, 123, hash, "interval");
 * }</pre>
 */
final class CheckpointWriter {
  static final String LOGGER = "wsgate.audit.checkpoint";
  private static final Logger SHIPPED = LoggerFactory.getLogger(LOGGER);
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

  private final Path dir;
  private final String node;
  private final CheckpointSigner signer;
  private final boolean log;
  private final Clock clock;
  private boolean failing;

  CheckpointWriter(Path dir, String node, CheckpointSigner signer, boolean log, Clock clock) {
    this.dir = dir;
    this.node = node;
    this.signer = signer;
    this.log = log;
    this.clock = clock;
  }

  /** The name of the file that holds checkpoints written on {@code day}. */
  static String fileName(LocalDate day) {
    return "checkpoints-" + day + ".jsonl";
  }

  /** @return whether the checkpoint reached the disk; never throws, the audit writer must go on */
  boolean write(AuditFileName file, long line, long seq, String hash, String reason) {
    try {
      Instant now = clock.instant();
      String text = signer.line(new Checkpoint(AuditChain.timestamp(now), node, file.toString(), line, seq, hash,
          reason, signer.alg()));
      if (log) {
        SHIPPED.info(text);
      }
      append(dir.resolve(fileName(LocalDate.ofInstant(now, ZoneOffset.UTC))), text);
      if (failing) {
        failing = false;
        LOG.warn("audit checkpoints: writing to {} again", dir);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.error("audit checkpoints: cannot write to {}: {}; the trail's end is not sealed until this recovers",
            dir, e.toString());
      }
      return false;
    }
  }

  private static void append(Path target, String text) throws IOException {
    Files.createDirectories(target.getParent());
    // One writer thread: writing at the end is appending.
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.READ)) {
      boolean tornBefore = false;
      long size = channel.size();
      if (size > 0) {
        ByteBuffer last = ByteBuffer.allocate(1);
        channel.read(last, size - 1);
        tornBefore = last.get(0) != '\n';
      }
      // After a torn write (a crash), start on a line of its own: verify reports the torn one.
      ByteBuffer bytes = ByteBuffer.wrap(((tornBefore ? "\n" : "") + text + "\n").getBytes(StandardCharsets.UTF_8));
      long at = size;
      while (bytes.hasRemaining()) {
        at += channel.write(bytes, at);
      }
      channel.force(false);
    }
  }
}
