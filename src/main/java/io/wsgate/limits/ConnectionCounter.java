package io.wsgate.limits;

import io.vertx.core.Future;

/**
 * Live connections counted by key, each key capped: in this process ({@link ConcurrencyLimiter}),
 * or across a fleet as leases in a store.
 */
public interface ConnectionCounter {
  /** One connection's slot; given back exactly once. */
  interface Slot {
    void release();
  }

  /**
   * Takes a slot for {@code key} if it holds fewer than {@code max}.
   *
   * @return the slot, or null when {@code key} is at its cap
   */
  Future<Slot> acquire(String key, int max);

  /**
   * As {@link #acquire(String, int)}, waiting on a store no longer than {@code budget} has left (and
   * spending from it). Fails with {@link SharedStateUnavailable} when the store cannot decide and the
   * policy says fail closed.
   */
  default Future<Slot> acquire(String key, int max, StoreBudget budget) {
    return acquire(key, max);
  }

  /** Live connections for {@code key}, as far as this node knows. */
  int count(String key);

  /** Keys with at least one live connection held by this node. */
  int trackedKeys();
}
