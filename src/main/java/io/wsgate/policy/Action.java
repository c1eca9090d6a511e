package io.wsgate.policy;

import java.util.Locale;

/**
 * What a message rule does to a message it refuses: {@code DROP} sends the client a small JSON
 * error frame and keeps the session; {@code CLOSE} ends the session with the rule's close code.
 */
public enum Action {
  DROP, CLOSE;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /** {@code drop} or {@code close}: the policy's spelling, the audit's {@code action} and the metric's label. */
  public String tag() {
    return tag;
  }
}
