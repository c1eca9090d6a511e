package io.wsgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the top-level {@code cluster:} block. Absent (or written with no value): no cluster. It is
 * checked without contacting Redis: the URI's form (credentials in it are refused), the password's
 * source (set, readable, not empty; never its value), the node id and the bounds.
 */
final class ClusterSection {
  static final List<String> KEYS = List.of("redis", "user", "passwordEnv", "passwordFile", "nodeId", "onStoreFailure",
      "storeTimeout", "leaseTtl", "syncPeriod");
  static final List<String> ON_STORE_FAILURE = Arrays.stream(ClusterSettings.OnStoreFailure.values())
      .map(ClusterSettings.OnStoreFailure::policyName).toList();
  static final Duration MIN_STORE_TIMEOUT = Duration.ofMillis(1);
  static final Duration MAX_STORE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration MIN_LEASE_TTL = Duration.ofSeconds(1);
  static final Duration MAX_LEASE_TTL = Duration.ofHours(1);
  static final Duration MIN_SYNC_PERIOD = Duration.ofMillis(10);
  static final Duration MAX_SYNC_PERIOD = Duration.ofSeconds(10);
  private static final int MAX_PASSWORD_BYTES = 4096;

  private final PolicyPaths paths;
  private final Function<String, String> env;

  ClusterSection(PolicyPaths paths, Function<String, String> env) {
    this.paths = paths;
    this.env = env;
  }

  /** @param audit the audit section, whose node id this section's must not contradict */
  ClusterSettings read(MappingReader top, AuditSettings audit) {
    if (!top.has("cluster")) {
      return ClusterSettings.NONE;
    }
    MappingReader m = top.mapping("cluster", KEYS);
    m.requireKey("redis", "required (where the fleet's Redis is, e.g. redis: redis://10.0.0.9:6379)");
    StoreEndpoint redis = endpoint(m);
    String user = m.string("user", null);
    if (user != null && (user.isEmpty() || user.codePoints().anyMatch(c -> c <= ' ' || c == 0x7f))) {
      m.error("user", "invalid user name " + NodeReader.quote(user));
      user = null;
    }
    String passwordEnv = null;
    Path passwordFile = null;
    if (m.present("passwordEnv") && m.present("passwordFile")) {
      m.error("passwordFile", "conflicts with passwordEnv (choose one)");
    } else if (m.has("passwordFile")) {
      passwordFile = passwordFile(m);
    } else if (m.has("passwordEnv")) {
      passwordEnv = passwordEnv(m);
    }
    String nodeId = m.string("nodeId", null);
    if (nodeId != null && !AuditSettings.NODE_ID.matcher(nodeId).matches()) {
      m.error("nodeId", AuditSettings.NODE_ID_RULE + ", got " + NodeReader.quote(nodeId));
      nodeId = null;
    } else if (nodeId != null && audit.nodeId() != null && !nodeId.equals(audit.nodeId())) {
      // One gateway, one name: in the fleet and in its audit records.
      m.error("nodeId", "differs from audit.nodeId " + NodeReader.quote(audit.nodeId())
          + " (set one of them: the other follows)");
      nodeId = null;
    }
    String failure = m.choice("onStoreFailure", ON_STORE_FAILURE, ClusterSettings.DEFAULT_ON_STORE_FAILURE.policyName());
    ClusterSettings.OnStoreFailure onStoreFailure = Arrays.stream(ClusterSettings.OnStoreFailure.values())
        .filter(f -> f.policyName().equals(failure)).findFirst().orElseThrow();
    Duration storeTimeout = bounded(m, "storeTimeout", ClusterSettings.DEFAULT_STORE_TIMEOUT, MIN_STORE_TIMEOUT,
        MAX_STORE_TIMEOUT);
    Duration leaseTtl = bounded(m, "leaseTtl", ClusterSettings.DEFAULT_LEASE_TTL, MIN_LEASE_TTL, MAX_LEASE_TTL);
    Duration syncPeriod = bounded(m, "syncPeriod", ClusterSettings.DEFAULT_SYNC_PERIOD, MIN_SYNC_PERIOD,
        MAX_SYNC_PERIOD);
    if (redis == null) {
      return ClusterSettings.NONE; // reported; the policy is invalid anyway
    }
    return new ClusterSettings(redis, user, passwordEnv, passwordFile, nodeId, onStoreFailure, storeTimeout, leaseTtl,
        syncPeriod);
  }

  private static StoreEndpoint endpoint(MappingReader m) {
    String text = m.string("redis", null);
    if (text == null) {
      return null;
    }
    try {
      return StoreEndpoint.parse(text);
    } catch (IllegalArgumentException e) {
      // The message never echoes the URI: it may hold a password the parser refused.
      String message = e.getMessage() == null ? "not a usable Redis URI" : e.getMessage().replaceFirst("^redis: ", "");
      m.error("redis", message);
      return null;
    }
  }

  private static Duration bounded(MappingReader m, String key, Duration dflt, Duration min, Duration max) {
    Duration d = m.positiveDuration(key, dflt);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      m.error(key, "must be between " + Units.format(min) + " and " + Units.format(max) + ", got " + Units.format(d));
      return dflt;
    }
    return d;
  }

  private Path passwordFile(MappingReader m) {
    Path file = paths.resolve(m, "passwordFile");
    if (file == null || !PolicyPaths.checkReadable(m, "passwordFile", file)) {
      return file;
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_PASSWORD_BYTES + 1);
    } catch (IOException e) {
      m.error("passwordFile", "cannot read " + file + ": " + e.getClass().getSimpleName());
      return file;
    }
    byte[] password = HmacSecrets.stripNewline(bytes);
    int length = password.length;
    Arrays.fill(password, (byte) 0);
    Arrays.fill(bytes, (byte) 0);
    if (length == 0) {
      m.error("passwordFile", "the password in " + file + " is empty");
    } else if (length > MAX_PASSWORD_BYTES) {
      m.error("passwordFile", "the password in " + file + " is longer than " + MAX_PASSWORD_BYTES
          + " bytes (the file must hold only the password)");
    }
    return file;
  }

  private String passwordEnv(MappingReader m) {
    String name = m.string("passwordEnv", null);
    if (name == null) {
      return null;
    }
    if (!IssuersSection.ENV_NAME.matcher(name).matches()) {
      m.error("passwordEnv", "invalid environment variable name " + NodeReader.quote(name));
      return null;
    }
    String value = env.apply(name);
    if (value == null || value.isEmpty()) {
      m.error("passwordEnv", "environment variable " + name + (value == null ? " is not set" : " is empty"));
    }
    return name;
  }
}
