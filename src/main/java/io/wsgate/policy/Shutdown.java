package io.wsgate.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * Graceful stop: first {@code readinessGrace}, during which {@code /ready} answers 503 while new
 * upgrades are still accepted (so load balancers take the node out before it refuses anyone); then
 * live sessions are closed with {@code closeCode} (1001 going away or 1012 service restart), spread
 * evenly over {@code drainWindow}, and the process waits at most {@code drainTimeout} for them.
 */
public record Shutdown(int closeCode, Duration drainWindow, Duration drainTimeout, Duration readinessGrace) {
  /** The default grace: none, so a stop refuses new upgrades at once (nothing in front to tell). */
  public static final Duration DEFAULT_READINESS_GRACE = Duration.ZERO;

  public Shutdown {
    Objects.requireNonNull(drainWindow, "drainWindow");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(readinessGrace, "readinessGrace");
  }

  /** Without a readiness grace. */
  public Shutdown(int closeCode, Duration drainWindow, Duration drainTimeout) {
    this(closeCode, drainWindow, drainTimeout, DEFAULT_READINESS_GRACE);
  }

  /** The longest a stop may take before the process exits: the grace, then the drain. */
  public Duration longest() {
    return readinessGrace.plus(drainTimeout);
  }
}
