package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.Origins;
import io.wsgate.policy.Route;

/**
 * Cross-site WebSocket hijacking defence (RFC 6455 §10.2): a browser always sends the page's
 * Origin, so a page from another site is refused. A missing Origin means a non-browser client and
 * {@code null} a sandboxed or file:// page; each needs its own explicit permission.
 */
public final class OriginGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);
  private static final Future<Verdict> DENIED = Future.succeededFuture(Verdict.deny(Reason.ORIGIN_DENIED));

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    return permits(request.route().security().origins(), request.origin()) ? ALLOWED : DENIED;
  }

  @Override
  public Mode mode(Route route) {
    return route.security().origins().mode();
  }

  @Override
  public Reason recheck(LiveClient client, Route route) {
    return permits(route.security().origins(), client.origin()) ? null : Reason.ORIGIN_DENIED;
  }

  /** The one Origin decision, at the handshake and when a reload re-checks live sessions. */
  public static boolean permits(OriginRules rules, String origin) {
    if (origin == null || origin.isEmpty()) {
      return rules.allowMissing();
    }
    if (origin.equals("null")) {
      return rules.allowNull();
    }
    String normalized = Origins.normalize(origin);
    return normalized != null && Origins.allowed(rules.allow(), normalized);
  }
}
