package io.wsgate.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.wsgate.policy.Rate;

import java.math.BigInteger;
import java.util.Objects;

/**
 * One {@link Rate} turned into a Bucket4j configuration, validated once when a policy snapshot is
 * built, so that creating a bucket later (on an event loop, for a new key) can no longer fail.
 * Buckets refill greedily ({@code permits} per {@code period}, spread evenly) up to {@code burst},
 * and start full. Time is read from {@link System#nanoTime()}: monotonic, immune to clock steps.
 *
 * <pre>{@code
 * BucketSpec spec = BucketSpec.of(new Rate(5, Duration.ofSeconds(1), 10));
 * Bucket shared = spec.newBucket();            // any thread
 * Bucket mine = spec.newConfinedBucket();      // one thread only (one session's event loop)
 * }</pre>
 */
public final class BucketSpec {
  private final Rate rate;
  private final Bandwidth bandwidth;
  private final long nanosToFill;

  private BucketSpec(Rate rate) {
    this.rate = Objects.requireNonNull(rate, "rate");
    try {
      this.bandwidth = Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.permits(), rate.period()).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rate " + rate.permits() + "/" + rate.period() + " burst " + rate.burst()
          + " is not usable: " + e.getMessage(), e);
    }
    this.nanosToFill = nanosToFill(rate);
  }

  public static BucketSpec of(Rate rate) {
    return new BucketSpec(rate);
  }

  public Rate rate() {
    return rate;
  }

  /** Largest number of tokens one bucket can hold, i.e. the largest single request that can ever succeed. */
  public long capacity() {
    return rate.burst();
  }

  /**
   * Time for an empty bucket to become full again. A bucket untouched for this long is
   * indistinguishable from a new one, so a cache may drop it after that much idleness without
   * changing any decision.
   */
  public long nanosToFill() {
    return nanosToFill;
  }

  /** A thread-safe, lock-free bucket: for state shared by sessions on different event loops. */
  public Bucket newBucket() {
    return Bucket.builder().addLimit(bandwidth).withNanosecondPrecision()
        .withSynchronizationStrategy(SynchronizationStrategy.LOCK_FREE).build();
  }

  /**
   * A bucket without any synchronisation (no CAS, no allocation per consume): only for state that
   * one thread owns, such as a session's per-connection limits on its event loop.
   */
  public Bucket newConfinedBucket() {
    return Bucket.builder().addLimit(bandwidth).withNanosecondPrecision()
        .withSynchronizationStrategy(SynchronizationStrategy.NONE).build();
  }

  /** ceil(burst × period / permits), saturating at {@link Long#MAX_VALUE}, at least 1 ms. */
  static long nanosToFill(Rate rate) {
    BigInteger[] qr = BigInteger.valueOf(rate.burst()).multiply(BigInteger.valueOf(rate.period().toNanos()))
        .divideAndRemainder(BigInteger.valueOf(rate.permits()));
    BigInteger nanos = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    long value = nanos.bitLength() < 63 ? nanos.longValue() : Long.MAX_VALUE;
    return Math.max(1_000_000L, value);
  }
}
