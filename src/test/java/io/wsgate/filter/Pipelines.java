package io.wsgate.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;

import java.time.Duration;
import java.util.List;

/** Small helpers for filter tests: one-rule pipelines, messages, and assertions on decisions. */
final class Pipelines {
  static final Duration SHORT = Duration.ofMillis(200);

  private Pipelines() {
  }

  static MessagePipeline of(MessageRule... rules) {
    return MessagePipeline.build(List.of(rules), new SubjectBuckets(1000));
  }

  static Message text(String text) {
    return Message.text(text);
  }

  static Message binary(byte... bytes) {
    return Message.binary(Buffer.buffer(bytes));
  }

  static Decision check(MessagePipeline pipeline, Message message) {
    return pipeline.check(message, pipeline.newSessionState(), null);
  }

  /** {@code n} per 200 ms, burst n. */
  static Rate perShortPeriod(long n) {
    return new Rate(n, SHORT, n);
  }

  static void assertPasses(Decision decision) {
    assertTrue(decision.passes(), () -> "expected pass, got " + decision);
    assertNull(decision.reason());
  }

  static void assertClean(Decision decision) {
    assertPasses(decision);
    assertEquals(List.of(), decision.monitorHits(), "no monitor hits");
  }

  static void assertRefused(Decision decision, Reason reason, String rule, Action action) {
    assertEquals(action == Action.CLOSE ? Decision.Outcome.CLOSE : Decision.Outcome.DROP, decision.outcome(),
        () -> "outcome of " + decision);
    assertEquals(reason, decision.reason());
    assertEquals(rule, decision.rule());
    assertEquals(action, decision.action());
    assertEquals(Mode.ENFORCE, decision.mode());
  }

  static void assertMonitored(Decision decision, Reason reason, String rule, Action wouldHave) {
    assertPasses(decision);
    assertEquals(List.of(new Decision.Hit(reason, rule, wouldHave, Mode.MONITOR)), decision.monitorHits());
  }
}
