package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code audit:}. */
class AuditPolicyTest extends PolicyTestSupport {
  private static final String HEAD = PLAIN_LISTENER + ONE_ROUTE; // lines 1-8
  private static final String KEY = "k".repeat(32);

  @Test
  void everyKeyParses() throws Exception {
    Files.writeString(dir.resolve("audit.key"), KEY + "\n");
    AuditSettings a = load(HEAD + "audit:\n"
        + "  dir: logs/audit\n"
        + "  rotateBytes: 10MiB\n"
        + "  queueSize: 1000\n"
        + "  flushInterval: 250ms\n"
        + "  onFailure: failOpen\n"
        + "  hmacKeyFile: audit.key\n"
        + "  console: true\n"
        + "  nodeId: gw-eu-1.prod_2\n").audit();
    assertEquals(new AuditSettings(abs("logs/audit"), 10 << 20, 1000, Duration.ofMillis(250),
        AuditSettings.OnFailure.FAIL_OPEN, abs("audit.key"), null, true, "gw-eu-1.prod_2", CheckpointSettings.DEFAULT), a);
  }

  @Test
  void absentOrEmptyMeansLogOnlyAndAPresentSectionHasDefaults() throws Exception {
    assertEquals(AuditSettings.LOG_ONLY, load(HEAD).audit());
    assertEquals(AuditSettings.LOG_ONLY, load(HEAD + "audit:\n").audit());
    assertEquals(new AuditSettings(abs("audit"), 100 << 20, 65536, Duration.ofSeconds(1),
        AuditSettings.OnFailure.FAIL_CLOSED, null, null, false), load(HEAD + "audit: { dir: audit }\n").audit());
  }

  @Test
  void theShippedPolicyWritesToTheRepositorysAuditDirectory() throws Exception {
    AuditSettings a = PolicyLoader.load(Path.of("policies")).audit();
    assertEquals(Path.of("audit").toAbsolutePath().normalize(), a.dir());
    assertEquals(AuditSettings.OnFailure.FAIL_CLOSED, a.onFailure());
  }

  @Test
  void dirIsRequiredAndMustBeADirectory() throws Exception {
    assertEquals("9:8: audit.dir: required (the directory for the audit files, e.g. dir: /var/log/wsgate/audit)",
        onlyError(HEAD + "audit: { console: true }\n"));
    Files.writeString(dir.resolve("plain-file"), "x");
    assertEquals("9:15: audit.dir: not a directory: " + abs("plain-file"), onlyError(HEAD + "audit: { dir: plain-file }\n"));
  }

  @Test
  void boundsAndChoices() throws Exception {
    assertEquals(List.of(
            "11:16: audit.rotateBytes: must be between 1024 bytes (1KiB) and 1073741824 bytes (1024MiB), got \"512\"",
            "12:14: audit.queueSize: must be between 1 and 16777216, got 0",
            "13:18: audit.flushInterval: must be at most 1m, got 2m",
            "14:14: audit.onFailure: expected failClosed or failOpen, got \"block\"",
            "15:3: audit.other: unknown key (expected one of: dir, rotateBytes, queueSize, flushInterval, onFailure,"
                + " hmacKeyFile, hmacKeyEnv, console, nodeId, checkpointDir, checkpointInterval, checkpointKeyFile,"
                + " checkpointLog, keepDays, keepBytes, syslog)"),
        errors(HEAD + "audit:\n"
            + "  dir: audit\n"
            + "  rotateBytes: 512\n"
            + "  queueSize: 0\n"
            + "  flushInterval: 2m\n"
            + "  onFailure: block\n"
            + "  other: 1\n"));
    assertEquals("11:18: audit.flushInterval: must be greater than 0",
        onlyError(HEAD + "audit:\n  dir: audit\n  flushInterval: 0s\n"));
  }

