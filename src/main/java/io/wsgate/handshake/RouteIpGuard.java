package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

/** A route's own client address rules ({@code routes[].clients}), when it has any: 403 for an address they do not allow. */
public final class RouteIpGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);
  private static final Future<Verdict> DENIED = Future.succeededFuture(Verdict.deny(Reason.IP_DENIED));

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    IpRules rules = request.route().security().ipRules();
    return rules == null || rules.permits(request.clientAddress()) ? ALLOWED : DENIED;
  }

  @Override
  public Mode mode(Route route) {
    IpRules rules = route.security().ipRules();
    return rules == null ? Mode.ENFORCE : rules.mode();
  }

  @Override
  public Reason recheck(LiveClient client, Route route) {
    IpRules rules = route.security().ipRules();
    return rules == null || rules.permits(client.clientAddress()) ? null : Reason.IP_DENIED;
  }
}
