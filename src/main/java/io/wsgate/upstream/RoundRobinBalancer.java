package io.wsgate.upstream;

import io.wsgate.handshake.HandshakeRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Smooth weighted round-robin (as nginx does it) over the healthy members: each pick adds every
 * member's weight to its credit and takes the member with the most, which then pays the total.
 * With equal weights that is plain round-robin; a member in slow start (weight below 1) is picked
 * in proportion to its weight, spread out rather than in bursts. The rest follow in pool order as
 * the failover order.
 */
final class RoundRobinBalancer implements Balancer {
  private final UpstreamMember[] members;
  private final long slowStartNanos;
  private final double[] credit;

  RoundRobinBalancer(UpstreamMember[] members, long slowStartNanos) {
    this.members = members;
    this.slowStartNanos = slowStartNanos;
    this.credit = new double[members.length];
  }

  @Override
  public List<UpstreamMember> order(HandshakeRequest request, long nowNanos) {
    int first = pick(nowNanos);
    if (first < 0) {
      return List.of();
    }
    List<UpstreamMember> out = new ArrayList<>(members.length);
    for (int i = 0; i < members.length; i++) {
      UpstreamMember member = members[(first + i) % members.length];
      if (i == 0 || member.healthy(nowNanos)) {
        out.add(member);
      }
    }
    return out;
  }

  /** Upgrades arrive on every event loop: the credits are one shared state, changed under this lock. */
  private synchronized int pick(long nowNanos) {
    int best = -1;
    double total = 0;
    for (int i = 0; i < members.length; i++) {
      if (!members[i].healthy(nowNanos)) {
        continue;
      }
      double weight = members[i].weight(nowNanos, slowStartNanos);
      credit[i] += weight;
      total += weight;
      if (best < 0 || credit[i] > credit[best]) {
        best = i;
      }
    }
    if (best >= 0) {
      credit[best] -= total;
    }
    return best;
  }
}
