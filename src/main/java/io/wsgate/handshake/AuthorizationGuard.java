package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

/**
 * What the verified identity may do on this route: every required scope, at least one listed role
 * (when roles are listed), and exact claim values. Runs after the token guard.
 */
public final class AuthorizationGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);
  private static final Future<Verdict> DENIED = Future.succeededFuture(Verdict.deny(Reason.INSUFFICIENT_PERMISSION));

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    Auth auth = request.route().security().auth();
    if (auth.anonymous() || request.identity() == null || IdentityRules.authorized(auth, request.identity())) {
      return ALLOWED;
    }
    return DENIED;
  }

  @Override
  public Mode mode(Route route) {
    return route.security().auth().mode();
  }
}
