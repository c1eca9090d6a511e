package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.RateLimiter;
import io.wsgate.limits.RetryAfter;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's own handshake rate per client address ({@code routes[].connections.perIp.handshakes}):
 * 429 with {@code Retry-After}, in addition to the global rates. Each route's buckets are a limiter
 * of their own, named by the route's {@link Route#limitScope()}, so they are kept over a reload while
 * the route's rule is unchanged, as the global ones are.
 */
public final class RouteHandshakeRateGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  /** By the snapshot's own route objects (what requests carry). */
  private final Map<Route, RateLimiter> limiters;

  private RouteHandshakeRateGuard(Map<Route, RateLimiter> limiters) {
    this.limiters = limiters;
  }

  /** Where a route's buckets are kept: the field that defines them. */
  public static String specName(Route route) {
    return "routes[" + route.limitScope() + "].connections.perIp.handshakes";
  }

  /**
   * Null when no route sets a handshake rate.
   *
   * @param maxTrackedKeys {@code connections.trackedKeys}: the most addresses each route's limiter tracks
   */
  public static RouteHandshakeRateGuard of(List<Route> routes, RateLimitBackend.Uses uses, int maxTrackedKeys) {
    Map<Route, RateLimiter> limiters = new IdentityHashMap<>();
    for (Route route : routes) {
      if (route.connections().handshakesPerIp() != null) {
        limiters.put(route, uses.limiter(new LimiterRegistry.Spec(specName(route),
            route.connections().handshakesPerIp(), maxTrackedKeys)));
      }
    }
    return limiters.isEmpty() ? null : new RouteHandshakeRateGuard(limiters);
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    RateLimiter limiter = limiters.get(request.route());
    if (limiter == null) {
      return ALLOWED;
    }
    return limiter.acquire(request.clientIp(), 1, request.storeBudget()).map(wait -> wait == 0 ? Verdict.ALLOW
        : Verdict.denyRetryAfter(Reason.ROUTE_HANDSHAKE_RATE_LIMITED, RetryAfter.seconds(wait)));
  }

  @Override
  public Mode mode(Route route) {
    return route.connections().mode();
  }
}
