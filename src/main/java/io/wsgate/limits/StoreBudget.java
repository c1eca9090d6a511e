package io.wsgate.limits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long one handshake may still wait on a shared store, all its calls together: each guard that
 * asks the store spends from it, and once it is spent the rest of that handshake is decided without
 * the store ({@code cluster.onStoreFailure}). One per upgrade request; {@link #NONE} when limits live
 * in this process and nothing ever waits.
 *
 * <pre>{@code
 * StoreBudget budget = StoreBudget.of(Duration.ofMillis(50));   // when the request arrives
 * long wait = budget.remainingNanos();                            // 0: do not ask the store
 * budget.spend(System.nanoTime() - asked);                        // when it answered (or not)
 * }</pre>
 */
public final class StoreBudget {
  /** Nothing is ever asked of a store: spending does nothing, and nothing is left to spend. */
  public static final StoreBudget NONE = new StoreBudget(0, false);

  private final AtomicLong remaining;
  private final boolean spendable;

  private StoreBudget(long nanos, boolean spendable) {
    this.remaining = new AtomicLong(nanos);
    this.spendable = spendable;
  }

  /** A fresh budget of {@code total}. */
  public static StoreBudget of(Duration total) {
    if (total.isNegative() || total.isZero()) {
      throw new IllegalArgumentException("a store budget must be positive, was " + total);
    }
    return new StoreBudget(total.toNanos(), true);
  }

  /** What is left, in nanoseconds; 0 when spent. */
  public long remainingNanos() {
    return Math.max(0, remaining.get());
  }

  public boolean spent() {
    return remainingNanos() == 0;
  }

  /** Takes {@code nanos} off what is left. */
  public void spend(long nanos) {
    if (spendable && nanos > 0) {
      remaining.addAndGet(-nanos);
    }
  }

  @Override
  public String toString() {
    return spendable ? "StoreBudget[" + remainingNanos() / 1000 + " us left]" : "StoreBudget[none]";
  }
}
