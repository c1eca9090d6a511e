package io.wsgate.handshake;

import io.wsgate.Reason;

import java.util.Objects;

/** A guard's answer: allow, or deny with exactly one {@link Reason}. */
public record Verdict(Reason reason) {
  public static final Verdict ALLOW = new Verdict(null);

  public static Verdict deny(Reason reason) {
    return new Verdict(Objects.requireNonNull(reason, "reason"));
  }

  public boolean allowed() {
    return reason == null;
  }
}
