package io.wsgate.limits;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where every keyed limiter and counter lives: rate buckets by rule, and connection counts by scope.
 * A small asynchronous seam, as vertx-http-proxy's {@code spi/cache/Cache} is for its cache: the
 * default keeps everything in this process ({@link LocalRateLimitBackend}, Caffeine and Bucket4j); a
 * shared store can take its place without the guards, filters or sessions changing. Both outlive
 * policy snapshots: an unchanged rule finds its buckets again after a reload.
 *
 * <pre>{@code
 * RateLimitBackend limits = new LocalRateLimitBackend();
 * RateLimitBackend.Uses uses = limits.uses();                 // one per policy snapshot
 * RateLimiter perIp = uses.limiter(new LimiterRegistry.Spec("connections.perIp.handshakes", rate, 100_000));
 * limits.retainOnly(uses.specs());                            // after the snapshot is swapped in
 * ConnectionCounter.Slot slot = limits.connections(ConnectionScope.PER_IP).acquire(ip, 100).result();
 * }</pre>
 */
public interface RateLimitBackend {
  /** The buckets for this spec: the ones already kept while the spec is unchanged, else new full ones. */
  RateLimiter limiter(LimiterRegistry.Spec spec);

  /** Drops the buckets no spec in {@code inUse} names (snapshots still holding them keep working). */
  void retainOnly(Collection<LimiterRegistry.Spec> inUse);

  /** The connection counts of one scope. */
  ConnectionCounter connections(ConnectionScope scope);

  /**
   * False while new sessions must be refused because the shared store cannot be asked (the policy says
   * {@code cluster.onStoreFailure: failClosed}): 503 {@code store_unavailable}. Always true in this process.
   */
  default boolean admitsNewSessions() {
    return true;
  }

  /** What one handshake may wait on the store, all its calls together; {@link StoreBudget#NONE} in this process. */
  default StoreBudget newBudget() {
    return StoreBudget.NONE;
  }

  /** A view that remembers the specs it handed out: what one snapshot uses, for {@link #retainOnly}. */
  default Uses uses() {
    return new Uses(this);
  }

  /** The specs one snapshot asked for. */
  final class Uses {
    private final RateLimitBackend backend;
    private final Set<LimiterRegistry.Spec> specs = ConcurrentHashMap.newKeySet();

    Uses(RateLimitBackend backend) {
      this.backend = backend;
    }

    public RateLimiter limiter(LimiterRegistry.Spec spec) {
      specs.add(spec);
      return backend.limiter(spec);
    }

    public Set<LimiterRegistry.Spec> specs() {
      return Set.copyOf(specs);
    }
  }
}
