package io.wsgate.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how the audit trail is written (the top-level {@code audit:} section).
 *
 * <pre>{@code
 * AuditSettings files = new AuditSettings(Path.of("/var/log/wsgate"), 100 << 20, 65536, Duration.ofSeconds(1),
 *     AuditSettings.OnFailure.FAIL_CLOSED, Path.of("/etc/wsgate/audit.key"), null, false);
 * }</pre>
 *
 * @param dir           the directory of the hash-chained {@code audit-YYYY-MM-DD[.N].jsonl} files; null:
 *                      no files, records go to the {@code wsgate.audit} logger only ({@link #LOG_ONLY})
 * @param rotateBytes   a file that would grow beyond this starts the next one
 * @param queueSize     the most records waiting for the writer thread; beyond it records are dropped
 * @param flushInterval how often written records are forced to disk
 * @param onFailure     what the gateway does while records cannot be written
 * @param hmacKeyFile   file holding the HMAC-SHA256 key that signs each record (never inline); may be null
 * @param hmacKeyEnv    environment variable holding that key instead; may be null, never both
 * @param console       also mirror every record to the {@code wsgate.audit} logger
 * @param nodeId        the {@code node} of every record; null: the {@code WSGATE_NODE_ID} environment variable, or
 *                      the host name ({@code io.wsgate.audit.NodeId})
 * @param checkpoints   the signed checkpoints that seal the files' end
 * @param retention     which old files are deleted ({@link RetentionSettings#KEEP_ALL}: none)
 * @param syslog        the RFC 5424 syslog copy of every record; null: none
 */
public record AuditSettings(Path dir, long rotateBytes, int queueSize, Duration flushInterval, OnFailure onFailure,
                            Path hmacKeyFile, String hmacKeyEnv, boolean console, String nodeId,
                            CheckpointSettings checkpoints, RetentionSettings retention, SyslogSettings syslog) {
  /** HMAC-SHA256 keys shorter than the hash output are refused (RFC 2104 §3). */
  public static final int MIN_HMAC_KEY_BYTES = 32;
  public static final long DEFAULT_ROTATE_BYTES = 100L << 20;
  public static final int DEFAULT_QUEUE_SIZE = 65536;
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  /** What a node id may be: {@link #NODE_ID_RULE}. */
  public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  public static final String NODE_ID_RULE = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter"
      + " or digit";

  /** No {@code audit:} section: records go to the log only, as JSON lines, and never refuse traffic. */
  public static final AuditSettings LOG_ONLY = new AuditSettings(null, DEFAULT_ROTATE_BYTES, DEFAULT_QUEUE_SIZE,
      DEFAULT_FLUSH_INTERVAL, OnFailure.FAIL_OPEN, null, null, true, null, CheckpointSettings.DEFAULT);

  /** What the gateway does while the audit trail cannot keep every record. */
  public enum OnFailure {
    /** New handshakes get HTTP 503 ({@code audit_unavailable}) until records are written again. */
    FAIL_CLOSED,
    /** Traffic continues; lost records are counted ({@code auditDrops}) and logged. */
    FAIL_OPEN
  }

  /**
   * Settings without a node id of their own (the environment or the host name names the node) and
   * with the default checkpoints.
   */
  public AuditSettings(Path dir, long rotateBytes, int queueSize, Duration flushInterval, OnFailure onFailure,
                       Path hmacKeyFile, String hmacKeyEnv, boolean console) {
    this(dir, rotateBytes, queueSize, flushInterval, onFailure, hmacKeyFile, hmacKeyEnv, console, null,
        CheckpointSettings.DEFAULT);
  }

  /** Settings that keep every file and send no syslog copy. */
  public AuditSettings(Path dir, long rotateBytes, int queueSize, Duration flushInterval, OnFailure onFailure,
                       Path hmacKeyFile, String hmacKeyEnv, boolean console, String nodeId,
                       CheckpointSettings checkpoints) {
    this(dir, rotateBytes, queueSize, flushInterval, onFailure, hmacKeyFile, hmacKeyEnv, console, nodeId, checkpoints,
        RetentionSettings.KEEP_ALL, null);
  }

  public AuditSettings {
    if (rotateBytes <= 0) {
      throw new IllegalArgumentException("rotateBytes must be > 0, got " + rotateBytes);
    }
    if (queueSize <= 0) {
      throw new IllegalArgumentException("queueSize must be > 0, got " + queueSize);
    }
    Objects.requireNonNull(flushInterval, "flushInterval");
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flushInterval must be > 0, got " + flushInterval);
    }
    Objects.requireNonNull(onFailure, "onFailure");
    if (hmacKeyFile != null && hmacKeyEnv != null) {
      throw new IllegalArgumentException("hmacKeyFile and hmacKeyEnv are exclusive");
    }
    if (nodeId != null && !NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("nodeId " + NODE_ID_RULE + ", got " + nodeId);
    }
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(retention, "retention");
  }

  /** These settings with another node id. */
  public AuditSettings withNodeId(String value) {
    return new AuditSettings(dir, rotateBytes, queueSize, flushInterval, onFailure, hmacKeyFile, hmacKeyEnv, console,
        value, checkpoints, retention, syslog);
  }

  /** These settings with another retention. */
  public AuditSettings withRetention(RetentionSettings value) {
    return new AuditSettings(dir, rotateBytes, queueSize, flushInterval, onFailure, hmacKeyFile, hmacKeyEnv, console,
        nodeId, checkpoints, value, syslog);
  }

  /** These settings with another syslog copy (null: none). */
  public AuditSettings withSyslog(SyslogSettings value) {
    return new AuditSettings(dir, rotateBytes, queueSize, flushInterval, onFailure, hmacKeyFile, hmacKeyEnv, console,
        nodeId, checkpoints, retention, value);
  }

  /** True when records are written to hash-chained files in {@link #dir()}. */
  public boolean files() {
    return dir != null;
  }

  /** Where checkpoints are written; null without files. */
  public Path checkpointDir() {
    if (checkpoints.dir() != null) {
      return checkpoints.dir();
    }
    return dir == null ? null : dir.resolve(CheckpointSettings.DEFAULT_DIR_NAME);
  }

  /** True when records carry an {@code hmac}. */
  public boolean signed() {
    return hmacKeyFile != null || hmacKeyEnv != null;
  }

  /** The HMAC key source in the form {@link HmacSecrets#read(KeySource)} reads; null when unsigned. */
  public KeySource hmacKeySource() {
    return signed() ? new KeySource(null, null, null, null, null, hmacKeyFile, hmacKeyEnv) : null;
  }
}
