package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.Mode;

/** Listener-wide and route address rules; both must permit the client. Cheapest guard: first. */
public final class IpGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);
  private static final Future<Verdict> DENIED = Future.succeededFuture(Verdict.deny(Reason.IP_DENIED));

  private final IpRules listener;
  private final MonitorLog monitor;

  public IpGuard(IpRules listener, MonitorLog monitor) {
    this.listener = listener;
    this.monitor = monitor;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    IpRules route = request.route().security().ipRules();
    if (denies(listener, request) || (route != null && denies(route, request))) {
      return DENIED;
    }
    return ALLOWED;
  }

  private boolean denies(IpRules rules, HandshakeRequest request) {
    if (rules.permits(request.clientAddress())) {
      return false;
    }
    if (rules.mode() == Mode.MONITOR) {
      monitor.wouldDeny(request, Reason.IP_DENIED);
      return false;
    }
    return true;
  }
}
