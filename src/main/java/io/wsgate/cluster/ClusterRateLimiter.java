package io.wsgate.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.wsgate.limits.BucketSpec;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The fleet-wide counterpart of {@link io.wsgate.limits.KeyedRateLimiter} for the handshake path:
 * one bucket per key in Redis, exact (every acquisition is decided by Redis), answered within the
 * store's call timeout. Concurrent acquisitions for one key on this node travel to Redis together
 * (Bucket4j's batching), so a flood from one IP costs one round trip at a time, not one each.
 *
 * <pre>{@code
 * perIp.tryAcquire(clientIp, 1).whenComplete((wait, failure) -> {
 *   if (failure != null) { ... StoreUnavailableException: onStoreFailure (local limiter, or 503) ... }
 *   else if (wait > 0) { deny(Reason.HANDSHAKE_RATE_LIMITED, RetryAfter.seconds(wait)); }
 * });
 * }</pre>
 */
public final class ClusterRateLimiter {
  private final ClusterBuckets buckets;
  private final RedisStore store;
  private final String ruleId;
  private final BucketSpec spec;
  private final BucketConfiguration configuration;
  private final Cache<String, AsyncBucketProxy> proxies;

  ClusterRateLimiter(ClusterBuckets buckets, RedisStore store, String ruleId, BucketSpec spec, int maxKeys) {
    this.buckets = buckets;
    this.store = store;
    this.ruleId = Objects.requireNonNull(ruleId, "ruleId");
    this.spec = Objects.requireNonNull(spec, "spec");
    if (maxKeys <= 0) {
      throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
    }
    this.configuration = ClusterBuckets.configuration(spec.rate());
    this.proxies = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterAccess(Duration.ofNanos(spec.nanosToFill()))
        .executor(Runnable::run).build();
  }

  /**
   * Takes {@code permits} tokens from {@code key}'s shared bucket.
   *
   * @return 0 when allowed, else the nanoseconds until that many tokens will be there (at least 1;
   *     {@link Long#MAX_VALUE} for more than the burst); fails with {@link StoreUnavailableException}
   *     when the store does not answer within its call timeout
   */
  public CompletableFuture<Long> tryAcquire(String key, long permits) {
    return tryAcquire(key, permits, store.settings().callTimeout());
  }

  /** As {@link #tryAcquire(String, long)}, answered within {@code timeout} (what a handshake has left to wait). */
  public CompletableFuture<Long> tryAcquire(String key, long permits, Duration timeout) {
    if (permits <= 0) {
      throw new IllegalArgumentException("permits must be positive, was " + permits);
    }
    if (permits > spec.capacity()) {
      return CompletableFuture.completedFuture(Long.MAX_VALUE);
    }
    AsyncProxyManager<String> manager = buckets.proxies();
    if (manager == null) {
      return CompletableFuture.failedFuture(new StoreUnavailableException("cluster store not connected yet"));
    }
    AsyncBucketProxy bucket = proxies.get(key, k -> manager.builder().withOptimization(Optimizations.batching())
        .build(ClusterKeys.bucket(ruleId, k), () -> CompletableFuture.completedFuture(configuration)));
    return store.<ConsumptionProbe>call(ignored -> bucket.tryConsumeAndReturnRemaining(permits), timeout)
        .thenApply(probe -> probe.isConsumed() ? 0L : Math.max(1L, probe.getNanosToWaitForRefill()));
  }

  public String ruleId() {
    return ruleId;
  }
}
