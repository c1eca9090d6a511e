package io.wsgate.policy;

import java.time.Duration;

/**
 * Per-connection and global bounds.
 *
 * @param maxMessageBytes          largest message (all fragments together) either way; larger: close 1009
 * @param idleTimeout              no data message either way for this long: close 1001
 * @param maxLifetime              a session older than this is closed with 1001
 * @param maxConnections           global cap on live sessions; beyond it handshakes get 503
 * @param handshakeTimeout         TCP accept until a complete upgrade request (slowloris defence): close
 * @param upstreamConnectTimeout   upstream TCP + TLS + WebSocket handshake; beyond it: 504
 * @param pingInterval             keepalive ping to a client quiet for this long; a client that sends no
 *                                 complete frame for twice this long is closed (frame-header slowloris too)
 * @param frames                   control frame rate and fragments per message
 * @param sendTimeout              a client whose write queue stays full this long (it stopped reading)
 *                                 is closed with 1008, like nginx's {@code send_timeout}
 * @param maxReauthPerMinute       in-band re-authentications a session may ask for per minute (each
 *                                 costs a signature check and an audit record); one more: close 1008
 */
public record Limits(int maxMessageBytes, Duration idleTimeout, Duration maxLifetime, int maxConnections,
                     Duration handshakeTimeout, Duration upstreamConnectTimeout, Duration pingInterval,
                     FrameLimits frames, Duration sendTimeout, int maxReauthPerMinute) {
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_REAUTH_PER_MINUTE = 6;

  /** The limits with the default frame limits, send timeout and re-authentication budget. */
  public Limits(int maxMessageBytes, Duration idleTimeout, Duration maxLifetime, int maxConnections,
                Duration handshakeTimeout, Duration upstreamConnectTimeout, Duration pingInterval) {
    this(maxMessageBytes, idleTimeout, maxLifetime, maxConnections, handshakeTimeout, upstreamConnectTimeout,
        pingInterval, FrameLimits.DEFAULT);
  }

  /** The limits with the default send timeout and re-authentication budget. */
  public Limits(int maxMessageBytes, Duration idleTimeout, Duration maxLifetime, int maxConnections,
                Duration handshakeTimeout, Duration upstreamConnectTimeout, Duration pingInterval,
                FrameLimits frames) {
    this(maxMessageBytes, idleTimeout, maxLifetime, maxConnections, handshakeTimeout, upstreamConnectTimeout,
        pingInterval, frames, DEFAULT_SEND_TIMEOUT, DEFAULT_MAX_REAUTH_PER_MINUTE);
  }

  /** Each session's budget of re-authentications: {@code maxReauthPerMinute}, all of it at once if asked. */
  public Rate reauth() {
    return new Rate(maxReauthPerMinute, Duration.ofMinutes(1), maxReauthPerMinute);
  }
}
