package io.wsgate.limits;

import io.wsgate.policy.Rate;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared token buckets (per client IP, per subject, global), kept across policy snapshots: a
 * snapshot asks for a limiter by {@link Spec}, and gets the one an earlier snapshot used when the
 * spec is the same, buckets and all. So a client at its limit stays limited across a reload; a rule
 * whose name, rate or key bound changed starts with full buckets. One per gateway; thread-safe.
 *
 * <pre>{@code
 * KeyedRateLimiter perIp = registry.limiter(new LimiterRegistry.Spec("connections.perIp", rate, 100_000));
 * registry.retainOnly(specsOfTheNewSnapshot);   // after a swap: forget what no rule uses any more
 * // Callers reach it through RateLimitBackend (LocalRateLimitBackend), never directly.
 * }</pre>
 */
public final class LimiterRegistry {
  // The in-process half of LocalRateLimitBackend.
  /**
   * What makes two limiters the same one.
   *
   * @param name    where the rate is defined, unique within a policy (e.g. {@code connections.perIp},
   *                or a route, direction, rule and part)
   * @param rate    its rate and burst
   * @param maxKeys the most keys it tracks ({@code connections.trackedKeys})
   */
  public record Spec(String name, Rate rate, int maxKeys) {
  }

  private final ConcurrentHashMap<Spec, KeyedRateLimiter> limiters = new ConcurrentHashMap<>();

  /** The limiter for this spec: the one already kept, or a new one with full buckets. */
  public KeyedRateLimiter limiter(Spec spec) {
    return limiters.computeIfAbsent(spec, s -> new KeyedRateLimiter(s.rate(), s.maxKeys()));
  }

  /** Drops the limiters no spec in {@code inUse} names (snapshots still holding them keep working). */
  public void retainOnly(Collection<Spec> inUse) {
    Set<Spec> kept = Set.copyOf(inUse);
    limiters.keySet().removeIf(spec -> !kept.contains(spec));
  }

  /** Limiters held now (tests, metrics). */
  public int size() {
    return limiters.size();
  }
}
