package io.wsgate.handshake;

import io.wsgate.Reason;

import java.util.Objects;

/**
 * A guard's answer: deny with exactly one {@link Reason} (and, for 429, how long to wait; optionally
 * with the request as the guard refined it, for the audit), or allow
 * — optionally handing the guards after it a refined request (the verified identity, the token
 * removed from the offers and query), and/or holding a resource (a connection count) that must be
 * given back exactly once when the session or handshake ends.
 */
public record Verdict(Reason reason, long retryAfterSeconds, HandshakeRequest refined, Runnable release,
                      HandshakeRequest proceed) {
  public static final Verdict ALLOW = new Verdict(null, 0, null, null, null);

  public static Verdict deny(Reason reason) {
    return new Verdict(Objects.requireNonNull(reason, "reason"), 0, null, null, null);
  }

  /**
   * Deny, telling the audit who the guard found the client to be ({@code known}: a verified identity
   * that is refused, such as a revoked subject), and what the guards after it get in monitor mode
   * ({@code proceed}: the request without the credential the guard refused).
   */
  public static Verdict deny(Reason reason, HandshakeRequest known, HandshakeRequest proceed) {
    return new Verdict(Objects.requireNonNull(reason, "reason"), 0, Objects.requireNonNull(known, "known"), null,
        Objects.requireNonNull(proceed, "proceed"));
  }

  public static Verdict denyRetryAfter(Reason reason, long retryAfterSeconds) {
    return new Verdict(Objects.requireNonNull(reason, "reason"), retryAfterSeconds, null, null, null);
  }

  public static Verdict allow(HandshakeRequest refined) {
    return new Verdict(null, 0, Objects.requireNonNull(refined, "refined"), null, null);
  }

  public static Verdict allowHolding(Runnable release) {
    return new Verdict(null, 0, null, release, null);
  }

  public boolean allowed() {
    return reason == null;
  }
}
