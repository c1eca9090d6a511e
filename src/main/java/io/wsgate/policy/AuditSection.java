package io.wsgate.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/** Reads the top-level {@code audit:} block: where the hash-chained audit files go and how they are written. */
final class AuditSection {
  static final List<String> KEYS = List.of("dir", "rotateBytes", "queueSize", "flushInterval", "onFailure",
      "hmacKeyFile", "hmacKeyEnv", "console", "nodeId", "checkpointDir", "checkpointInterval", "checkpointKeyFile",
      "checkpointLog", "keepDays", "keepBytes", "syslog");
  static final List<String> SYSLOG_KEYS = List.of("host", "port", "transport", "caFile", "appName", "facility",
      "queueSize");
  static final List<String> TRANSPORTS = List.of("tcp", "tls");
  static final int MAX_KEEP_DAYS = 36500;
  static final long MIN_KEEP_BYTES = 1 << 10;
  static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
  static final Duration MAX_CHECKPOINT_INTERVAL = Duration.ofHours(1);
  static final long MIN_ROTATE_BYTES = 1 << 10;
  static final long MAX_ROTATE_BYTES = 1L << 30;
  static final int MAX_QUEUE_SIZE = 1 << 24;
  static final Duration MAX_FLUSH_INTERVAL = Duration.ofMinutes(1);
  static final List<String> ON_FAILURE = List.of("failClosed", "failOpen");

  private final PolicyPaths paths;
  private final Function<String, String> env;

  AuditSection(PolicyPaths paths, Function<String, String> env) {
    this.paths = paths;
    this.env = env;
  }

