package io.wsgate.policy;

import java.util.List;

/**
 * Reads the top-level {@code probes:} block. Absent (or written with no value) means no probes
 * listener; present, it listens on {@code 127.0.0.1:8081} unless it says otherwise. A port another
 * listener of the same policy binds on an overlapping address is an error here rather than an
 * "address in use" at start.
 */
final class ProbesSection {
  static final List<String> KEYS = List.of("host", "port");

  private ProbesSection() {
  }

  static ProbeSettings read(MappingReader top, Listener listen, AdminSettings admin) {
    return read(top, List.of(new NamedListener(NamedListener.DEFAULT_NAME, listen, false)), admin);
  }

  static ProbeSettings read(MappingReader top, List<NamedListener> listeners, AdminSettings admin) {
    if (!top.has("probes")) {
      return ProbeSettings.DISABLED;
    }
    MappingReader m = top.mapping("probes", KEYS);
    String host = m.string("host", ProbeSettings.DEFAULT_HOST);
    if (host.isEmpty() || host.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      m.error("host", "invalid host " + NodeReader.quote(host));
      host = ProbeSettings.DEFAULT_HOST;
    }
    int port = m.integer("port", ProbeSettings.DEFAULT_PORT, 0, 65535);
    String listenerPort = null;
    for (int i = 0; i < listeners.size() && listenerPort == null; i++) {
      Listener listen = listeners.get(i).listen();
      if (clashes(host, port, listen.host(), listen.port())) {
        listenerPort = listeners.size() == 1 && listeners.get(0).name().equals(NamedListener.DEFAULT_NAME)
            ? "listen.port" : "listeners[" + i + "].port";
      }
    }
    if (listenerPort != null) {
      m.error("port", "port " + port + " is " + listenerPort + " too (choose another port)");
    } else if (admin.enabled() && clashes(host, port, admin.host(), admin.port())) {
      m.error("port", "port " + port + " is admin.port too (choose another port)");
    }
    return new ProbeSettings(true, host, port);
  }

  /** Two binds of one non-zero port collide when their addresses are the same or either is a wildcard. */
  static boolean clashes(String host, int port, String otherHost, int otherPort) {
    return port != 0 && port == otherPort
        && (host.equalsIgnoreCase(otherHost) || wildcard(host) || wildcard(otherHost));
  }

  private static boolean wildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }
}
