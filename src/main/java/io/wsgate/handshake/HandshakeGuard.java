package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

/**
 * One check of an upgrade request. It answers allow or deny and nothing else: whether a deny is
 * enforced or only recorded ({@code mode: monitor}) is the {@link HandshakePipeline}'s business, for
 * every guard alike.
 */
public interface HandshakeGuard {
  /** Judges the request; may wait (a key fetch), never blocks. */
  Future<Verdict> check(HandshakeRequest request);

  /** Whether this guard's denials on {@code route} are enforced or only recorded. */
  Mode mode(Route route);

  /**
   * Judges a live session again, as a reload that re-checks sessions asks: the reason it would now
   * be refused, or null. Only guards whose answer can change for a client already admitted (address,
   * Origin and client certificate rules) look; rates and tokens were judged at the handshake.
   */
  default Reason recheck(LiveClient client, Route route) {
    return null;
  }
}
