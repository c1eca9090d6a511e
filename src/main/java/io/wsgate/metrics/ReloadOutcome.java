package io.wsgate.metrics;

import java.util.Locale;

/** How a policy reload ended: the {@code outcome} of its {@code policy.reload} record and metric. */
public enum ReloadOutcome {
  /** The new policy is in force. */
  OK,
  /** The new policy is invalid (or could not be built); the running one is kept. */
  FAILED,
  /** The new policy changes settings fixed at start; nothing of it is applied, the running one is kept. */
  REFUSED;

  /** {@code ok}, {@code failed}, {@code refused}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
