package io.wsgate.upstream;

import io.wsgate.policy.Route;
import io.wsgate.policy.UpstreamTarget;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every route's members, outliving policy snapshots: a reload that keeps a route (same path and
 * match) and a member (same URL) keeps its live-session count, cool-down, health and slow start.
 * A member the policy no longer lists is forgotten once no session uses it.
 */
public final class UpstreamMembers {
  private final Map<Key, UpstreamMember> members = new ConcurrentHashMap<>();

  private record Key(String match, String routePath, String label, boolean tls, String host, int port, String path) {
  }

  UpstreamMember member(Route route, UpstreamTarget target, int demoPort) {
    String host = target.demo() ? "127.0.0.1" : target.host();
    int port = target.demo() ? demoPort : target.port();
    Key key = new Key(route.prefix() ? "prefix" : "exact", route.id(), UpstreamPool.label(target), target.tls(), host, port,
        target.path());
    return members.computeIfAbsent(key, k -> new UpstreamMember(k.label(), k.tls(), k.host(), k.port(), k.path()));
  }

  /** Forgets the members none of {@code pools} uses and no session holds. */
  public void retainOnly(Collection<UpstreamPool> pools) {
    Set<UpstreamMember> used = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    pools.forEach(pool -> used.addAll(pool.members()));
    members.values().removeIf(member -> !used.contains(member) && member.sessions() == 0);
  }

  /** Members that still count sessions, described ({@code label: n}); empty when every count is back to 0. */
  public List<String> stillCounted() {
    List<String> out = new ArrayList<>();
    members.forEach((key, member) -> {
      if (member.sessions() != 0) {
        out.add(key.routePath() + " -> " + key.label() + ": " + member.sessions());
      }
    });
    return out;
  }
}
