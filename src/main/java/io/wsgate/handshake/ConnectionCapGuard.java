package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

import java.util.function.Function;

/**
 * Concurrent sessions per client address ({@code connections.perIp.max}) or per subject of an issuer
 * ({@code connections.perSubject.max}): 429; the slot is held for the session's lifetime and given
 * back exactly once, when it ends or a later check refuses the handshake.
 */
public final class ConnectionCapGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  private final ConnectionCounter counter;
  private final int max;
  /** The key to count under, or null when this request is not counted (no verified subject). */
  private final Function<HandshakeRequest, String> key;
  private final Reason reason;
  private final Mode mode;

  private ConnectionCapGuard(ConnectionCounter counter, int max, Function<HandshakeRequest, String> key, Reason reason,
                             Mode mode) {
    this.counter = counter;
    this.max = max;
    this.key = key;
    this.reason = reason;
    this.mode = mode;
  }

  /** Null when the policy sets no such cap. */
  public static ConnectionCapGuard perIp(ConnectionLimits limits, ConnectionCounter counter) {
    return limits.connectionsPerIp() == null ? null : new ConnectionCapGuard(counter, limits.connectionsPerIp(),
        HandshakeRequest::clientIp, Reason.IP_CONNECTIONS_EXCEEDED, limits.mode());
  }

  /** Null when the policy sets no such cap; anonymous sessions are not counted. */
  public static ConnectionCapGuard perSubject(ConnectionLimits limits, ConnectionCounter counter) {
    return limits.connectionsPerSubject() == null ? null : new ConnectionCapGuard(counter,
        limits.connectionsPerSubject(), r -> r.identity() == null ? null : r.identity().subjectId().key(),
        Reason.SUBJECT_CONNECTIONS_EXCEEDED, limits.mode());
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    String k = key.apply(request);
    if (k == null) {
      return ALLOWED;
    }
    return counter.acquire(k, max, request.storeBudget()).map(slot -> slot != null ? Verdict.allowHolding(slot::release)
        : Verdict.denyRetryAfter(reason, 1));
  }

  @Override
  public Mode mode(Route route) {
    return mode;
  }
}
