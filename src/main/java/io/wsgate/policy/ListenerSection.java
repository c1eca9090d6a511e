package io.wsgate.policy;

import org.snakeyaml.engine.v2.nodes.Node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code listen:} and its {@code tls:} block ({@code clients:} is read by {@link ClientsSection}). */
final class ListenerSection {
  static final List<String> KEYS = List.of("host", "port", "tls", "plain", "clients");
  static final List<String> TLS_KEYS = List.of("cert", "key", "devCertificate", "engine", "certificates");
  static final List<String> CERTIFICATE_KEYS = List.of("cert", "key");
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
    boolean devCertificate = tls.bool("devCertificate", false);
    Tls.Engine engine = Tls.Engine.of(tls.choice("engine", Tls.Engine.NAMES, Tls.DEFAULT_ENGINE.key()));
    if (tls.has("certificates")) {
      return new Tls(certificates(tls, devCertificate), devCertificate, engine);
    }
    tls.requireKey("cert", "required (or list certificates)");
    tls.requireKey("key", "required (or list certificates)");
    Path cert = paths.resolve(tls, "cert");
    Path key = paths.resolve(tls, "key");
    if (cert != null && key != null) {
      checkFiles(tls, cert, key, devCertificate);
    }
    return new Tls(cert, key, devCertificate, engine);
  }

  /** {@code certificates:}, one or more {@code {cert, key}}; the first is the default. */
  private List<Tls.Pair> certificates(MappingReader tls, boolean devCertificate) {
    if (tls.has("cert") || tls.has("key")) {
      tls.error("certificates", "conflicts with cert/key (list every certificate under certificates;"
          + " the first is the default)");
    }
    if (devCertificate) {
      tls.error("devCertificate", "works with cert/key only, not with certificates");
    }
    List<Node> items = tls.sequence("certificates");
    List<Tls.Pair> pairs = new ArrayList<>();
    if (items == null) {
      return List.of(new Tls.Pair(null, null));
    }
    if (items.isEmpty()) {
      tls.error("certificates", "must list at least one {cert, key}");
    }
    Map<Path, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      MappingReader item = tls.reader().mapping(items.get(i), tls.field("certificates") + "[" + i + "]",
          CERTIFICATE_KEYS);
      item.requireKey("cert", "required");
      item.requireKey("key", "required");
      Path cert = paths.resolve(item, "cert");
      Path key = paths.resolve(item, "key");
      if (cert != null && key != null) {
        Integer first = seen.putIfAbsent(cert, i);
        if (first != null) {
          item.error("cert", "the same certificate as certificates[" + first + "]: " + cert);
        } else {
          PolicyPaths.checkReadable(item, "cert", cert);
          PolicyPaths.checkReadable(item, "key", key);
        }
      }
      pairs.add(new Tls.Pair(cert, key));
    }
    return pairs.isEmpty() ? List.of(new Tls.Pair(null, null)) : pairs;
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
