package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

/** The listener's client address rules ({@code listen.clients}): 403 for an address they do not allow. */
public final class ListenerIpGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);
  private static final Future<Verdict> DENIED = Future.succeededFuture(Verdict.deny(Reason.IP_DENIED));

  private final IpRules rules;

  public ListenerIpGuard(IpRules rules) {
    this.rules = rules;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    return rules.permits(request.clientAddress()) ? ALLOWED : DENIED;
  }

  @Override
  public Mode mode(Route route) {
    return rules.mode();
  }

  @Override
  public Reason recheck(LiveClient client, Route route) {
    return rules.permits(client.clientAddress()) ? null : Reason.IP_DENIED;
  }
}
