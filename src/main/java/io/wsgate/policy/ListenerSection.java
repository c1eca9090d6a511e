package io.wsgate.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads {@code listen:} and its {@code tls:} block ({@code clients:} is read by {@link ClientsSection}). */
final class ListenerSection {
  static final List<String> KEYS = List.of("host", "port", "tls", "plain", "clients");
  static final List<String> TLS_KEYS = List.of("cert", "key", "devCertificate", "engine");
  static final String DEFAULT_HOST = "0.0.0.0";
  static final int DEFAULT_PORT = 8443;

  private final PolicyPaths paths;

  ListenerSection(PolicyPaths paths) {
    this.paths = paths;
  }

  Listener read(MappingReader listen) {
    String host = listen.string("host", DEFAULT_HOST);
    if (host.isEmpty() || host.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      listen.error("host", "invalid host " + NodeReader.quote(host));
    }
    int port = listen.integer("port", DEFAULT_PORT, 0, 65535);
    // null when plain: holds a bad value (already reported); then "tls required" would only be noise
    Boolean plainValue = listen.has("plain") ? listen.reader().bool(listen.value("plain"), listen.field("plain")) : Boolean.FALSE;
    boolean plain = Boolean.TRUE.equals(plainValue);
    boolean hasTls = listen.has("tls");
    if (hasTls && plain) {
      listen.error("plain", "plain: true conflicts with listen.tls (choose one)");
    }
    if (!hasTls && Boolean.FALSE.equals(plainValue) && !listen.malformed()) {
      listen.error("tls", "required (a plain ws:// listener needs plain: true)");
    }
    Tls tls = hasTls ? tls(listen.mapping("tls", TLS_KEYS)) : null;
    return new Listener(host, port, plain ? null : tls);
  }

  private Tls tls(MappingReader tls) {
    tls.requireKey("cert", "required");
    tls.requireKey("key", "required");
    boolean devCertificate = tls.bool("devCertificate", false);
    Path cert = paths.resolve(tls, "cert");
    Path key = paths.resolve(tls, "key");
    if (cert != null && key != null) {
      checkFiles(tls, cert, key, devCertificate);
    }
    Tls.Engine engine = Tls.Engine.of(tls.choice("engine", Tls.Engine.NAMES, Tls.DEFAULT_ENGINE.key()));
    return new Tls(cert, key, devCertificate, engine);
  }

  private static void checkFiles(MappingReader tls, Path cert, Path key, boolean devCertificate) {
    boolean certExists = Files.exists(cert);
    boolean keyExists = Files.exists(key);
    if (devCertificate && !certExists && !keyExists) {
      return; // the gateway generates both on start
    }
    if (devCertificate && certExists != keyExists) {
      String missing = certExists ? "key" : "cert";
      tls.error(missing, "file not found: " + (certExists ? key : cert)
          + " (with devCertificate: true, cert and key must both exist or both be missing)");
      return;
    }
    PolicyPaths.checkReadable(tls, "cert", cert);
    PolicyPaths.checkReadable(tls, "key", key);
  }
}
