package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Mode;

/**
 * What the verified identity may do on this route: every required scope, at least one listed role
 * (when roles are listed), and exact claim values. Runs after the token guard.
 */
public final class AuthorizationGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);
  private static final Future<Verdict> DENIED = Future.succeededFuture(Verdict.deny(Reason.INSUFFICIENT_PERMISSION));

  private final MonitorLog monitor;

  public AuthorizationGuard(MonitorLog monitor) {
    this.monitor = monitor;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    Auth auth = request.route().security().auth();
    if (auth.anonymous() || request.identity() == null || IdentityRules.authorized(auth, request.identity())) {
      return ALLOWED;
    }
    if (auth.mode() == Mode.MONITOR) {
      monitor.wouldDeny(request, Reason.INSUFFICIENT_PERMISSION);
      return ALLOWED;
    }
    return DENIED;
  }
}
