package io.wsgate.fleet;

import io.vertx.core.Future;
import io.wsgate.limits.SharedStateUnavailable;
import io.wsgate.metrics.FleetGauges;
import io.wsgate.policy.ClusterSettings;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What a node does when the store cannot decide a limit, in one place: {@code failOpen} decides with
 * the node's own state (and counts it), {@code failClosed} refuses the handshake
 * ({@link SharedStateUnavailable}, 503 {@code store_unavailable}).
 */
final class StoreFallback {
  private final ClusterSettings.OnStoreFailure mode;
  private final Map<FleetGauges.Limit, LongAdder> counts = new EnumMap<>(FleetGauges.Limit.class);

  StoreFallback(ClusterSettings.OnStoreFailure mode) {
    this.mode = mode;
    for (FleetGauges.Limit limit : FleetGauges.Limit.values()) {
      counts.put(limit, new LongAdder());
    }
  }

  boolean failClosed() {
    return mode == ClusterSettings.OnStoreFailure.FAIL_CLOSED;
  }

  /** {@code local}'s answer under failOpen (counted), or a failed future under failClosed. */
  <T> Future<T> decide(FleetGauges.Limit limit, Supplier<T> local) {
    if (failClosed()) {
      return Future.failedFuture(new SharedStateUnavailable("cluster store unavailable (" + limit.tag() + ")"));
    }
    counts.get(limit).increment();
    return Future.succeededFuture(local.get());
  }

  long total(FleetGauges.Limit limit) {
    return counts.get(limit).sum();
  }
}
