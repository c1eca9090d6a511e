package io.wsgate.policy;

import java.util.List;

/** Reads the top-level {@code connections:} block: handshake rates and concurrent connection caps. */
final class ConnectionsSection {
  static final List<String> KEYS = List.of("perIp", "perSubject", "global", "trackedKeys", "mode");
  static final List<String> PER_IP_KEYS = List.of("handshakes", "burst", "max");
  static final List<String> PER_SUBJECT_KEYS = List.of("max");
  static final List<String> GLOBAL_KEYS = List.of("handshakes", "burst");
  static final int MAX_CONNECTIONS = 10_000_000;

  private ConnectionsSection() {
  }

  static ConnectionLimits read(MappingReader top) {
    if (!top.has("connections")) {
      return ConnectionLimits.NONE;
    }
    MappingReader m = top.mapping("connections", KEYS);
    MappingReader perIp = m.mapping("perIp", PER_IP_KEYS);
    Rate ipHandshakes = handshakes(perIp);
    Integer ipMax = max(perIp);
    Integer subjectMax = max(m.mapping("perSubject", PER_SUBJECT_KEYS));
    Rate globalHandshakes = handshakes(m.mapping("global", GLOBAL_KEYS));
    int trackedKeys = m.integer("trackedKeys", ConnectionLimits.NONE.maxTrackedKeys(), 1000, 10_000_000);
    return new ConnectionLimits(ipHandshakes, ipMax, subjectMax, globalHandshakes, trackedKeys, m.mode());
  }

  private static Rate handshakes(MappingReader m) {
    return Rates.withBurst(m, Rates.read(m, "handshakes", false), "handshakes", "burst");
  }

  private static Integer max(MappingReader m) {
    return m.has("max") ? m.integer("max", 1, 1, MAX_CONNECTIONS) : null;
  }
}
