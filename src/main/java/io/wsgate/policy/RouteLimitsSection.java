package io.wsgate.policy;

import java.time.Duration;
import java.util.List;

/**
 * Reads a route's {@code limits:} and {@code connections:}. A route may set only the session bounds
 * that make sense per session; the gateway-wide ones ({@code maxConnections}, {@code handshakeTimeout},
 * frame limits, ...) are unknown keys here, as any other key a section does not take.
 */
final class RouteLimitsSection {
  static final List<String> LIMIT_KEYS =
      List.of("maxMessageBytes", "idleTimeout", "maxLifetime", "pingInterval", "sendTimeout");
  static final List<String> CONNECTION_KEYS = List.of("max", "perIp", "perSubject", "mode");
  static final List<String> PER_IP_KEYS = ConnectionsSection.PER_IP_KEYS;
  static final List<String> PER_SUBJECT_KEYS = ConnectionsSection.PER_SUBJECT_KEYS;

  private RouteLimitsSection() {
  }

  /**
   * @param globalMaxMessageBytes {@code limits.maxMessageBytes}: a route may lower it, never raise it
   *                              (it is also Netty's frame cap, fixed at start)
   */
  static RouteLimits limits(MappingReader route, int globalMaxMessageBytes) {
    if (!route.has("limits")) {
      return RouteLimits.NONE;
    }
    MappingReader m = route.mapping("limits", LIMIT_KEYS);
    Integer maxMessageBytes = null;
    if (m.has("maxMessageBytes")) {
      int bytes = m.size("maxMessageBytes", -1, 1, PolicyParser.MAX_MESSAGE_BYTES_LIMIT);
      if (bytes > globalMaxMessageBytes) {
        m.error("maxMessageBytes", "must be at most limits.maxMessageBytes, " + Units.formatSize(globalMaxMessageBytes)
            + ", got " + Units.formatSize(bytes));
      } else if (bytes > 0) {
        maxMessageBytes = bytes;
      }
    }
    return new RouteLimits(maxMessageBytes, duration(m, "idleTimeout"), duration(m, "maxLifetime"),
        duration(m, "pingInterval"), duration(m, "sendTimeout"));
  }

  /** Null when absent or bad (reported): the global value applies. */
  private static Duration duration(MappingReader m, String key) {
    if (!m.has(key)) {
      return null;
    }
    Duration d = m.duration(key, null);
    if (d != null && d.isZero()) {
      m.error(key, "must be greater than 0");
      return null;
    }
    return d;
  }

  static RouteConnections connections(MappingReader route) {
    if (!route.has("connections")) {
      return RouteConnections.NONE;
    }
    MappingReader m = route.mapping("connections", CONNECTION_KEYS);
    MappingReader perIp = m.mapping("perIp", PER_IP_KEYS);
    Rate handshakes = Rates.withBurst(perIp, Rates.read(perIp, "handshakes", false), "handshakes", "burst");
    return new RouteConnections(max(m), max(perIp), max(m.mapping("perSubject", PER_SUBJECT_KEYS)), handshakes,
        m.mode());
  }

  private static Integer max(MappingReader m) {
    return m.has("max") ? m.integer("max", 1, 1, ConnectionsSection.MAX_CONNECTIONS) : null;
  }
}
