package io.wsgate.upstream;

import io.wsgate.policy.Route;
import io.wsgate.policy.UpstreamTarget;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A route's upstream members: round-robin over the healthy ones, cool-down for failed ones. */
public final class UpstreamPool {
  private final UpstreamMember[] members;
  private final long cooldownNanos;
  private final AtomicInteger next = new AtomicInteger();

  public UpstreamPool(Route route, int demoPort) {
    List<UpstreamMember> list = new ArrayList<>();
    for (UpstreamTarget target : route.upstreams()) {
      list.add(target.demo()
          ? new UpstreamMember(label(target), false, "127.0.0.1", demoPort, null)
          : new UpstreamMember(label(target), target.tls(), target.host(), target.port(), target.path()));
    }
    this.members = list.toArray(new UpstreamMember[0]);
    this.cooldownNanos = route.upstreamCooldown().toNanos();
  }

  /** A member's label, as sessions, the audit and the metrics name it: the target as configured. */
  public static String label(UpstreamTarget target) {
    return target.demo() ? "demo" : target.label();
  }

  /** Healthy members in the order this attempt should try them; empty when all are cooling down. */
  public List<UpstreamMember> candidates() {
    long now = System.nanoTime();
    int start = Math.floorMod(next.getAndIncrement(), members.length);
    List<UpstreamMember> out = new ArrayList<>(members.length);
    for (int i = 0; i < members.length; i++) {
      UpstreamMember member = members[(start + i) % members.length];
      if (member.healthy(now)) {
        out.add(member);
      }
    }
    return out;
  }

  public void failed(UpstreamMember member) {
    member.markDown(System.nanoTime(), cooldownNanos);
  }

  public void succeeded(UpstreamMember member) {
    member.markUp();
  }
}
