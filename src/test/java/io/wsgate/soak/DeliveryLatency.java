package io.wsgate.soak;

import java.util.concurrent.atomic.AtomicLongArray;

/** Broadcast delivery latency (from the upstream's send to the client's receipt, one clock) in 100 µs buckets up to 10 s (and one overflow bucket). */
final class DeliveryLatency {
  private static final long BUCKET_NANOS = 100_000;
  private static final int BUCKETS = 100_000;
  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

  private volatile boolean recording;

  /** Records from now on: latencies during the ramp measure the handshakes, not the relay. */
  void start() {
    recording = true;
  }

  void record(long nanos) {
    if (!recording) {
      return;
    }
    counts.incrementAndGet((int) Math.min(BUCKETS, Math.max(0, nanos) / BUCKET_NANOS));
  }

  /** The upper edge of the bucket holding the p-th percentile, in milliseconds; NaN when empty. */
  double percentileMs(double p) {
    long total = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      total += counts.get(i);
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(p / 100 * total);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return (i + 1) * BUCKET_NANOS / 1e6;
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
