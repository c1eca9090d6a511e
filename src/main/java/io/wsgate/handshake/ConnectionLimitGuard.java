package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.ConcurrencyLimiter;
import io.wsgate.limits.KeyedRateLimiter;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.RetryAfter;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Mode;

/**
 * Handshake rate per client IP (429 + Retry-After), then the global handshake rate (503), then
 * concurrent connections per client IP (429). The concurrency count is held for the session's
 * lifetime and given back through the verdict's release.
 */
public final class ConnectionLimitGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  private final ConnectionLimits limits;
  private final KeyedRateLimiter perIp;
  private final KeyedRateLimiter global;
  private final ConcurrencyLimiter ipConnections;
  private final MonitorLog monitor;

  /** Where the handshake buckets are kept, by the field that defines them. */
  public static final String PER_IP = "connections.perIp.handshakes";
  public static final String GLOBAL = "connections.global.handshakes";

  /**
   * @param limiters      the handshake buckets, kept across snapshots while their rate is unchanged
   * @param ipConnections shared across policy snapshots, so live counts survive a reload
   */
  public ConnectionLimitGuard(ConnectionLimits limits, LimiterRegistry.Uses limiters, ConcurrencyLimiter ipConnections,
                              MonitorLog monitor) {
    this.limits = limits;
    this.perIp = limits.handshakesPerIp() == null ? null
        : limiters.limiter(new LimiterRegistry.Spec(PER_IP, limits.handshakesPerIp(), limits.maxTrackedKeys()));
    this.global = limits.handshakesGlobal() == null ? null
        : limiters.limiter(new LimiterRegistry.Spec(GLOBAL, limits.handshakesGlobal(), 1));
    this.ipConnections = ipConnections;
    this.monitor = monitor;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    // Per IP before global: an attempt its own address may not make must not spend the budget
    // shared by every client, or one address flooding past its limit would starve all the others.
    if (perIp != null) {
      long wait = perIp.tryAcquire(request.clientIp(), 1);
      if (wait > 0 && enforce(request, Reason.HANDSHAKE_RATE_LIMITED)) {
        return Future.succeededFuture(Verdict.denyRetryAfter(Reason.HANDSHAKE_RATE_LIMITED, RetryAfter.seconds(wait)));
      }
    }
    if (global != null) {
      long wait = global.tryAcquire("*", 1);
      if (wait > 0 && enforce(request, Reason.GLOBAL_HANDSHAKE_RATE_LIMITED)) {
        return Future.succeededFuture(Verdict.denyRetryAfter(Reason.GLOBAL_HANDSHAKE_RATE_LIMITED,
            RetryAfter.seconds(wait)));
      }
    }
    Integer max = limits.connectionsPerIp();
    if (max == null) {
      return ALLOWED;
    }
    String ip = request.clientIp();
    if (ipConnections.tryAcquire(ip, max)) {
      return Future.succeededFuture(Verdict.allowHolding(() -> ipConnections.release(ip)));
    }
    if (enforce(request, Reason.IP_CONNECTIONS_EXCEEDED)) {
      return Future.succeededFuture(Verdict.denyRetryAfter(Reason.IP_CONNECTIONS_EXCEEDED, 1));
    }
    return ALLOWED;
  }

  private boolean enforce(HandshakeRequest request, Reason reason) {
    if (limits.mode() == Mode.MONITOR) {
      monitor.wouldDeny(request, reason);
      return false;
    }
    return true;
  }
}
