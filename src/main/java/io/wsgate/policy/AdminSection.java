package io.wsgate.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the top-level {@code admin:} block. Absent (or written with no value) means no admin
 * listener; present, it is enabled on {@code 127.0.0.1:9090} unless it says otherwise. Binding
 * anything but a loopback address requires a bearer token ({@code tokenFile} or {@code tokenEnv}).
 */
final class AdminSection {
  static final List<String> KEYS = List.of("enabled", "host", "port", "tokenFile", "tokenEnv");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final PolicyPaths paths;
  private final Function<String, String> env;

  AdminSection(PolicyPaths paths, Function<String, String> env) {
    this.paths = paths;
    this.env = env;
  }

  AdminSettings read(MappingReader top) {
    if (!top.has("admin")) {
      return AdminSettings.DISABLED;
    }
    MappingReader m = top.mapping("admin", KEYS);
    boolean enabled = m.bool("enabled", true);
    String host = m.string("host", AdminSettings.DEFAULT_HOST);
    if (host.isEmpty() || host.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      m.error("host", "invalid host " + NodeReader.quote(host));
      host = AdminSettings.DEFAULT_HOST;
    }
    int port = m.integer("port", AdminSettings.DEFAULT_PORT, 0, 65535);
    if (m.present("tokenFile") && m.present("tokenEnv")) {
      m.error("tokenEnv", "conflicts with tokenFile (choose one)");
    }
    Path tokenFile = m.has("tokenFile") ? paths.resolve(m, "tokenFile") : null;
    String tokenEnv = tokenFile == null && !m.present("tokenFile") ? tokenEnv(m) : null;
    AdminSettings admin = new AdminSettings(enabled, host, port, tokenFile, tokenEnv);
    if (!enabled) {
      return admin;
    }
    if (!admin.tokenRequired() && !admin.loopbackOnly() && !m.present("tokenFile") && !m.present("tokenEnv")) {
      m.error("host", "binding " + NodeReader.quote(host) + " (not a loopback address) requires a bearer token:"
          + " set admin.tokenFile or admin.tokenEnv");
    }
    if (tokenFile != null && PolicyPaths.checkReadable(m, "tokenFile", tokenFile)) {
      check(m, "tokenFile", admin);
    } else if (tokenEnv != null) {
      check(m, "tokenEnv", admin);
    }
    return admin;
  }

  private static String tokenEnv(MappingReader m) {
    String name = m.string("tokenEnv", null);
    if (name != null && !ENV_NAME.matcher(name).matches()) {
      m.error("tokenEnv", "invalid environment variable name " + NodeReader.quote(name));
      return null;
    }
    return name;
  }

  /** Reads the token only to check it; the message names where it is, never what it is. */
  private void check(MappingReader m, String key, AdminSettings admin) {
    try {
      byte[] token = AdminToken.read(admin, env);
      java.util.Arrays.fill(token, (byte) 0);
    } catch (IllegalStateException e) {
      m.error(key, e.getMessage());
    }
  }
}
