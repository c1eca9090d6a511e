package io.wsgate.upstream;

/**
 * The share of new sessions a member that came back gets: {@link #MIN_WEIGHT} at once (it must be
 * tried to be proven), rising linearly to 1 at the end of the window.
 */
final class SlowStart {
  static final double MIN_WEIGHT = 0.1;

  private SlowStart() {
  }

  /** @param sinceBackNanos time since the member came back (negative: still cooling down) */
  static double weight(long sinceBackNanos, long windowNanos) {
    if (windowNanos <= 0 || sinceBackNanos >= windowNanos) {
      return 1.0;
    }
    if (sinceBackNanos <= 0) {
      return MIN_WEIGHT;
    }
    return MIN_WEIGHT + (1.0 - MIN_WEIGHT) * ((double) sinceBackNanos / windowNanos);
  }
}
