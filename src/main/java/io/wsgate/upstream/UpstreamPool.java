package io.wsgate.upstream;

import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.policy.Balancing;
import io.wsgate.policy.Route;
import io.wsgate.policy.UpstreamTarget;

import java.util.ArrayList;
import java.util.List;

/** A route's upstream members, ordered for each new session by the route's {@link Balancer}; cool-down for failed ones. */
public final class UpstreamPool {
  private final String route;
  private final List<UpstreamMember> members;
  private final long cooldownNanos;
  private final Balancing balancing;
  private final Balancer balancer;
  private final UpstreamSsl ssl;

  /**
   * @param registry where members (and their state) outlive this snapshot
   * @param ssl      the route's TLS toward {@code wss://} members, read for this snapshot; null = {@link UpstreamSsl#DEFAULT}
   */
  public UpstreamPool(Route route, int demoPort, UpstreamMembers registry, UpstreamSsl ssl) {
    List<UpstreamMember> list = new ArrayList<>();
    for (UpstreamTarget target : route.upstreams()) {
      list.add(registry.member(route, target, demoPort));
    }
    this.route = route.id();
    this.members = List.copyOf(list);
    this.cooldownNanos = route.upstreamCooldown().toNanos();
    this.balancing = route.balancing();
    this.balancer = Balancer.of(balancing, list.toArray(new UpstreamMember[0]));
    this.ssl = ssl == null ? UpstreamSsl.DEFAULT : ssl;
  }

  /** A member's label, as sessions, the audit and the metrics name it: the target as configured. */
  public static String label(UpstreamTarget target) {
    return target.demo() ? "demo" : target.label();
  }

  /** How {@code wss://} members are dialled: trust, client certificate, server name. */
  public UpstreamSsl ssl() {
    return ssl;
  }

  /** The route's path, as the metrics and logs name it. */
  public String route() {
    return route;
  }

  public List<UpstreamMember> members() {
    return members;
  }

  public Balancing balancing() {
    return balancing;
  }

  /** Healthy members in the order this upgrade should try them; empty when none is. */
  public List<UpstreamMember> candidates(HandshakeRequest request) {
    return balancer.order(request, System.nanoTime());
  }

  public void failed(UpstreamMember member) {
    member.markDown(System.nanoTime(), cooldownNanos);
  }

  public void succeeded(UpstreamMember member) {
    member.markUp();
  }
}
