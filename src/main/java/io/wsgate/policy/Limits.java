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
 */
public record Limits(int maxMessageBytes, Duration idleTimeout, Duration maxLifetime, int maxConnections,
                     Duration handshakeTimeout, Duration upstreamConnectTimeout, Duration pingInterval,
                     FrameLimits frames) {
  /** The limits with the default frame limits. */
  public Limits(int maxMessageBytes, Duration idleTimeout, Duration maxLifetime, int maxConnections,
                Duration handshakeTimeout, Duration upstreamConnectTimeout, Duration pingInterval) {
    this(maxMessageBytes, idleTimeout, maxLifetime, maxConnections, handshakeTimeout, upstreamConnectTimeout,
        pingInterval, FrameLimits.DEFAULT);
  }
}
