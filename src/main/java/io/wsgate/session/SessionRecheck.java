package io.wsgate.session;

import io.wsgate.CompiledPolicy;
import io.wsgate.GatewayServices;
import io.wsgate.Reason;
import io.wsgate.RoutePlan;

import java.util.List;

/**
 * After a reload whose policy asks for it, live sessions are judged again by the new snapshot: their
 * route must still be theirs, and the guards that can change their minds about an admitted client
 * (address and Origin rules, {@link io.wsgate.handshake.HandshakeGuard#recheck}) must still agree;
 * those it would now refuse are closed with 1008. Rules in monitor mode close nothing. A session that registers only
 * after such a gateway-wide decision looked at the live sessions judges itself: {@link #lateDecision}.
 */
public final class SessionRecheck {
  private SessionRecheck() {
  }

  /** @return how many sessions were asked to close */
  public static int apply(CompiledPolicy next, List<Session> sessions) {
    int closed = 0;
    for (Session session : sessions) {
      if (!stillAllowed(next, session)) {
        session.close(Reason.POLICY_DENIES_SESSION);
        closed++;
      }
    }
    return closed;
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
    if (current != admittedBy && current.policy().security().recheckOnReload() && !stillAllowed(current, session)) {
      return Reason.POLICY_DENIES_SESSION;
    }
    return null;
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
