package io.wsgate.cluster;

import io.wsgate.policy.StoreEndpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RedisStore} talks to Redis. Validated on construction, with messages naming the field.
 *
 * <pre>{@code
 * StoreSettings settings = StoreSettings.defaults(StoreEndpoint.parse("redis://127.0.0.1:6379"), "gw-a")
 *     .withCallTimeout(Duration.ofMillis(50));
 * }</pre>
 *
 * @param endpoint           where Redis is
 * @param secret             AUTH credentials, or {@link StoreSecret#NONE}
 * @param nodeId             this gateway's name in the fleet (lease members, node records)
 * @param callTimeout        the longest any caller waits for one store call (handshake path: 50 ms)
 * @param commandTimeout     Lettuce's own timeout for a command sent and never answered (a hung
 *                           Redis): it frees the command, so it must be at least {@code callTimeout}
 * @param probeInterval      how often a PING checks the store while nothing else does (and brings a
 *                           store that was down back up)
 * @param maxReconnectDelay  the longest pause between two reconnection attempts
 * @param failuresBeforeDown consecutive failed calls that mark the store down (a disconnection does at once)
 * @param ioThreads          Lettuce's I/O threads (one is plenty for one multiplexed connection)
 */
public record StoreSettings(StoreEndpoint endpoint, StoreSecret secret, String nodeId, Duration callTimeout,
    Duration commandTimeout, Duration probeInterval, Duration maxReconnectDelay, int failuresBeforeDown,
    int ioThreads) {
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMillis(50);

  public StoreSettings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(secret, "secret");
    if (nodeId == null || nodeId.isBlank() || nodeId.chars().anyMatch(c -> c <= ' ' || c == ':')) {
      throw new IllegalArgumentException("nodeId must be non-empty without spaces, control characters or ':', was '"
          + nodeId + "'");
    }
    positive("callTimeout", callTimeout);
    positive("commandTimeout", commandTimeout);
    positive("probeInterval", probeInterval);
    positive("maxReconnectDelay", maxReconnectDelay);
    if (commandTimeout.compareTo(callTimeout) < 0) {
      throw new IllegalArgumentException("commandTimeout (" + commandTimeout + ") must be at least callTimeout ("
          + callTimeout + ")");
    }
    if (failuresBeforeDown < 1) {
      throw new IllegalArgumentException("failuresBeforeDown must be at least 1, was " + failuresBeforeDown);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1, was " + ioThreads);
    }
  }

  /** 50 ms calls, 1 s command backstop, a probe every 500 ms, reconnect at least every second, down after 3 failures. */
  public static StoreSettings defaults(StoreEndpoint endpoint, String nodeId) {
    return new StoreSettings(endpoint, StoreSecret.NONE, nodeId, DEFAULT_CALL_TIMEOUT, Duration.ofSeconds(1),
        Duration.ofMillis(500), Duration.ofSeconds(1), 3, 1);
  }

  public StoreSettings withSecret(StoreSecret value) {
    return new StoreSettings(endpoint, value, nodeId, callTimeout, commandTimeout, probeInterval, maxReconnectDelay,
        failuresBeforeDown, ioThreads);
  }

  public StoreSettings withNodeId(String value) {
    return new StoreSettings(endpoint, secret, value, callTimeout, commandTimeout, probeInterval, maxReconnectDelay,
        failuresBeforeDown, ioThreads);
  }

  /** Another call timeout; Lettuce's command backstop grows with it when it would be shorter. */
  public StoreSettings withCallTimeout(Duration value) {
    Duration backstop = value != null && value.compareTo(commandTimeout) > 0 ? value : commandTimeout;
    return new StoreSettings(endpoint, secret, nodeId, value, backstop, probeInterval, maxReconnectDelay,
        failuresBeforeDown, ioThreads);
  }

  public StoreSettings withProbeInterval(Duration value) {
    return new StoreSettings(endpoint, secret, nodeId, callTimeout, commandTimeout, value, maxReconnectDelay,
        failuresBeforeDown, ioThreads);
  }

  private static void positive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
  }
}
