package io.wsgate.cluster;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.wsgate.limits.BucketSpec;
import io.wsgate.policy.Rate;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Token buckets shared by the fleet, kept in Redis by Bucket4j's Lettuce backend under
 * {@code wsgate:bucket:<rule-id>:<key>}, each expiring once it would be full again (plus 10 s), so
 * idle keys cost Redis nothing. Two kinds, one per path:
 *
 * <ul>
 *   <li>{@link #rateLimiter}: exact, asynchronous, bounded by the store's call timeout: for handshake
 *       rates per IP and per subject;</li>
 *   <li>{@link #messageLimiter}: answers at once from a local view that Bucket4j's delaying
 *       optimization syncs with Redis, never waiting: for message rates {@code per: subject}, with the
 *       overshoot that {@link SyncBound} states.</li>
 * </ul>
 *
 * The buckets behave as {@link BucketSpec}'s local ones do (greedy refill of {@code permits} per
 * {@code period}, up to {@code burst}, starting full). Refill is computed from the gateways' clocks
 * (Bucket4j's compare-and-swap backend): keep them in sync (NTP), as skew shifts refills by its size.
 *
 * <pre>{@code
 * ClusterBuckets buckets = new ClusterBuckets(store);
 * ClusterRateLimiter perIp = buckets.rateLimiter("handshake-ip", BucketSpec.of(rate), 100_000);
 * ClusterMessageLimiter perSubject = buckets.messageLimiter("chat-rate", BucketSpec.of(rate),
 *     SyncBound.forRate(rate, Duration.ofMillis(100)), 100_000);
 * }</pre>
 */
public final class ClusterBuckets {
  private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(10);

  private final RedisStore store;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile AsyncProxyManager<String> proxies;

  public ClusterBuckets(RedisStore store) {
    this.store = Objects.requireNonNull(store, "store");
    // Bucket4j's proxy manager is built on the connection, which exists only once Redis was reached.
    store.connected().thenRun(() -> {
      try {
        proxies = build(store.connection());
        ready.complete(null);
      } catch (RuntimeException e) {
        ready.completeExceptionally(e);
      }
    });
  }

  /** Completes once the shared buckets can be used (the store connected); until then limiters fall back. */
  public CompletionStage<Void> ready() {
    return ready;
  }

  /** Exact, asynchronous buckets for one rule (handshake rates). */
  public ClusterRateLimiter rateLimiter(String ruleId, BucketSpec spec, int maxKeys) {
    return new ClusterRateLimiter(this, store, ruleId, spec, maxKeys);
  }

  /** Buckets for one message rule that decide at once, syncing with Redis within {@code bound}. */
  public ClusterMessageLimiter messageLimiter(String ruleId, BucketSpec spec, SyncBound bound, int maxKeys) {
    return new ClusterMessageLimiter(this, store, ruleId, spec, bound, maxKeys);
  }

  /** Null until the store first connected. */
  AsyncProxyManager<String> proxies() {
    return proxies;
  }

  /** The Bucket4j configuration of {@code rate}: the same bandwidth {@link BucketSpec} builds for local buckets. */
  static BucketConfiguration configuration(Rate rate) {
    return BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.permits(), rate.period()).build())
        .build();
  }

  @SuppressWarnings("unchecked")
  private static AsyncProxyManager<String> build(StatefulConnection<String, byte[]> connection) {
    ExpirationAfterWriteStrategy expiry = ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL);
    if (connection instanceof StatefulRedisClusterConnection<?, ?> cluster) {
      return Bucket4jLettuce.casBasedBuilder((StatefulRedisClusterConnection<String, byte[]>) cluster)
          .expirationAfterWrite(expiry).build().asAsync();
    }
    return Bucket4jLettuce.casBasedBuilder((StatefulRedisConnection<String, byte[]>) connection)
        .expirationAfterWrite(expiry).build().asAsync();
  }
}
