package io.wsgate.session;

import io.wsgate.Reason;
import io.wsgate.audit.AuditedRequest;
import io.wsgate.filter.Decision;
import io.wsgate.limits.Revocations;
import io.wsgate.policy.Direction;
import io.wsgate.token.TokenVerifier;

import java.time.Instant;

/**
 * What a {@link Session} tells the gateway and asks of it: the small port it is given instead of
 * every shared service. The gateway's implementation registers sessions, audits and counts.
 */
public interface SessionEvents {
  /** The client got its 101 and the session is live. */
  void started(Session session);

  /** Both sockets are closed: the session is over. Called exactly once. */
  void ended(Session session, Ending ending);

  /**
   * A message rule refused a message (or, {@code monitored}, would have); {@code audited} is false
   * once the session has had its share of audit records for refusals.
   */
  void messageRefused(AuditedRequest who, Direction direction, Decision.Hit hit, boolean monitored, boolean audited);

  /** A fresh token moved the session's expiry. */
  void reauthenticated(AuditedRequest who, Instant expiresAt);

  /** A fresh token was refused ({@code why}: the check it failed); the session is closing. */
  void reauthRefused(AuditedRequest who, String why);

  /** The token verifier of the policy in force (re-authentication checks against it). */
  TokenVerifier tokens();

  Revocations revocations();

  /**
   * How a session ended, for its {@code session.closed} record and the metrics.
   *
   * @param reason null when a peer closed normally
   */
  record Ending(Reason reason, int clientCloseCode, int upstreamCloseCode, long durationMs, long messagesToUpstream,
                long bytesToUpstream, long messagesToClient, long bytesToClient) {
  }
}
