package io.wsgate.filter;

import io.vertx.core.buffer.Buffer;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.Mode;

import java.util.List;
import java.util.Objects;

/**
 * What the message pipeline decided about one message: the effective {@link Outcome} (pass, drop,
 * close), the enforce-mode rule that refused it if any, and every monitor-mode rule that would have
 * refused it ({@link #monitorHits()}: audit and count them as "would have dropped/closed").
 *
 * <p>Immutable. The all-pass case is the {@link #PASS} singleton; a refusal by one enforce rule, or
 * a single monitor hit, is a value the pipeline built with the snapshot; only a message hit by two
 * or more rules causes an allocation. Compare outcomes, not identities:
 *
 * <pre>{@code
 * Decision d = pipeline.check(message, state, subject);
 * for (Decision.Hit hit : d.monitorHits()) {
 *   audit.wouldHave(hit.action(), hit.reason(), hit.rule());
 * }
 * switch (d.outcome()) {
 *   case PASS -> forward(message);
 *   case DROP -> client.writeFinalTextFrame(DropNotice.json(d.reason(), d.rule()));  // and skip the message
 *   case CLOSE -> session.terminate(d.reason());
 * }
 * }</pre>
 */
public final class Decision {
  /** The effective result for the message. */
  public enum Outcome { PASS, DROP, CLOSE }

  /** One rule that refused the message: its reason, name, action and mode. */
  public record Hit(Reason reason, String rule, Action action, Mode mode) {
    public Hit {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(mode, "mode");
    }
  }

  /** Nothing matched at all: pass, nothing to report. */
  public static final Decision PASS = new Decision(Outcome.PASS, null, List.of());

  private final Outcome outcome;
  private final Hit refusal;
  private final List<Hit> monitorHits;

  private Decision(Outcome outcome, Hit refusal, List<Hit> monitorHits) {
    this.outcome = outcome;
    this.refusal = refusal;
    this.monitorHits = monitorHits;
  }

  /** An enforce-mode refusal, after the monitor hits of the rules before it (possibly none). */
  static Decision refused(Hit refusal, List<Hit> monitorHits) {
    Outcome outcome = refusal.action() == Action.CLOSE ? Outcome.CLOSE : Outcome.DROP;
    return new Decision(outcome, refusal, List.copyOf(monitorHits));
  }

  /** Passed, but monitor-mode rules would have refused it. */
  static Decision monitored(List<Hit> monitorHits) {
    if (monitorHits.isEmpty()) {
      throw new IllegalArgumentException("a monitored decision needs at least one hit");
    }
    return new Decision(Outcome.PASS, null, List.copyOf(monitorHits));
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The message goes on (possibly with monitor hits to report). */
  public boolean passes() {
    return outcome == Outcome.PASS;
  }

  /** The enforce-mode rule that refused the message; null when it passes. */
  public Hit refusal() {
    return refusal;
  }

  /** Reason of the refusal; null when the message passes. */
  public Reason reason() {
    return refusal == null ? null : refusal.reason();
  }

  /** Name of the refusing rule; null when the message passes. */
  public String rule() {
    return refusal == null ? null : refusal.rule();
  }

  /** Action of the refusing rule; null when the message passes. */
  public Action action() {
    return refusal == null ? null : refusal.action();
  }

  /** Mode of the refusing rule (always enforce); null when the message passes. */
  public Mode mode() {
    return refusal == null ? null : refusal.mode();
  }

  /** Monitor-mode rules that would have refused the message, in rule order; empty for most messages. */
  public List<Hit> monitorHits() {
    return monitorHits;
  }

  /** For a {@link Outcome#DROP}: the small JSON text frame to send the client instead of the message. */
  public Buffer dropNotice() {
    if (refusal == null) {
      throw new IllegalStateException("a passing message has no drop notice");
    }
    return DropNotice.json(refusal.reason(), refusal.rule());
  }

  @Override
  public String toString() {
    return refusal == null
        ? "Decision[" + outcome + (monitorHits.isEmpty() ? "" : ", monitor " + monitorHits) + "]"
        : "Decision[" + outcome + " " + refusal.reason().tag() + " by " + refusal.rule()
            + (monitorHits.isEmpty() ? "" : ", monitor " + monitorHits) + "]";
  }
}
