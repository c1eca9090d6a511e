package io.wsgate.session;

import io.wsgate.CompiledPolicy;
import io.wsgate.GatewayServices;
import io.wsgate.Reason;
import io.wsgate.RoutePlan;

import java.util.List;

/**
 * After a reload, live sessions whose route the new snapshot no longer has are closed with 1001
 * {@code route_removed} (unless {@code reload.removedRoutes: keep}), so a client reconnects to
 * whatever now serves its path. If the policy asks for it ({@code recheckSessions}), the others are
 * judged again: their route must still be theirs, and the guards that can change their minds about an
 * admitted client (address, Origin and client certificate rules,
 * {@link io.wsgate.handshake.HandshakeGuard#recheck}) must still agree; those it would now refuse are
 * closed with 1008. Rules in monitor mode close nothing.
 * A session that registers only after such a gateway-wide decision looked at the live sessions judges
 * itself: {@link #lateDecision}.
 */
public final class SessionRecheck {
  private SessionRecheck() {
  }

  /** @return how many sessions were asked to close */
  public static int apply(CompiledPolicy next, List<Session> sessions) {
    int closed = 0;
    for (Session session : sessions) {
      Reason verdict = verdict(next, session);
      if (verdict != null) {
        session.close(verdict);
        closed++;
      }
    }
    return closed;
  }

  /** Why {@code next} ends the session, or null when it keeps it. */
  private static Reason verdict(CompiledPolicy next, Session session) {
    if (next.policy().security().closeRemovedRoutes() && !hasRoute(next, session)) {
      return Reason.ROUTE_REMOVED;
    }
    if (next.policy().security().recheckOnReload() && !stillAllowed(next, session)) {
      return Reason.POLICY_DENIES_SESSION;
    }
    return null;
  }

  /** Whether {@code next} still has a route of the session's name (host and path) on the session's listener. */
  private static boolean hasRoute(CompiledPolicy next, Session session) {
    for (io.wsgate.policy.Route route : next.policy().routes()) {
      if (route.id().equals(session.route()) && route.reachableThrough(session.listener())) {
        return true;
      }
    }
    return false;
  }

  /**
   * A session joins the registry only after its client got 101, well after its handshake checks
   * passed. A stop, a revocation or a re-checking reload that happened in between already looked at
   * the live sessions and missed this one. Each of them records its decision before it looks, so a
   * session that looks after registering (call this right after {@link Session#start()}) cannot miss
   * it as well.
   *
   * @return the reason to close the session now, or null
   */
  public static Reason lateDecision(GatewayServices services, CompiledPolicy admittedBy, Session session) {
    Reason draining = services.drainReason();
    if (draining != null) {
      return draining;
    }
    if (session.subjectId() != null && services.revocations().isRevoked(session.subjectId())) {
      return Reason.SUBJECT_REVOKED;
    }
    CompiledPolicy current = services.current();
    return current == admittedBy ? null : verdict(current, session);
  }

  /** Whether {@code next} would still admit the session: its route is still its route, and its guards agree. */
  static boolean stillAllowed(CompiledPolicy next, Session session) {
    RoutePlan plan = next.match(session.listener(), session.host(), session.path());
    if (plan == null || !plan.route().id().equals(session.route())
        || !java.util.Objects.equals(plan.route().host(), session.routeHost())) {
      return false;
    }
    return next.pipeline(session.listener()).recheck(session, plan.route()) == null;
  }
}
