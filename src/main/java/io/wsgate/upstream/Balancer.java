package io.wsgate.upstream;

import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.policy.Balancing;

import java.util.List;

/** One route's way of ordering its members for a new session ({@code balance}). Called once per upgrade. */
interface Balancer {
  /** The healthy members in the order this upgrade tries them (failover follows it); empty when none is healthy. */
  List<UpstreamMember> order(HandshakeRequest request, long nowNanos);

  static Balancer of(Balancing balancing, UpstreamMember[] members) {
    long slowStartNanos = balancing.slowStart().toNanos();
    return switch (balancing.strategy()) {
      case ROUND_ROBIN -> new RoundRobinBalancer(members, slowStartNanos);
      case LEAST_CONNECTIONS -> new LeastConnectionsBalancer(members, slowStartNanos);
      case HASH -> new HashBalancer(members, balancing.hashOn());
    };
  }
}
