package io.wsgate.fleet;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.cluster.ClusterLeases;
import io.wsgate.cluster.RedisStore;
import io.wsgate.limits.ConcurrencyLimiter;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.limits.StoreBudget;
import io.wsgate.metrics.FleetGauges;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection cap's counts across the fleet (per IP, per subject, or the global cap): each slot is
 * a lease in Redis ({@link ClusterLeases}), renewed by this node while its session lives and given
 * back when it ends; a node that dies frees its slots within the lease TTL. This node also keeps its
 * own tally of what it holds: {@link #count} reads it, and when the store cannot decide, failOpen caps
 * each node by its tally alone.
 */
final class FleetConnections implements ConnectionCounter {
  private final String prefix;
  private final ClusterLeases leases;
  private final RedisStore store;
  private final StoreFallback fallback;
  /** This node's sessions by key, leased or (while the store was out of reach) counted here only. */
  private final ConcurrencyLimiter held = new ConcurrencyLimiter();
  private final Set<CompletableFuture<Void>> releasing = ConcurrentHashMap.newKeySet();

  /** @param prefix what the cap's keys start with in Redis ({@code ip:}, {@code subject:}, {@code global:}) */
  FleetConnections(String prefix, ClusterLeases leases, RedisStore store, StoreFallback fallback) {
    this.prefix = prefix;
    this.leases = leases;
    this.store = store;
    this.fallback = fallback;
  }

  @Override
  public Future<Slot> acquire(String key, int max) {
    return acquire(key, max, StoreBudget.NONE);
  }

  @Override
  public Future<Slot> acquire(String key, int max, StoreBudget budget) {
    if (max <= 0) {
      return Future.succeededFuture(null);
    }
    long left = budget == StoreBudget.NONE ? store.settings().callTimeout().toNanos() : budget.remainingNanos();
    if (left <= 0 || !store.health().isUp()) {
      return alone(key, max);
    }
    Context context = Vertx.currentContext();
    long asked = System.nanoTime();
    CompletableFuture<Optional<ClusterLeases.Lease>> answer = leases.tryAcquire(prefix + key, max, Duration.ofNanos(left));
    Future<Optional<ClusterLeases.Lease>> back = context == null ? Future.fromCompletionStage(answer)
        : Future.fromCompletionStage(answer, context);
    return back.transform(ar -> {
      budget.spend(System.nanoTime() - asked);
      if (ar.failed()) {
        return alone(key, max); // a late answer was already taken back by ClusterLeases
      }
      if (ar.result().isEmpty()) {
        return Future.succeededFuture(null);
      }
      ClusterLeases.Lease lease = ar.result().get();
      held.tryAcquire(key, Integer.MAX_VALUE);
      return Future.succeededFuture(once(() -> {
        held.release(key);
        track(lease.release());
      }));
    });
  }

  /** The store cannot decide: this node's tally against the cap (failOpen), or a refusal (failClosed). */
  private Future<Slot> alone(String key, int max) {
    return fallback.decide(FleetGauges.Limit.CONNECTIONS,
        () -> held.tryAcquire(key, max) ? once(() -> held.release(key)) : null);
  }

  @Override
  public int count(String key) {
    return held.count(key);
  }

  @Override
  public int trackedKeys() {
    return held.trackedKeys();
  }

  /** Lease releases sent and not answered yet (a graceful stop waits for them). */
  CompletableFuture<Void> releasesInFlight() {
    return CompletableFuture.allOf(releasing.toArray(new CompletableFuture<?>[0]));
  }

  private void track(CompletableFuture<Void> release) {
    releasing.add(release);
    release.whenComplete((v, e) -> releasing.remove(release));
  }

  private static Slot once(Runnable release) {
    AtomicBoolean given = new AtomicBoolean();
    return () -> {
      if (given.compareAndSet(false, true)) {
        release.run();
      }
    };
  }
}
