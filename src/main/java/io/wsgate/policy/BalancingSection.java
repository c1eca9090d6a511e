package io.wsgate.policy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Reads a route's balancing keys: {@code balance}, {@code hashOn}, {@code healthCheck}, {@code slowStart}. */
final class BalancingSection {
  static final List<String> KEYS = List.of("balance", "hashOn", "healthCheck", "slowStart");
  static final List<String> HEALTH_CHECK_KEYS =
      List.of("type", "path", "interval", "timeout", "healthyAfter", "unhealthyAfter");
  static final Balancing.Strategy DEFAULT_STRATEGY = Balancing.Strategy.ROUND_ROBIN;
  static final Duration DEFAULT_SLOW_START = Duration.ZERO;
  static final Duration MAX_SLOW_START = Duration.ofHours(1);
  static final Balancing.HealthCheck.Type DEFAULT_CHECK_TYPE = Balancing.HealthCheck.Type.WEBSOCKET;
  static final String DEFAULT_CHECK_PATH = "/";
  static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(10);
  static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(100);
  static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(2);
  static final int DEFAULT_HEALTHY_AFTER = 1;
  static final int DEFAULT_UNHEALTHY_AFTER = 2;
  static final int MAX_THRESHOLD = 100;

  private BalancingSection() {
  }

  /** @param auth the route's auth (null when it was too broken to read): hashing on a subject needs one */
  static Balancing read(MappingReader m, Auth auth) {
    Balancing.Strategy strategy = strategy(m);
    Balancing.HashKey hashOn = hashOn(m, strategy, auth);
    Duration slowStart = m.duration("slowStart", DEFAULT_SLOW_START);
    if (slowStart.compareTo(MAX_SLOW_START) > 0) {
      m.error("slowStart", "must be at most " + Units.format(MAX_SLOW_START) + ", got " + Units.format(slowStart));
      slowStart = DEFAULT_SLOW_START;
    }
    if (strategy == Balancing.Strategy.HASH && !slowStart.isZero()) {
      // A hashed key belongs to one member: there is no share to ramp, it returns whole.
      m.error("slowStart", "does not apply to balance: hash (a member's own keys return to it at once)");
      slowStart = DEFAULT_SLOW_START;
    }
    Balancing.HealthCheck check = m.has("healthCheck") ? healthCheck(m.mapping("healthCheck", HEALTH_CHECK_KEYS)) : null;
    if (strategy == Balancing.Strategy.HASH && hashOn == null) {
      strategy = DEFAULT_STRATEGY; // reported; keeps the record valid
    }
    return new Balancing(strategy, strategy == Balancing.Strategy.HASH ? hashOn : null, check, slowStart);
  }

  private static Balancing.Strategy strategy(MappingReader m) {
    List<String> names = Arrays.stream(Balancing.Strategy.values()).map(Balancing.Strategy::policyName).toList();
    String chosen = m.choice("balance", names, DEFAULT_STRATEGY.policyName());
    return Balancing.Strategy.values()[names.indexOf(chosen)];
  }

  private static Balancing.HashKey hashOn(MappingReader m, Balancing.Strategy strategy, Auth auth) {
    if (strategy != Balancing.Strategy.HASH) {
      if (m.present("hashOn")) {
        m.error("hashOn", "only applies to balance: hash");
      }
      return null;
    }
    m.requireKey("hashOn", "required with balance: hash (subject or clientIp)");
    List<String> names = Arrays.stream(Balancing.HashKey.values()).map(Balancing.HashKey::policyName).toList();
    String chosen = m.choice("hashOn", names, null);
    if (chosen == null) {
      return null;
    }
    Balancing.HashKey key = Balancing.HashKey.values()[names.indexOf(chosen)];
    if (key == Balancing.HashKey.SUBJECT && auth != null && auth.anonymous()) {
      m.error("hashOn", "subject needs a verified token, and this route is anonymous (auth.anonymous: true);"
          + " use clientIp");
      return null;
    }
    return key;
  }

  private static Balancing.HealthCheck healthCheck(MappingReader c) {
    List<String> types = Arrays.stream(Balancing.HealthCheck.Type.values())
        .map(Balancing.HealthCheck.Type::policyName).toList();
    String type = c.choice("type", types, DEFAULT_CHECK_TYPE.policyName());
    String path = c.string("path", DEFAULT_CHECK_PATH);
    if (!path.startsWith("/") || path.codePoints().anyMatch(ch -> ch <= ' ' || ch == 0x7f) || path.contains("#")) {
      c.error("path", "must start with \"/\" and hold no whitespace, control characters or \"#\", got "
          + NodeReader.quote(path));
      path = DEFAULT_CHECK_PATH;
    }
    Duration interval = c.positiveDuration("interval", DEFAULT_CHECK_INTERVAL);
    if (interval.compareTo(MIN_CHECK_INTERVAL) < 0) {
      c.error("interval", "must be at least " + Units.format(MIN_CHECK_INTERVAL) + ", got " + Units.format(interval));
      interval = DEFAULT_CHECK_INTERVAL;
    }
    Duration timeout = c.positiveDuration("timeout", DEFAULT_CHECK_TIMEOUT);
    if (timeout.compareTo(interval) > 0) {
      // One check per member at a time: the next is due before this one may give up otherwise.
      c.error(c.has("timeout") ? "timeout" : "interval", "timeout (" + Units.format(timeout)
          + ") must not exceed interval (" + Units.format(interval) + ")");
      timeout = interval;
    }
    int healthyAfter = c.integer("healthyAfter", DEFAULT_HEALTHY_AFTER, 1, MAX_THRESHOLD);
    int unhealthyAfter = c.integer("unhealthyAfter", DEFAULT_UNHEALTHY_AFTER, 1, MAX_THRESHOLD);
    return new Balancing.HealthCheck(Balancing.HealthCheck.Type.values()[types.indexOf(type)], path, interval, timeout,
        healthyAfter, unhealthyAfter);
  }
}
