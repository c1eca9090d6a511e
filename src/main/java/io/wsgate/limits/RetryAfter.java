package io.wsgate.limits;

/** Turns a bucket's wait (nanoseconds) into an HTTP {@code Retry-After} value (RFC 9110 §10.2.3: whole seconds). */
public final class RetryAfter {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private RetryAfter() {
  }

  /** Whole seconds, rounded up, never less than 1 (a client told "0" would retry at once). */
  public static long seconds(long nanos) {
    if (nanos <= 0) {
      return 1;
    }
    long seconds = nanos / NANOS_PER_SECOND + (nanos % NANOS_PER_SECOND == 0 ? 0 : 1);
    return Math.max(1, seconds);
  }
}
