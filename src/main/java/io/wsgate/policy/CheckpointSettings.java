package io.wsgate.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the audit trail is sealed against a cut tail: signed checkpoints of the chain's end
 * ({@code audit.checkpoint*} keys; docs/audit.md, "Checkpoints").
 *
 * <pre>{@code
 * new CheckpointSettings(null, Duration.ofMinutes(1), Path.of("/etc/wsgate/checkpoint.key"), true)
 * }</pre>
 *
 * @param dir      where the {@code checkpoints-YYYY-MM-DD.jsonl} files go; null: {@code checkpoints} in the audit directory
 * @param interval how often a checkpoint is written while records are being written (also at every rotation and at stop)
 * @param keyFile  the Ed25519 private key (PKCS#8 PEM) that signs them; null: the audit HMAC key if there is one,
 *                 else they are unsigned
 * @param log      also write each checkpoint to the {@code wsgate.audit.checkpoint} logger, to be shipped elsewhere
 */
public record CheckpointSettings(Path dir, Duration interval, Path keyFile, boolean log) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  public static final CheckpointSettings DEFAULT = new CheckpointSettings(null, DEFAULT_INTERVAL, null, false);
  /** The default directory's name, inside the audit directory. */
  public static final String DEFAULT_DIR_NAME = "checkpoints";

  public CheckpointSettings {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("checkpoint interval must be > 0, got " + interval);
    }
  }
}
