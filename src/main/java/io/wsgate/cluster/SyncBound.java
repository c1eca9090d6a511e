package io.wsgate.cluster;

import io.wsgate.policy.Rate;

import java.time.Duration;
import java.util.Objects;

/**
 * How far a {@link ClusterMessageLimiter} may run ahead of Redis, and so how far the fleet may
 * overshoot a shared message rate.
 *
 * <p>Per node and key, within one <em>sync period</em> (which ends after {@code maxUnsyncedTokens}
 * local admissions or {@code maxUnsyncedTime}, whichever comes first), the node admits:
 * <ul>
 *   <li>at most {@code maxUnsyncedTokens} messages from its local copy of the bucket, which Redis is
 *       charged for at the next sync (Bucket4j's delaying optimization), and</li>
 *   <li>while the sync itself is in flight, provisionally when the last answer for that key was
 *       "allowed", {@code maxPending} messages, or more as long as the tokens in flight stay within
 *       {@code maxUnsyncedTokens} (and the asks within {@link #MAX_PENDING_ASKS}): a fast subject
 *       far below its rate is not refused merely for sending a handful within one round trip to
 *       Redis. One that Redis then refuses is charged anyway.</li>
 * </ul>
 * So one node admits at most {@link #overshootPerNode()} = {@code maxUnsyncedTokens + maxPending}
 * messages per sync period that the shared bucket did not have. Every admission is charged to Redis
 * eventually (ignoring the limit, so the bucket may go into debt), and the debt is paid back by the
 * following refills: over any window of length {@code D}, a fleet of {@code N} nodes admits at most
 * {@link #fleetBound}{@code = burst + rate × D + 2 × N × overshootPerNode()} messages for one key
 * (one {@code N × overshootPerNode()} for admissions not yet charged at the window's end, one for
 * debt not yet paid back). {@code ClusterBucketsIT} measures it.
 *
 * @param maxUnsyncedTokens local admissions between two syncs with Redis (at least 1)
 * @param maxUnsyncedTime   the longest a node's view of the bucket goes without a sync
 * <p>This holds while Redis answers within the store's call timeout. When it does not (down, hung,
 * partitioned), each node's own bucket decides instead: per-node limits, so the fleet admits up to
 * {@code N} times the rate until Redis is back ({@code onStoreFailure: failOpen}).
 *
 * @param maxPending        answers awaited from Redis at once per key; more messages of that key
 *                          within the same round trip are refused
 */
public record SyncBound(long maxUnsyncedTokens, Duration maxUnsyncedTime, int maxPending) {
  public static final int DEFAULT_MAX_PENDING = 8;
  /** The most asks in flight per key, whatever the rate: each is a future held until Redis answers. */
  public static final int MAX_PENDING_ASKS = 1024;

  public SyncBound {
    if (maxUnsyncedTokens < 1) {
      throw new IllegalArgumentException("maxUnsyncedTokens must be at least 1, was " + maxUnsyncedTokens);
    }
    Objects.requireNonNull(maxUnsyncedTime, "maxUnsyncedTime");
    if (maxUnsyncedTime.isZero() || maxUnsyncedTime.isNegative()) {
      throw new IllegalArgumentException("maxUnsyncedTime must be positive, was " + maxUnsyncedTime);
    }
    if (maxPending < 1) {
      throw new IllegalArgumentException("maxPending must be at least 1, was " + maxPending);
    }
  }

  /**
   * A sync at least every {@code period}, and after as many local admissions as the rate refills in
   * that period (at least 1): each node then runs at most one period's worth of the rate ahead.
   */
  public static SyncBound forRate(Rate rate, Duration period) {
    long perPeriod = (long) Math.floor((double) rate.permits() * period.toNanos() / rate.period().toNanos());
    return new SyncBound(Math.max(1, perPeriod), period, DEFAULT_MAX_PENDING);
  }

  /** Whether one more ask of {@code permits} tokens may wait for Redis beside those in flight. */
  public boolean mayAsk(int pendingAsks, long pendingTokens, long permits) {
    return pendingAsks < maxPending
        || pendingAsks < MAX_PENDING_ASKS && pendingTokens + permits <= maxUnsyncedTokens;
  }

  /**
   * Messages one node may admit per sync period beyond what the shared bucket had (for a message
   * rate; for a byte rate, {@code maxUnsyncedTokens + max(maxPending × burst, maxUnsyncedTokens)} bytes).
   */
  public long overshootPerNode() {
    return maxUnsyncedTokens + Math.max(maxPending, Math.min(maxUnsyncedTokens, MAX_PENDING_ASKS));
  }

  /** The most a fleet of {@code nodes} admits for one key over {@code window}, for a bucket of {@code rate}. */
  public long fleetBound(Rate rate, Duration window, int nodes) {
    double refilled = (double) rate.permits() * window.toNanos() / rate.period().toNanos();
    return rate.burst() + (long) Math.ceil(refilled) + 2L * nodes * overshootPerNode();
  }
}
