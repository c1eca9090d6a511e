package io.wsgate.limits;

import io.vertx.core.Future;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts live connections per key (client IP or subject). A key is present only while it has at
 * least one connection: the entry is removed, atomically, when its count returns to zero, so the
 * map never holds more keys than there are live connections (which the global cap bounds).
 *
 * <p>Thread-safe; each call is one {@link ConcurrentHashMap#compute} on one key, so calls for
 * different keys do not contend.
 *
 * <pre>{@code
 * if (!perIp.tryAcquire(ip, limits.connectionsPerIp())) {
 *   return Verdict.deny(Reason.IP_CONNECTIONS_EXCEEDED);
 * }
 * // ... and exactly once when that connection ends (or its handshake fails later):
 * perIp.release(ip);
 * }</pre>
 */
public final class ConcurrencyLimiter implements ConnectionCounter {
  private final ConcurrentHashMap<String, Count> counts = new ConcurrentHashMap<>();

  /** Takes one slot for {@code key} if it holds fewer than {@code max}; {@code max <= 0} always refuses. */
  public boolean tryAcquire(String key, int max) {
    // Written inside compute (under the key's bin lock) and read after it, on this thread only.
    boolean[] acquired = new boolean[1];
    counts.compute(key, (k, count) -> {
      if (count == null) {
        if (max <= 0) {
          return null;
        }
        count = new Count();
      }
      if (count.value < max) {
        count.value++;
        acquired[0] = true;
      }
      return count;
    });
    return acquired[0];
  }

  @Override
  public Future<Slot> acquire(String key, int max) {
    return Future.succeededFuture(tryAcquire(key, max) ? () -> release(key) : null);
  }

  /** Gives back one slot taken by {@link #tryAcquire}; a key with no slots is left alone (never negative). */
  public void release(String key) {
    counts.computeIfPresent(key, (k, count) -> --count.value <= 0 ? null : count);
  }

  /** Live connections for {@code key}. */
  @Override
  public int count(String key) {
    Count count = counts.get(key);
    return count == null ? 0 : count.value;
  }

  /** Keys with at least one live connection. */
  @Override
  public int trackedKeys() {
    return counts.size();
  }

  /** Mutated only inside {@code compute}, i.e. under the map's lock for that key. */
  private static final class Count {
    volatile int value;
  }
}