  /** {@link AuditSettings#LOG_ONLY} when the section is absent or empty. */
  AuditSettings read(MappingReader top) {
    if (!top.has("audit")) {
      return AuditSettings.LOG_ONLY;
    }
    MappingReader m = top.mapping("audit", KEYS);
    m.requireKey("dir", "required (the directory for the audit files, e.g. dir: /var/log/wsgate/audit)");
    Path dir = paths.resolve(m, "dir");
    if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
      m.error("dir", "not a directory: " + dir);
    }
    AuditSettings d = AuditSettings.LOG_ONLY;
    long rotateBytes = m.size("rotateBytes", (int) d.rotateBytes(), MIN_ROTATE_BYTES, MAX_ROTATE_BYTES);
    int queueSize = m.integer("queueSize", d.queueSize(), 1, MAX_QUEUE_SIZE);
    Duration flushInterval = m.positiveDuration("flushInterval", d.flushInterval());
    if (flushInterval.compareTo(MAX_FLUSH_INTERVAL) > 0) {
      m.error("flushInterval", "must be at most " + Units.format(MAX_FLUSH_INTERVAL) + ", got "
          + Units.format(flushInterval));
      flushInterval = d.flushInterval();
    }
    AuditSettings.OnFailure onFailure = m.choice("onFailure", ON_FAILURE, ON_FAILURE.get(0)).equals("failOpen")
        ? AuditSettings.OnFailure.FAIL_OPEN : AuditSettings.OnFailure.FAIL_CLOSED;
    Path keyFile = null;
    String keyEnv = null;
    if (m.has("hmacKeyFile") && m.has("hmacKeyEnv")) {
      m.error("hmacKeyEnv", "conflicts with hmacKeyFile (choose one)");
    } else if (m.has("hmacKeyFile")) {
      keyFile = keyFile(m);
    } else if (m.has("hmacKeyEnv")) {
      keyEnv = keyEnv(m);
    }
    boolean console = m.bool("console", false);
    String nodeId = m.string("nodeId", null);
    if (nodeId != null && !AuditSettings.NODE_ID.matcher(nodeId).matches()) {
      m.error("nodeId", AuditSettings.NODE_ID_RULE + ", got " + NodeReader.quote(nodeId));
      nodeId = null;
    }
    return new AuditSettings(dir, rotateBytes, queueSize, flushInterval, onFailure, keyFile, keyEnv, console, nodeId,
        checkpoints(m), retention(m), syslog(m));
  }

  private RetentionSettings retention(MappingReader m) {
    int days = m.integer("keepDays", 0, 1, MAX_KEEP_DAYS);
    long bytes = m.longSize("keepBytes", 0, MIN_KEEP_BYTES, Long.MAX_VALUE);
    return new RetentionSettings(days, bytes);
  }

  private SyslogSettings syslog(MappingReader top) {
    if (!top.has("syslog")) {
      return null;
    }
    MappingReader m = top.mapping("syslog", SYSLOG_KEYS);
    m.requireKey("host", "required (the syslog receiver, e.g. host: siem.example.net)");
    m.requireKey("port", "required (the receiver's TCP port, e.g. port: 6514)");
    String host = m.string("host", null);
    int port = m.integer("port", 0, 1, 65535);
    SyslogSettings.Transport transport = m.choice("transport", TRANSPORTS, "tcp").equals("tls")
        ? SyslogSettings.Transport.TLS : SyslogSettings.Transport.TCP;
    Path caFile = paths.resolve(m, "caFile");
    if (caFile != null) {
      PolicyPaths.checkReadable(m, "caFile", caFile);
      if (transport != SyslogSettings.Transport.TLS) {
        m.error("caFile", "only with transport: tls");
      }
    }
    String appName = m.string("appName", SyslogSettings.DEFAULT_APP_NAME);
    if (!SyslogSettings.APP_NAME.matcher(appName).matches()) {
      m.error("appName", "must be 1 to 48 printable US-ASCII characters without spaces, got "
          + NodeReader.quote(appName));
      appName = SyslogSettings.DEFAULT_APP_NAME;
    }
    int facility = m.integer("facility", SyslogSettings.DEFAULT_FACILITY, 0, 23);
    int queueSize = m.integer("queueSize", SyslogSettings.DEFAULT_QUEUE_SIZE, 1, MAX_QUEUE_SIZE);
    if (host == null || port == 0) {
      return null; // reported above
    }
    return new SyslogSettings(host, port, transport, caFile, appName, facility, queueSize);
  }

  private CheckpointSettings checkpoints(MappingReader m) {
    Path dir = paths.resolve(m, "checkpointDir");
    if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
      m.error("checkpointDir", "not a directory: " + dir);
    }
    Duration interval = m.positiveDuration("checkpointInterval", CheckpointSettings.DEFAULT_INTERVAL);
    if (interval.compareTo(MIN_CHECKPOINT_INTERVAL) < 0 || interval.compareTo(MAX_CHECKPOINT_INTERVAL) > 0) {
      m.error("checkpointInterval", "must be between " + Units.format(MIN_CHECKPOINT_INTERVAL) + " and "
          + Units.format(MAX_CHECKPOINT_INTERVAL) + ", got " + Units.format(interval));
      interval = CheckpointSettings.DEFAULT_INTERVAL;
    }
    Path keyFile = paths.resolve(m, "checkpointKeyFile");
    if (keyFile != null && PolicyPaths.checkReadable(m, "checkpointKeyFile", keyFile)) {
      try {
        Ed25519Keys.readPrivate(keyFile);
      } catch (IllegalStateException e) {
        m.error("checkpointKeyFile", e.getMessage());
      }
    }
    return new CheckpointSettings(dir, interval, keyFile, m.bool("checkpointLog", false));
  }

  private Path keyFile(MappingReader m) {
    Path file = paths.resolve(m, "hmacKeyFile");
    if (file != null && PolicyPaths.checkReadable(m, "hmacKeyFile", file)) {
      checkKey(m, "hmacKeyFile", new KeySource(null, null, null, null, null, file, null), "the key in " + file);
    }
    return file;
  }

  private String keyEnv(MappingReader m) {
    String name = m.string("hmacKeyEnv", null);
    if (name == null) {
      return null;
    }
    if (!IssuersSection.ENV_NAME.matcher(name).matches()) {
      m.error("hmacKeyEnv", "invalid environment variable name " + NodeReader.quote(name));
      return null;
    }
    checkKey(m, "hmacKeyEnv", new KeySource(null, null, null, null, null, null, name), "environment variable " + name);
    return name;
  }

  /** Reads the key only to measure it; the message names where it is, never what it is. */
  private void checkKey(MappingReader m, String key, KeySource source, String what) {
    byte[] secret;
    try {
      secret = HmacSecrets.read(source, env);
    } catch (IllegalStateException e) {
      m.error(key, e.getMessage());
      return;
    }
    int length = secret.length;
    Arrays.fill(secret, (byte) 0);
    if (length == 0) {
      m.error(key, what + " is empty");
    } else if (length < AuditSettings.MIN_HMAC_KEY_BYTES) {
      m.error(key, what + " is " + length + " bytes, too short: HMAC-SHA256 needs at least "
          + AuditSettings.MIN_HMAC_KEY_BYTES + " bytes");
    }
  }
}
