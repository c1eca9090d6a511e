package io.wsgate.limits;

import io.vertx.core.Future;

/**
 * Token buckets by key (client IP, subject, one global key), all with the same rate: in this process
 * ({@link KeyedRateLimiter}), or shared by a fleet through a store.
 */
public interface RateLimiter {
  /**
   * Decides at once from what this node holds, never waiting on a store: the message path's form.
   *
   * @return 0 when the permits were taken, else the nanoseconds until they would be there
   */
  long tryAcquire(String key, long permits);

  /**
   * Decides, asking the shared store when there is one (within its bounded wait): the handshake
   * path's form. In this process it is {@link #tryAcquire} at once.
   */
  default Future<Long> acquire(String key, long permits) {
    return Future.succeededFuture(tryAcquire(key, permits));
  }
}
