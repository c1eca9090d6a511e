package io.wsgate.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.wsgate.policy.Rate;

import java.time.Duration;
import java.util.function.Function;

/**
 * One token bucket per key (client IP, subject, or a single global key), all with the same
 * {@link Rate}, held in a bounded Caffeine cache: at most {@code maxKeys} buckets exist at once,
 * and a bucket idle for as long as it takes to refill completely is dropped (it would be full
 * again anyway, so dropping it changes no decision). A flood of distinct keys therefore costs a
 * bounded amount of memory; the price is that, past {@code maxKeys} live keys, some keys lose
 * their history (Caffeine's admission policy favours keys seen often, so an active abuser tends
 * to keep its empty bucket).
 *
 * <p>Build one per policy snapshot. Thread-safe and non-blocking: buckets are lock-free and cache
 * maintenance runs on the calling thread in small amortised steps (no executor, no timer).
 *
 * <pre>{@code
 * KeyedRateLimiter perIp = new KeyedRateLimiter(new Rate(10, Duration.ofSeconds(1), 20), 100_000);
 * long wait = perIp.tryAcquire(clientIp, 1);
 * if (wait > 0) {
 *   deny(Reason.HANDSHAKE_RATE_LIMITED, RetryAfter.seconds(wait));
 * }
 * }</pre>
 */
public final class KeyedRateLimiter implements RateLimiter {
  private final BucketSpec spec;
  private final int maxKeys;
  private final Cache<String, Bucket> buckets;
  private final Function<String, Bucket> newBucket;

  public KeyedRateLimiter(Rate rate, int maxKeys) {
    if (maxKeys <= 0) {
      throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
    }
    this.spec = BucketSpec.of(rate);
    this.maxKeys = maxKeys;
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfterAccess(Duration.ofNanos(spec.nanosToFill()))
        .executor(Runnable::run)
        .build();
    this.newBucket = key -> spec.newBucket();
  }

  /**
   * Takes {@code permits} tokens from {@code key}'s bucket.
   *
   * @return 0 when allowed; otherwise the nanoseconds until that many tokens will be available
   *     (Bucket4j's {@link ConsumptionProbe#getNanosToWaitForRefill()}, at least 1), which is what
   *     {@link RetryAfter#seconds(long)} turns into {@code Retry-After}. A request larger than the
   *     burst can never succeed and answers {@link Long#MAX_VALUE}.
   */
  @Override
  public long tryAcquire(String key, long permits) {
    if (permits <= 0) {
      throw new IllegalArgumentException("permits must be positive, was " + permits);
    }
    if (permits > spec.capacity()) {
      return Long.MAX_VALUE;
    }
    ConsumptionProbe probe = buckets.get(key, newBucket).tryConsumeAndReturnRemaining(permits);
    return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }

  public Rate rate() {
    return spec.rate();
  }

  public int maxKeys() {
    return maxKeys;
  }

  /** Approximate number of keys held (for metrics and tests). */
  public long estimatedSize() {
    return buckets.estimatedSize();
  }

  /** Runs pending evictions and expirations now (they otherwise happen during later calls). */
  public void cleanUp() {
    buckets.cleanUp();
  }
}
