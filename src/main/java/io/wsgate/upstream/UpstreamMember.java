package io.wsgate.upstream;

/**
 * One resolved pool member and its health. {@code downUntilNanos} is written by whichever event
 * loop saw the failure and read by all, hence volatile; a lost update only shortens a cool-down.
 */
public final class UpstreamMember {
  private final String label;
  private final boolean tls;
  private final String host;
  private final int port;
  private final String path;
  private volatile long downUntilNanos;

  public UpstreamMember(String label, boolean tls, String host, int port, String path) {
    this.label = label;
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.path = path;
  }

  public String label() {
    return label;
  }

  public boolean tls() {
    return tls;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** Path to request upstream, or null to reuse the client's. */
  public String path() {
    return path;
  }

  boolean healthy(long nowNanos) {
    return nowNanos - downUntilNanos >= 0;
  }

  void markDown(long nowNanos, long cooldownNanos) {
    downUntilNanos = nowNanos + cooldownNanos;
  }

  void markUp() {
    downUntilNanos = 0;
  }
}
