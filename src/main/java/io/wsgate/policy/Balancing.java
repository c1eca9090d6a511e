package io.wsgate.policy;

import java.time.Duration;
import java.util.Locale;

/**
 * How a route spreads new sessions over its upstream members ({@code balance}, {@code hashOn},
 * {@code healthCheck}, {@code slowStart} on a route).
 *
 * @param strategy    which member a new session tries first
 * @param hashOn      what {@link Strategy#HASH} hashes; null for the other strategies
 * @param healthCheck active checks of every member; null = passive cool-down only
 * @param slowStart   how long a member that came back takes to reach its full share; zero = at once
 */
public record Balancing(Strategy strategy, HashKey hashOn, HealthCheck healthCheck, Duration slowStart) {
  public static final Balancing DEFAULT = new Balancing(Strategy.ROUND_ROBIN, null, null, Duration.ZERO);

  public Balancing {
    if ((strategy == Strategy.HASH) != (hashOn != null)) {
      throw new IllegalArgumentException("hashOn goes with balance: hash, and only with it");
    }
    if (slowStart.isNegative()) {
      throw new IllegalArgumentException("slowStart must not be negative");
    }
  }

  /** {@code balance}. */
  public enum Strategy {
    ROUND_ROBIN("roundRobin"), LEAST_CONNECTIONS("leastConnections"), HASH("hash");

    private final String policyName;

    Strategy(String policyName) {
      this.policyName = policyName;
    }

    public String policyName() {
      return policyName;
    }
  }

  /** {@code hashOn}. */
  public enum HashKey {
    SUBJECT, CLIENT_IP;

    public String policyName() {
      return this == SUBJECT ? "subject" : "clientIp";
    }
  }

  /**
   * {@code healthCheck}: every {@code interval}, per member, a WebSocket handshake or an HTTP GET of
   * {@code path}, which must answer (101, or a 2xx) within {@code timeout}.
   *
   * @param healthyAfter   consecutive successes that mark a down member up
   * @param unhealthyAfter consecutive failures that mark an up member down
   */
  public record HealthCheck(Type type, String path, Duration interval, Duration timeout, int healthyAfter,
                            int unhealthyAfter) {
    public HealthCheck {
      if (timeout.compareTo(interval) > 0 || healthyAfter < 1 || unhealthyAfter < 1) {
        throw new IllegalArgumentException("timeout must not exceed interval; thresholds are at least 1");
      }
    }

    /** {@code healthCheck.type}. */
    public enum Type {
      WEBSOCKET, HTTP;

      public String policyName() {
        return name().toLowerCase(Locale.ROOT);
      }
    }
  }
}
