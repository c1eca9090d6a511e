package io.wsgate.fleet;

import io.wsgate.cluster.ClusterBuckets;
import io.wsgate.cluster.ClusterLeases;
import io.wsgate.cluster.RedisStore;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.limits.ConnectionScope;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.RateLimiter;
import io.wsgate.limits.StoreBudget;
import io.wsgate.metrics.FleetGauges;
import io.wsgate.policy.ClusterSettings;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The limits seam over the fleet's store: rate buckets shared in Redis ({@link FleetRateLimiter}) and
 * connection caps as leases ({@link FleetConnections}), with this process's own limiters behind them
 * for when the store cannot decide. Per-connection message limits never reach it: they live in each
 * session.
 */
public final class FleetBackend implements RateLimitBackend {
  private final ClusterBuckets buckets;
  private final RedisStore store;
  private final ClusterSettings settings;
  private final StoreFallback fallback;
  private final BooleanSupplier shared;
  private final LocalRateLimitBackend local = new LocalRateLimitBackend();
  private final ConcurrentHashMap<LimiterRegistry.Spec, FleetRateLimiter> limiters = new ConcurrentHashMap<>();
  private final Map<ConnectionScope, FleetConnections> connections = new EnumMap<>(ConnectionScope.class);
  /** Message fallbacks of limiters since dropped, so that the counter never goes back. */
  private final LongAdder retiredMessageFallbacks = new LongAdder();

  /**
   * @param shared whether the store can be asked now, limits and revocations alike (what failClosed
   *               waits for before it admits new sessions)
   */
  FleetBackend(RedisStore store, ClusterBuckets buckets, ClusterLeases leases, ClusterSettings settings,
               StoreFallback fallback, BooleanSupplier shared) {
    this.store = store;
    this.buckets = buckets;
    this.settings = settings;
    this.fallback = fallback;
    this.shared = shared;
    connections.put(ConnectionScope.GLOBAL, new FleetConnections("global:", leases, store, fallback));
    connections.put(ConnectionScope.PER_IP, new FleetConnections("ip:", leases, store, fallback));
    connections.put(ConnectionScope.PER_SUBJECT, new FleetConnections("subject:", leases, store, fallback));
    connections.put(ConnectionScope.PER_ROUTE, new FleetConnections("route:", leases, store, fallback));
  }

  @Override
  public RateLimiter limiter(LimiterRegistry.Spec spec) {
    return limiters.computeIfAbsent(spec, s -> new FleetRateLimiter(s, buckets, store, local.limiter(s), fallback,
        settings.syncPeriod()));
  }

  @Override
  public void retainOnly(Collection<LimiterRegistry.Spec> inUse) {
    Set<LimiterRegistry.Spec> kept = Set.copyOf(inUse);
    limiters.entrySet().removeIf(entry -> {
      if (kept.contains(entry.getKey())) {
        return false;
      }
      retiredMessageFallbacks.add(entry.getValue().messageFallbacks());
      return true;
    });
    local.retainOnly(inUse);
  }

  @Override
  public ConnectionCounter connections(ConnectionScope scope) {
    return connections.get(scope);
  }

  @Override
  public boolean admitsNewSessions() {
    return !fallback.failClosed() || shared.getAsBoolean();
  }

  @Override
  public StoreBudget newBudget() {
    return StoreBudget.of(settings.storeTimeout());
  }

  long fallbacks(FleetGauges.Limit limit) {
    if (limit != FleetGauges.Limit.MESSAGE_RATE) {
      return fallback.total(limit);
    }
    long sum = retiredMessageFallbacks.sum();
    for (FleetRateLimiter limiter : limiters.values()) {
      sum += limiter.messageFallbacks();
    }
    return sum;
  }

  /** Lease releases still on their way to Redis. */
  CompletableFuture<Void> releasesInFlight() {
    List<CompletableFuture<Void>> all = connections.values().stream().map(FleetConnections::releasesInFlight).toList();
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
  }
}