  @Test
  void retentionAndSyslogParse() throws Exception {
    Files.writeString(dir.resolve("siem-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    AuditSettings a = load(HEAD + "audit:\n"
        + "  dir: audit\n"
        + "  keepDays: 90\n"
        + "  keepBytes: 10240MiB\n"
        + "  syslog: { host: siem.example.net, port: 6514, transport: tls, caFile: siem-ca.pem, appName: gw,"
        + " facility: 10, queueSize: 500 }\n").audit();
    assertEquals(new RetentionSettings(90, 10L << 30), a.retention());
    assertEquals(new SyslogSettings("siem.example.net", 6514, SyslogSettings.Transport.TLS, abs("siem-ca.pem"), "gw", 10,
        500), a.syslog());
    AuditSettings d = load(HEAD + "audit: { dir: audit, syslog: { host: 127.0.0.1, port: 601 } }\n").audit();
    assertEquals(RetentionSettings.KEEP_ALL, d.retention());
    assertEquals(new SyslogSettings("127.0.0.1", 601, SyslogSettings.Transport.TCP, null, "wsgate", 13, 10_000),
        d.syslog());
  }

  @Test
  void retentionAndSyslogBounds() throws Exception {
    assertEquals(List.of(
            "9:32: audit.keepDays: must be between 1 and 36500, got 0",
            "9:60: audit.syslog.port: must be between 1 and 65535, got 0",
            "9:74: audit.syslog.transport: expected tcp or tls, got \"udp\"",
            "9:89: audit.syslog.facility: must be between 0 and 23, got 24"),
        errors(HEAD + "audit: { dir: audit, keepDays: 0, syslog: { host: h, port: 0, transport: udp, facility: 24 } }\n"));
    assertEquals("9:30: audit.syslog.host: required (the syslog receiver, e.g. host: siem.example.net)",
        onlyError(HEAD + "audit: { dir: audit, syslog: { port: 601 } }\n"));
  }

  @Test
  void aNodeIdIsAShortPlainName() throws Exception {
    assertEquals("9:30: audit.nodeId: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or"
        + " digit, got \"gw 1\"", onlyError(HEAD + "audit: { dir: audit, nodeId: \"gw 1\" }\n"));
    assertEquals("9:30: audit.nodeId: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or"
        + " digit, got \"-gw\"", onlyError(HEAD + "audit: { dir: audit, nodeId: \"-gw\" }\n"));
    assertEquals("n".repeat(64), load(HEAD + "audit: { dir: audit, nodeId: " + "n".repeat(64) + " }\n").audit().nodeId());
    assertEquals(1, errors(HEAD + "audit: { dir: audit, nodeId: " + "n".repeat(65) + " }\n").size());
    assertEquals(null, load(HEAD + "audit: { dir: audit }\n").audit().nodeId(), "unset: the environment or the host");
  }

  @Test
  void checkpointsHaveDefaultsAndEveryKeyParses() throws Exception {
    AuditSettings defaults = load(HEAD + "audit: { dir: audit }\n").audit();
    assertEquals(CheckpointSettings.DEFAULT, defaults.checkpoints());
    assertEquals(abs("audit/checkpoints"), defaults.checkpointDir(), "beside the records by default");
    Files.writeString(dir.resolve("checkpoint.key"), Ed25519Keys.pem(Ed25519Keys.generate().getPrivate()));
    AuditSettings a = load(HEAD + "audit:\n"
        + "  dir: audit\n"
        + "  checkpointDir: /var/lib/wsgate/seals\n"
        + "  checkpointInterval: 10s\n"
        + "  checkpointKeyFile: checkpoint.key\n"
        + "  checkpointLog: true\n").audit();
    assertEquals(new CheckpointSettings(Path.of("/var/lib/wsgate/seals"), Duration.ofSeconds(10), abs("checkpoint.key"),
        true), a.checkpoints());
    assertEquals(Path.of("/var/lib/wsgate/seals"), a.checkpointDir());
  }

  @Test
  void aCheckpointKeyMustBeAnEd25519PrivateKeyAndIsNeverShown() throws Exception {
    Files.writeString(dir.resolve("public.pem"), Ed25519Keys.pem(Ed25519Keys.generate().getPublic()));
    assertEquals("11:22: audit.checkpointKeyFile: " + abs("public.pem") + " is not a PEM file with a"
            + " '-----BEGIN PRIVATE KEY-----' block",
        onlyError(HEAD + "audit:\n  dir: audit\n  checkpointKeyFile: public.pem\n"));
    // An EC key in the same wrapping: PKCS#8, but not Ed25519.
    java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
    String ecPem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
        ec.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(dir.resolve("ec.pem"), ecPem);
    String error = onlyError(HEAD + "audit:\n  dir: audit\n  checkpointKeyFile: ec.pem\n");
    assertEquals("11:22: audit.checkpointKeyFile: " + abs("ec.pem") + " holds no Ed25519 private key (expected"
        + " PKCS#8 PEM, as written by 'openssl genpkey -algorithm ed25519')", error);
    assertEquals("11:22: audit.checkpointKeyFile: file not found: " + abs("missing.key"),
        onlyError(HEAD + "audit:\n  dir: audit\n  checkpointKeyFile: missing.key\n"));
    assertEquals("11:23: audit.checkpointInterval: must be between 1s and 1h, got 500ms",
        onlyError(HEAD + "audit:\n  dir: audit\n  checkpointInterval: 500ms\n"));
    assertEquals("11:23: audit.checkpointInterval: must be between 1s and 1h, got 2h",
        onlyError(HEAD + "audit:\n  dir: audit\n  checkpointInterval: 2h\n"));
    Files.writeString(dir.resolve("a-file"), "x");
    assertEquals("11:18: audit.checkpointDir: not a directory: " + abs("a-file"),
        onlyError(HEAD + "audit:\n  dir: audit\n  checkpointDir: a-file\n"));
  }

  @Test
  void theHmacKeyIsCheckedLikeAnIssuerSecretAndNeverShown() throws Exception {
    Files.writeString(dir.resolve("short.key"), "too short");
    assertEquals("11:16: audit.hmacKeyFile: the key in " + abs("short.key")
            + " is 9 bytes, too short: HMAC-SHA256 needs at least 32 bytes",
        onlyError(HEAD + "audit:\n  dir: audit\n  hmacKeyFile: short.key\n"));
    assertEquals("11:16: audit.hmacKeyFile: file not found: " + abs("missing.key"),
        onlyError(HEAD + "audit:\n  dir: audit\n  hmacKeyFile: missing.key\n"));
    assertEquals("11:15: audit.hmacKeyEnv: environment variable WSGATE_AUDIT_KEY is not set",
        onlyError(HEAD + "audit:\n  dir: audit\n  hmacKeyEnv: WSGATE_AUDIT_KEY\n"));
    env = Map.of("WSGATE_AUDIT_KEY", "secret")::get;
    assertEquals("11:15: audit.hmacKeyEnv: environment variable WSGATE_AUDIT_KEY is 6 bytes, too short: HMAC-SHA256"
        + " needs at least 32 bytes", onlyError(HEAD + "audit:\n  dir: audit\n  hmacKeyEnv: WSGATE_AUDIT_KEY\n"));
    assertEquals("11:15: audit.hmacKeyEnv: invalid environment variable name \"1BAD\"",
        onlyError(HEAD + "audit:\n  dir: audit\n  hmacKeyEnv: 1BAD\n"));
    env = Map.of("WSGATE_AUDIT_KEY", KEY)::get;
    assertEquals("WSGATE_AUDIT_KEY",
        load(HEAD + "audit:\n  dir: audit\n  hmacKeyEnv: WSGATE_AUDIT_KEY\n").audit().hmacKeyEnv());
    Files.writeString(dir.resolve("audit.key"), KEY);
    assertEquals("12:15: audit.hmacKeyEnv: conflicts with hmacKeyFile (choose one)",
        onlyError(HEAD + "audit:\n  dir: audit\n  hmacKeyFile: audit.key\n  hmacKeyEnv: WSGATE_AUDIT_KEY\n"));
  }
}
