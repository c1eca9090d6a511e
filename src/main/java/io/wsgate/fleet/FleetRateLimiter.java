package io.wsgate.fleet;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.cluster.ClusterBuckets;
import io.wsgate.cluster.ClusterMessageLimiter;
import io.wsgate.cluster.ClusterRateLimiter;
import io.wsgate.cluster.RedisStore;
import io.wsgate.cluster.SyncBound;
import io.wsgate.limits.BucketSpec;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.RateLimiter;
import io.wsgate.limits.StoreBudget;
import io.wsgate.metrics.FleetGauges;
import io.wsgate.policy.Rate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * One rate rule's buckets, shared by the fleet. The handshake path ({@link #acquire}) asks Redis and
 * waits, within what the handshake has left of {@code storeTimeout}; the message path
 * ({@link #tryAcquire}) never waits: Bucket4j's delaying optimization answers from this node's view
 * and syncs it every {@code syncPeriod} ({@link SyncBound}). When the store cannot decide, the
 * node's own bucket of the same rate does ({@link StoreFallback}).
 */
final class FleetRateLimiter implements RateLimiter {
  private final LimiterRegistry.Spec spec;
  private final ClusterBuckets buckets;
  private final RedisStore store;
  private final RateLimiter local;
  private final StoreFallback fallback;
  private final Duration syncPeriod;
  private final String ruleId;
  private final long refusedWaitNanos;
  private volatile ClusterRateLimiter exact;
  private volatile ClusterMessageLimiter messages;

  FleetRateLimiter(LimiterRegistry.Spec spec, ClusterBuckets buckets, RedisStore store, RateLimiter local,
                   StoreFallback fallback, Duration syncPeriod) {
    this.spec = spec;
    this.buckets = buckets;
    this.store = store;
    this.local = local;
    this.fallback = fallback;
    this.syncPeriod = syncPeriod;
    this.ruleId = ruleId(spec);
    Rate rate = spec.rate();
    this.refusedWaitNanos = Math.max(1, rate.period().toNanos() / rate.permits());
  }

  /**
   * The rule's name as Redis keys show it, and its rate: a rule whose rate changes starts with full
   * buckets, as in one process ({@code wsgate:bucket:<name>@<rate hash>:<key>}).
   */
  static String ruleId(LimiterRegistry.Spec spec) {
    Rate rate = spec.rate();
    String text = rate.permits() + "/" + rate.period().toNanos() + "/" + rate.burst();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return spec.name().replaceAll("[^A-Za-z0-9._\\[\\]/-]", "_") + "@" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  @Override
  public long tryAcquire(String key, long permits) {
    return switch (messages().decide(key, permits)) {
      case ALLOWED -> 0;
      case REFUSED -> refusedWaitNanos;
      case UNDECIDED -> UNDECIDED;
    };
  }

  @Override
  public Future<Long> acquire(String key, long permits) {
    return acquire(key, permits, StoreBudget.NONE);
  }

  @Override
  public Future<Long> acquire(String key, long permits, StoreBudget budget) {
    long left = budget == StoreBudget.NONE ? store.settings().callTimeout().toNanos() : budget.remainingNanos();
    if (left <= 0 || !store.health().isUp()) {
      return fallback.decide(FleetGauges.Limit.HANDSHAKE_RATE, () -> local.tryAcquire(key, permits));
    }
    Context context = Vertx.currentContext();
    long asked = System.nanoTime();
    CompletableFuture<Long> answer = exact().tryAcquire(key, permits, Duration.ofNanos(left));
    Future<Long> back = context == null ? Future.fromCompletionStage(answer) : Future.fromCompletionStage(answer, context);
    return back.transform(ar -> {
      budget.spend(System.nanoTime() - asked);
      return ar.succeeded() ? Future.succeededFuture(ar.result())
          : fallback.decide(FleetGauges.Limit.HANDSHAKE_RATE, () -> local.tryAcquire(key, permits));
    });
  }

  /** Message decisions this rule's node-side buckets took because the store could not be asked. */
  long messageFallbacks() {
    ClusterMessageLimiter current = messages;
    return current == null ? 0 : current.localDecisionsTotal();
  }

  private ClusterRateLimiter exact() {
    ClusterRateLimiter current = exact;
    if (current == null) {
      synchronized (this) {
        if (exact == null) {
          exact = buckets.rateLimiter(ruleId, BucketSpec.of(spec.rate()), spec.maxKeys());
        }
        current = exact;
      }
    }
    return current;
  }

  private ClusterMessageLimiter messages() {
    ClusterMessageLimiter current = messages;
    if (current == null) {
      synchronized (this) {
        if (messages == null) {
          messages = buckets.messageLimiter(ruleId, BucketSpec.of(spec.rate()),
              SyncBound.forRate(spec.rate(), syncPeriod), spec.maxKeys());
        }
        current = messages;
      }
    }
    return current;
  }
}
