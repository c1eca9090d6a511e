package io.wsgate.upstream;

import io.wsgate.handshake.HandshakeRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The healthy member with the fewest sessions (live ones and dials in flight) first, counted
 * against its weight in slow start: {@code (sessions + 1) / weight}. Ties go round-robin: the scan
 * starts one member further on each time and the sort is stable.
 */
final class LeastConnectionsBalancer implements Balancer {
  private final UpstreamMember[] members;
  private final long slowStartNanos;
  private final AtomicInteger next = new AtomicInteger();

  LeastConnectionsBalancer(UpstreamMember[] members, long slowStartNanos) {
    this.members = members;
    this.slowStartNanos = slowStartNanos;
  }

  @Override
  public List<UpstreamMember> order(HandshakeRequest request, long nowNanos) {
    int start = Math.floorMod(next.getAndIncrement(), members.length);
    List<Scored> healthy = new ArrayList<>(members.length);
    for (int i = 0; i < members.length; i++) {
      UpstreamMember member = members[(start + i) % members.length];
      if (member.healthy(nowNanos)) {
        healthy.add(new Scored(member, (member.sessions() + 1) / member.weight(nowNanos, slowStartNanos)));
      }
    }
    healthy.sort(Comparator.comparingDouble(Scored::load));
    return healthy.stream().map(Scored::member).toList();
  }

  private record Scored(UpstreamMember member, double load) {
  }
}
