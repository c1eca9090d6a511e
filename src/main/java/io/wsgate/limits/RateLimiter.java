package io.wsgate.limits;

import io.vertx.core.Future;

/**
 * Token buckets by key (client IP, subject, one global key), all with the same rate: in this process
 * ({@link KeyedRateLimiter}), or shared by a fleet through a store.
 */
public interface RateLimiter {
  /**
   * What {@link #tryAcquire} answers when a shared bucket cannot decide at once (it is syncing with
   * the store, and this key has sent more than a round trip's worth meanwhile): not taken, and not a
   * verdict on the sender. A message rule treats it as a drop, never as a close.
   */
  long UNDECIDED = -1;

  /**
   * Decides at once from what this node holds, never waiting on a store: the message path's form.
   *
   * @return 0 when the permits were taken, else the nanoseconds until they would be there, or
   *     {@link #UNDECIDED} (shared buckets only)
   */
  long tryAcquire(String key, long permits);

  /**
   * Decides, asking the shared store when there is one (within its bounded wait): the handshake
   * path's form. In this process it is {@link #tryAcquire} at once.
   */
  default Future<Long> acquire(String key, long permits) {
    return Future.succeededFuture(tryAcquire(key, permits));
  }

  /**
   * As {@link #acquire(String, long)}, waiting on a store no longer than {@code budget} has left (and
   * spending from it); when it is spent, the store is not asked. Fails with
   * {@link SharedStateUnavailable} when the store cannot decide and the policy says fail closed.
   */
  default Future<Long> acquire(String key, long permits, StoreBudget budget) {
    return acquire(key, permits);
  }
}
