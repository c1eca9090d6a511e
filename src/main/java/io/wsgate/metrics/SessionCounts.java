package io.wsgate.metrics;

/**
 * A live session's own relay counts, as {@link LiveTraffic} reads them. They are plain fields
 * written by the session's event loop; a reader on another thread may see them a little behind.
 */
public interface SessionCounts {
  /** The {@code route} label: the route's path as the policy writes it. */
  String route();

  /** The {@code upstream} label: the pool member as the policy writes it. */
  String upstreamLabel();

  long messagesToUpstream();

  long bytesToUpstream();

  long messagesToClient();

  long bytesToClient();
}
