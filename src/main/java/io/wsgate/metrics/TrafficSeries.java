package io.wsgate.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code (route, upstream)} label pairs, bounded: label values come only from the policy (a
 * route's path and an upstream member as configured), never from a request. At most
 * {@link #MAX_PAIRS} pairs are kept; sessions of any further pair are counted under
 * {@code route="other", upstream="other"}. A pair the policy no longer names (a reload removed its
 * route or upstream) is dropped once it has no live session and {@link #RETENTION} has passed, so
 * that Prometheus scraped its last values; a slot is then free again.
 *
 * <pre>{@code
 * RouteTraffic t = series.open("/chat", "ws://10.0.0.5:9000/"); // once per session, at its start
 * series.sync(Map.of("/chat", List.of("ws://10.0.0.5:9000/")), System.nanoTime()); // at each scrape
 * }</pre>
 */
final class TrafficSeries {
  static final int MAX_PAIRS = 100;
  static final String OTHER = "other";
  static final Duration RETENTION = Duration.ofMinutes(10);

  record Pair(String route, String upstream) {
  }

  private final Map<Pair, RouteTraffic> pairs = new ConcurrentHashMap<>();
  private final AtomicInteger held = new AtomicInteger();
  private final RouteTraffic other = new RouteTraffic(OTHER, OTHER);
  /** "other" is exported from its first session on: until the cap is reached it would only be zeros. */
  private volatile boolean otherUsed;

  /** A session of this pair starts: counted live in the pair returned (or in "other" beyond the cap). */
  RouteTraffic open(String route, String upstream) {
    RouteTraffic traffic = pairs.compute(new Pair(route, upstream), (pair, existing) -> {
      RouteTraffic t = existing != null ? existing : reserve(pair);
      if (t != null) {
        t.active.increment();
      }
      return t;
    });
    if (traffic == null) {
      otherUsed = true;
      other.active.increment();
      return other;
    }
    return traffic;
  }

  private RouteTraffic reserve(Pair pair) {
    if (held.incrementAndGet() > MAX_PAIRS) {
      held.decrementAndGet();
      return null;
    }
    return new RouteTraffic(pair.route(), pair.upstream());
  }

  /**
   * Brings the pairs in line with the policy in force: each configured pair exists (at 0 until its
   * first session, cap permitting); a pair no longer configured is marked, and dropped once it has
   * been unconfigured for {@link #RETENTION} with no live session.
   *
   * @return the pairs dropped now
   */
  List<RouteTraffic> sync(Map<String, List<String>> configured, long nowNanos) {
    Set<Pair> wanted = new HashSet<>();
    configured.forEach((route, upstreams) -> upstreams.forEach(u -> wanted.add(new Pair(route, u))));
    for (Pair pair : wanted) {
      if (!pairs.containsKey(pair)) {
        pairs.compute(pair, (p, existing) -> existing != null ? existing : reserve(p));
      }
    }
    List<RouteTraffic> dropped = new ArrayList<>();
    for (Pair pair : List.copyOf(pairs.keySet())) {
      pairs.computeIfPresent(pair, (p, t) -> {
        if (wanted.contains(p)) {
          t.configured = true;
          return t;
        }
        if (t.configured) {
          t.configured = false;
          t.unconfiguredSinceNanos = nowNanos;
        }
        if (t.active.sum() == 0 && nowNanos - t.unconfiguredSinceNanos >= RETENTION.toNanos()) {
          held.decrementAndGet();
          dropped.add(t);
          return null;
        }
        return t;
      });
    }
    return dropped;
  }

  /** Every pair held now, and "other" once a session was counted there. */
  Collection<RouteTraffic> all() {
    List<RouteTraffic> all = new ArrayList<>(pairs.values());
    if (otherUsed) {
      all.add(other);
    }
    return all;
  }
}
