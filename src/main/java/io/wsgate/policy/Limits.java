package io.wsgate.policy;

import java.time.Duration;

/**
 * Per-session and global bounds a reload may change. {@code maxMessageBytes},
 * {@code handshakeTimeout} and {@code upstreamConnectTimeout} are fixed at start: see {@link StartupSettings}.
 *
 * @param idleTimeout              no data message either way for this long: close 1001
 * @param maxLifetime              a session older than this is closed with 1001
 * @param maxConnections           global cap on live sessions; beyond it handshakes get 503
 * @param pingInterval             keepalive ping to a client quiet for this long; a client that sends no
 *                                 complete frame for twice this long is closed (frame-header slowloris too)
 * @param frames                   control frame rate and fragments per message
 * @param sendTimeout              a client whose write queue stays full this long (it stopped reading)
 *                                 is closed with 1008, like nginx's {@code send_timeout}
 * @param maxReauthPerMinute       in-band re-authentications a session may ask for per minute (each
 *                                 costs a signature check and an audit record); one more: close 1008
 */
public record Limits(Duration idleTimeout, Duration maxLifetime, int maxConnections, Duration pingInterval,
                     FrameLimits frames, Duration sendTimeout, int maxReauthPerMinute) {
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_REAUTH_PER_MINUTE = 6;
  public static final Limits DEFAULT = new Limits(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_LIFETIME, DEFAULT_MAX_CONNECTIONS,
      DEFAULT_PING_INTERVAL, FrameLimits.DEFAULT, DEFAULT_SEND_TIMEOUT, DEFAULT_MAX_REAUTH_PER_MINUTE);

  /** Each session's budget of re-authentications: {@code maxReauthPerMinute}, all of it at once if asked. */
  public Rate reauth() {
    return new Rate(maxReauthPerMinute, Duration.ofMinutes(1), maxReauthPerMinute);
  }
}
