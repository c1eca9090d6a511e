package io.wsgate.policy;

import java.time.Duration;

/**
 * A route's {@code limits:}: the session bounds it sets for its own sessions. Each null field inherits
 * the global {@code limits:} value; {@link #NONE} (no {@code limits:} on the route) inherits them all.
 *
 * @param maxMessageBytes at most the global {@code limits.maxMessageBytes} (Netty's frame cap, fixed at start)
 * @param idleTimeout     see {@link Limits#idleTimeout()}
 * @param maxLifetime     see {@link Limits#maxLifetime()}
 * @param pingInterval    see {@link Limits#pingInterval()}
 * @param sendTimeout     see {@link Limits#sendTimeout()}
 */
public record RouteLimits(Integer maxMessageBytes, Duration idleTimeout, Duration maxLifetime, Duration pingInterval,
                          Duration sendTimeout) {
  public static final RouteLimits NONE = new RouteLimits(null, null, null, null, null);

  /** The global limits with this route's overrides applied. */
  public Limits over(Limits global) {
    if (equals(NONE)) {
      return global;
    }
    return new Limits(or(idleTimeout, global.idleTimeout()), or(maxLifetime, global.maxLifetime()),
        global.maxConnections(), or(pingInterval, global.pingInterval()), global.frames(),
        or(sendTimeout, global.sendTimeout()), global.maxReauthPerMinute());
  }

  /** This route's message size cap, given the global one. */
  public int maxMessageBytes(int global) {
    return maxMessageBytes == null ? global : maxMessageBytes;
  }

  private static Duration or(Duration own, Duration global) {
    return own == null ? global : own;
  }
}
