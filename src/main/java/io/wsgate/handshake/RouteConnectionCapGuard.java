package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.policy.RouteConnections;

import java.util.List;
import java.util.function.Function;

/**
 * A route's own cap on live sessions ({@code routes[].connections.max}: 503), per client address
 * ({@code perIp.max}: 429) or per subject ({@code perSubject.max}: 429), counted under the route's
 * {@link Route#limitScope()} in addition to the global caps. The slot is held for the session's
 * lifetime and given back exactly once, as {@link ConnectionCapGuard}'s are.
 */
public final class RouteConnectionCapGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  private final ConnectionCounter counter;
  private final Function<RouteConnections, Integer> max;
  /** What to count under within the route's scope, or null when this request is not counted. */
  private final Function<HandshakeRequest, String> key;
  private final Reason reason;

  private RouteConnectionCapGuard(ConnectionCounter counter, Function<RouteConnections, Integer> max,
                                  Function<HandshakeRequest, String> key, Reason reason) {
    this.counter = counter;
    this.max = max;
    this.key = key;
    this.reason = reason;
  }

  /** Live sessions on the route; null when no route sets {@code connections.max}. */
  public static RouteConnectionCapGuard perRoute(List<Route> routes, ConnectionCounter counter) {
    return any(routes, RouteConnections::max) ? new RouteConnectionCapGuard(counter, RouteConnections::max,
        request -> "*", Reason.ROUTE_CONNECTION_CAP) : null;
  }

  /** Per client address on the route; null when no route sets {@code connections.perIp.max}. */
  public static RouteConnectionCapGuard perIp(List<Route> routes, ConnectionCounter counter) {
    return any(routes, RouteConnections::perIp) ? new RouteConnectionCapGuard(counter, RouteConnections::perIp,
        request -> "ip " + request.clientIp(), Reason.ROUTE_IP_CONNECTIONS_EXCEEDED) : null;
  }

  /** Per subject on the route (anonymous sessions are not counted); null when no route sets {@code perSubject.max}. */
  public static RouteConnectionCapGuard perSubject(List<Route> routes, ConnectionCounter counter) {
    return any(routes, RouteConnections::perSubject) ? new RouteConnectionCapGuard(counter,
        RouteConnections::perSubject,
        request -> request.identity() == null ? null : "subject " + request.identity().subjectId().key(),
        Reason.ROUTE_SUBJECT_CONNECTIONS_EXCEEDED) : null;
  }

  private static boolean any(List<Route> routes, Function<RouteConnections, Integer> max) {
    return routes.stream().anyMatch(route -> max.apply(route.connections()) != null);
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    Integer cap = max.apply(request.route().connections());
    String k = cap == null ? null : key.apply(request);
    if (k == null) {
      return ALLOWED;
    }
    return counter.acquire(request.route().limitScope() + " " + k, cap, request.storeBudget())
        .map(slot -> slot != null ? Verdict.allowHolding(slot::release) : Verdict.denyRetryAfter(reason, 1));
  }

  @Override
  public Mode mode(Route route) {
    return route.connections().mode();
  }
}
