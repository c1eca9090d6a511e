package io.wsgate.metrics;

import io.wsgate.Reason;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of one {@code (route, upstream)} label pair: sessions live and ended, messages and
 * bytes relayed. Written by {@link LiveTraffic} (at session start and end, and with each scrape's
 * deltas), read when scraped.
 */
final class RouteTraffic {
  final String route;
  final String upstream;
  final LongAdder active = new LongAdder();
  final LongAdder messagesToUpstream = new LongAdder();
  final LongAdder bytesToUpstream = new LongAdder();
  final LongAdder messagesToClient = new LongAdder();
  final LongAdder bytesToClient = new LongAdder();
  private final Map<Reason, LongAdder> closes = new EnumMap<>(Reason.class);
  private final LongAdder peerCloses = new LongAdder();
  /** Whether the policy in force still names this pair, and since when it has not (nanoTime). */
  volatile boolean configured = true;
  volatile long unconfiguredSinceNanos;

  RouteTraffic(String route, String upstream) {
    this.route = route;
    this.upstream = upstream;
    for (Reason reason : Reason.values()) {
      if (reason.kind() != Reason.Kind.HTTP) {
        closes.put(reason, new LongAdder());
      }
    }
  }

  /** @param reason null when a peer closed normally */
  void closed(Reason reason) {
    LongAdder count = reason == null ? peerCloses : closes.get(reason);
    if (count != null) {
      count.increment();
    }
    active.decrement();
  }

  /** @param reason null: closed by a peer */
  long closes(Reason reason) {
    LongAdder count = reason == null ? peerCloses : closes.get(reason);
    return count == null ? 0 : count.sum();
  }
}
