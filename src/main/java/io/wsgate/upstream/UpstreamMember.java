package io.wsgate.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One resolved pool member and its state: live sessions, passive cool-down, the verdict of its
 * active health check, and when it last came back (for slow start). Shared by every event loop
 * and kept across policy reloads while the route and member are unchanged
 * ({@link UpstreamMembers}). Fields are volatile: a lost update only shortens a cool-down or
 * starts a slow start a little earlier.
 */
public final class UpstreamMember {
  private static final long NEVER = Long.MIN_VALUE;

  private final String label;
  private final boolean tls;
  private final String host;
  private final int port;
  private final String path;
  private final AtomicInteger sessions = new AtomicInteger();
  private volatile long downUntilNanos;
  private volatile boolean checkedDown;
  private volatile long backSinceNanos = NEVER;

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

  /** Sessions on this member now, with the dials in flight to it. */
  public int sessions() {
    return sessions.get();
  }

  void acquire() {
    sessions.incrementAndGet();
  }

  void release() {
    sessions.decrementAndGet();
  }

  /** Neither cooling down after a failed dial nor marked down by its health check. */
  public boolean healthy(long nowNanos) {
    return !checkedDown && nowNanos - downUntilNanos >= 0;
  }

  void markDown(long nowNanos, long cooldownNanos) {
    downUntilNanos = nowNanos + cooldownNanos;
    backSinceNanos = downUntilNanos; // it is tried again, in slow start, once the cool-down is over
  }

  void markUp() {
    downUntilNanos = 0;
  }

  /** The health check's verdict: up ends any cool-down at once. @return whether the member came back */
  boolean checked(boolean up, long nowNanos) {
    if (!up) {
      boolean was = !checkedDown;
      checkedDown = true;
      return was;
    }
    boolean cameBack = !healthy(nowNanos);
    downUntilNanos = 0;
    checkedDown = false;
    if (cameBack) {
      backSinceNanos = nowNanos;
    }
    return cameBack;
  }

  /** Its share of new sessions now, 0.1 .. 1: below 1 only within {@code slowStartNanos} of coming back. */
  double weight(long nowNanos, long slowStartNanos) {
    long since = backSinceNanos;
    return since == NEVER ? 1.0 : SlowStart.weight(nowNanos - since, slowStartNanos);
  }
}
