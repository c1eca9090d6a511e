package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.ConcurrencyLimiter;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Mode;

/** Concurrent sessions per verified subject (429); held for the session's lifetime. */
public final class SubjectLimitGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  private final ConnectionLimits limits;
  private final ConcurrencyLimiter subjectConnections;
  private final MonitorLog monitor;

  public SubjectLimitGuard(ConnectionLimits limits, ConcurrencyLimiter subjectConnections, MonitorLog monitor) {
    this.limits = limits;
    this.subjectConnections = subjectConnections;
    this.monitor = monitor;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    Integer max = limits.connectionsPerSubject();
    if (max == null || request.identity() == null) {
      return ALLOWED;
    }
    String subject = request.identity().subjectId().key();
    if (subjectConnections.tryAcquire(subject, max)) {
      return Future.succeededFuture(Verdict.allowHolding(() -> subjectConnections.release(subject)));
    }
    if (limits.mode() == Mode.MONITOR) {
      monitor.wouldDeny(request, Reason.SUBJECT_CONNECTIONS_EXCEEDED);
      return ALLOWED;
    }
    return Future.succeededFuture(Verdict.denyRetryAfter(Reason.SUBJECT_CONNECTIONS_EXCEEDED, 1));
  }
}
