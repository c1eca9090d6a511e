package io.wsgate.limits;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

/** The default backend: every limiter and counter in this process (Bucket4j buckets in Caffeine caches). */
public final class LocalRateLimitBackend implements RateLimitBackend {
  private final LimiterRegistry registry = new LimiterRegistry();
  private final Map<ConnectionScope, ConcurrencyLimiter> connections = new EnumMap<>(ConnectionScope.class);

  public LocalRateLimitBackend() {
    for (ConnectionScope scope : ConnectionScope.values()) {
      connections.put(scope, new ConcurrencyLimiter());
    }
  }

  @Override
  public RateLimiter limiter(LimiterRegistry.Spec spec) {
    return registry.limiter(spec);
  }

  @Override
  public void retainOnly(Collection<LimiterRegistry.Spec> inUse) {
    registry.retainOnly(inUse);
  }

  @Override
  public ConnectionCounter connections(ConnectionScope scope) {
    return connections.get(scope);
  }

  /** Limiters held now (tests). */
  public int limiters() {
    return registry.size();
  }
}
