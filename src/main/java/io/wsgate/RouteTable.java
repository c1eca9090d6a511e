package io.wsgate;

import io.wsgate.policy.HostPattern;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot's routes, grouped by host the way virtual hosts are: the request's host picks one
 * group, the most specific that has routes (its exact name, else the one wildcard pattern that
 * covers it, else the routes without {@code host}); then the path picks a route within that group
 * only, as it always did (exact before prefix, longest prefix first). A host that has routes of its
 * own never falls through to another group's, so one tenant's path cannot reach a route meant for
 * any host. Two map lookups per request, whatever the number of hosts.
 */
final class RouteTable {
  private final Map<String, Group> exactHosts = new HashMap<>();
  /** By the name after {@code "*."}. */
  private final Map<String, Group> wildcardHosts = new HashMap<>();
  private final Group anyHost;

  RouteTable(List<RoutePlan> plans) {
    Map<HostPattern, List<RoutePlan>> byHost = new LinkedHashMap<>();
    List<RoutePlan> hostless = new ArrayList<>();
    for (RoutePlan plan : plans) {
      HostPattern host = plan.route().host();
      if (host == null) {
        hostless.add(plan);
      } else {
        byHost.computeIfAbsent(host, h -> new ArrayList<>()).add(plan);
      }
    }
    byHost.forEach((host, group) -> (host.wildcard() ? wildcardHosts : exactHosts).put(host.name(), new Group(group)));
    anyHost = new Group(hostless);
  }

  /** @param host normalized ({@link HostPattern#requestHost}); null (no Host header) takes the hostless routes */
  RoutePlan match(String host, String path) {
    Group group = null;
    if (host != null) {
      group = exactHosts.get(host);
      int dot = host.indexOf('.');
      if (group == null && dot > 0 && !wildcardHosts.isEmpty()) {
        group = wildcardHosts.get(host.substring(dot + 1));
      }
    }
    return (group == null ? anyHost : group).match(path);
  }

  /** The routes of one host (or of any host). */
  private static final class Group {
    private final RoutePlan[] exact;
    private final RoutePlan[] prefix;

    Group(List<RoutePlan> plans) {
      List<RoutePlan> exactList = new ArrayList<>();
      List<RoutePlan> prefixList = new ArrayList<>();
      plans.forEach(plan -> (plan.route().prefix() ? prefixList : exactList).add(plan));
      // Longest prefix first, so /chat/admin wins over /chat.
      prefixList.sort((a, b) -> Integer.compare(b.route().path().length(), a.route().path().length()));
      exact = exactList.toArray(new RoutePlan[0]);
      prefix = prefixList.toArray(new RoutePlan[0]);
    }

    /** Exact routes win over prefix routes; among prefixes the longest wins. Null: no route. */
    RoutePlan match(String path) {
      for (RoutePlan plan : exact) {
        if (plan.route().matches(path)) {
          return plan;
        }
      }
      for (RoutePlan plan : prefix) {
        if (plan.route().matches(path)) {
          return plan;
        }
      }
      return null;
    }
  }
}
