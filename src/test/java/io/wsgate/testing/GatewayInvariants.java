package io.wsgate.testing;

import io.wsgate.GatewayServices;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.session.Session;

import java.util.ArrayList;
import java.util.List;

/**
 * What a gateway holds for its clients must be back to nothing once they have all gone (or the
 * gateway has stopped): a session, a connection slot or a per-IP / per-subject / per-route count left behind
 * is a connection the gateway will never finish, and it keeps the next client out.
 */
public final class GatewayInvariants {
  private GatewayInvariants() {
  }

  /** Each thing still held, described; empty when none is. */
  public static List<String> violations(GatewayServices services) {
    List<String> out = new ArrayList<>();
    List<Session> sessions = services.sessions().snapshot();
    if (!sessions.isEmpty()) {
      out.add(sessions.size() + " session(s) never finished: " + describe(sessions));
    }
    if (services.globalConnections() != 0) {
      out.add("global connection slots in use: " + services.globalConnections());
    }
    if (services.ipConnections().trackedKeys() != 0) {
      out.add("client IPs still counted as connected: " + services.ipConnections().trackedKeys());
    }
    if (services.subjectConnections().trackedKeys() != 0) {
      out.add("subjects still counted as connected: " + services.subjectConnections().trackedKeys());
    }
    if (services.routeConnections().trackedKeys() != 0) {
      out.add("route caps still counting sessions: " + services.routeConnections().trackedKeys());
    }
    List<String> members = services.upstreamMembers().stillCounted();
    if (!members.isEmpty()) {
      out.add("upstream members still counting sessions: " + members);
    }
    GatewayMetrics metrics = services.audit().metrics();
    long accepted = metrics.acceptedTotal();
    long closed = metrics.closedTotal();
    if (accepted != closed) {
      out.add("sessions counted accepted " + accepted + " but closed " + closed);
    }
    return out;
  }

  private static String describe(List<Session> sessions) {
    StringBuilder text = new StringBuilder();
    for (Session s : sessions.subList(0, Math.min(5, sessions.size()))) {
      text.append(text.isEmpty() ? "" : ", ").append(s.id()).append(" (route ").append(s.route())
          .append(s.subject() == null ? "" : ", subject '" + s.subject() + "'").append(", age ")
          .append(s.ageMillis()).append(" ms)");
    }
    return text.toString();
  }
}
