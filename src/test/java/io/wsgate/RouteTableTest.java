package io.wsgate;

import io.wsgate.policy.HostPattern;
import io.wsgate.policy.Route;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The order routes are matched in: host group first (exact, one wildcard, any), then path within it. */
class RouteTableTest {
  private static RoutePlan plan(String path, boolean prefix, String host) {
    Route route = new Route(path, prefix, List.of(), List.of(), Duration.ofSeconds(10), null, TestPolicy.OPEN_ROUTE,
        io.wsgate.policy.Balancing.DEFAULT,
        host == null ? null : HostPattern.parse(host));
    return new RoutePlan(route, null, null, null);
  }

  private final RoutePlan exactA = plan("/chat", false, "a.test");
  private final RoutePlan wildcardChat = plan("/chat", false, "*.c.test");
  private final RoutePlan wildcardAll = plan("/", true, "*.c.test");
  private final RoutePlan anyChat = plan("/chat", false, null);
  private final RoutePlan anyHealth = plan("/health", false, null);
  private final RouteTable table = new RouteTable(List.of(anyHealth, anyChat, wildcardAll, wildcardChat, exactA));

  @Test
  void theMostSpecificHostGroupWinsThenThePath() {
    assertEquals(exactA, table.match("a.test", "/chat"));
    assertEquals(wildcardChat, table.match("x.c.test", "/chat"), "exact path before the wildcard host's prefix");
    assertEquals(wildcardAll, table.match("x.c.test", "/other"));
    assertEquals(anyChat, table.match("b.test", "/chat"), "a host without routes takes the routes for any host");
    assertEquals(anyChat, table.match(null, "/chat"), "no Host header: the routes for any host");
  }

  @Test
  void aHostsOwnRoutesNeverFallThrough() {
    assertNull(table.match("a.test", "/health"));
    assertNull(table.match("a.test", "/chat/x"));
  }

  @Test
  void aWildcardCoversExactlyOneLabel() {
    assertEquals(anyChat, table.match("c.test", "/chat"));
    assertEquals(anyChat, table.match("a.b.c.test", "/chat"));
    assertEquals(anyChat, table.match("xc.test", "/chat"));
  }
}
