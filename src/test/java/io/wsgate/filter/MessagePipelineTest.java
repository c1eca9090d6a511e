package io.wsgate.filter;

import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.binary;
import static io.wsgate.filter.Pipelines.check;
import static io.wsgate.filter.Pipelines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessagePipelineTest {
  private static final Rate PLENTY = Rate.of(1_000_000_000L, Duration.ofSeconds(1));

  @Test
  void emptyPipelinePassesEverythingAndKeepsNoState() {
    MessagePipeline pipeline = MessagePipeline.build(List.of(), null);

    assertTrue(pipeline.isEmpty());
    assertFalse(pipeline.inspectsContent());
    assertSame(Decision.PASS, check(pipeline, text("anything")));
    assertSame(pipeline.newSessionState(), pipeline.newSessionState());
  }

  @Test
  void messageNothingRefusesGetsThePassSingleton() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Types("types", true, false, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.Size("size", 100, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.Json("json", 4, Action.DROP, Mode.MONITOR),
        new MessageRule.Patterns("deny", List.of("evil"), Action.DROP, Mode.ENFORCE));

    assertSame(Decision.PASS, check(pipeline, text("{\"a\":1}")));
  }

  @Test
  void singleRefusalIsBuiltOnceWithTheSnapshot() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Size("size", 1, Action.DROP, Mode.ENFORCE));

    assertSame(check(pipeline, text("too big")), check(pipeline, text("also too big")));
  }

  @Test
  void rulesRunInPolicyOrderAndTheFirstEnforcedRefusalDecides() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Patterns("deny", List.of("evil"), Action.DROP, Mode.ENFORCE),
        new MessageRule.Size("size", 3, Action.CLOSE, Mode.ENFORCE));

    assertRefused(check(pipeline, text("evil and long")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertRefused(check(pipeline, text("long")), Reason.MESSAGE_TOO_BIG, "size", Action.CLOSE);
  }

  @Test
  void rulesAfterAnEnforcedRefusalDoNotRun() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Size("size", 3, Action.DROP, Mode.ENFORCE),
        new MessageRule.RateLimit("rate", Scope.CONNECTION, Rate.of(1, Duration.ofMinutes(1)), null, Action.DROP,
            Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();

    assertRefused(pipeline.check(text("toolong"), state, null), Reason.MESSAGE_TOO_BIG, "size", Action.DROP);
    assertEquals(0, state.bucketsCreated(), "the rate rule never ran, so took no token");
    assertClean(pipeline.check(text("ok"), state, null));
  }

  @Test
  void monitorHitsBeforeAnEnforcedRefusalAreReportedWithIt() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Json("json-audit", 8, Action.CLOSE, Mode.MONITOR),
        new MessageRule.Patterns("deny-audit", List.of("evil"), Action.DROP, Mode.MONITOR),
        new MessageRule.Size("size", 5, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.Patterns("never-reached", List.of("evil"), Action.DROP, Mode.MONITOR));

    Decision decision = check(pipeline, text("so evil"));

    assertRefused(decision, Reason.MESSAGE_TOO_BIG, "size", Action.CLOSE);
    assertEquals(List.of(
        new Decision.Hit(Reason.INVALID_JSON, "json-audit", Action.CLOSE, Mode.MONITOR),
        new Decision.Hit(Reason.PATTERN_DENIED, "deny-audit", Action.DROP, Mode.MONITOR)), decision.monitorHits());
  }

  @Test
  void oneMonitorHitBeforeARefusal() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Patterns("deny-audit", List.of("evil"), Action.DROP, Mode.MONITOR),
        new MessageRule.Size("size", 3, Action.DROP, Mode.ENFORCE));

    Decision decision = check(pipeline, text("evil"));

    assertRefused(decision, Reason.MESSAGE_TOO_BIG, "size", Action.DROP);
    assertEquals(List.of(new Decision.Hit(Reason.PATTERN_DENIED, "deny-audit", Action.DROP, Mode.MONITOR)),
        decision.monitorHits());
  }

  @Test
  void severalMonitorHitsStillPassInRuleOrder() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Types("binary-only", false, true, Action.CLOSE, Mode.MONITOR),
        new MessageRule.Size("size", 2, Action.DROP, Mode.MONITOR),
        new MessageRule.Patterns("deny", List.of("x"), Action.DROP, Mode.MONITOR));

    Decision decision = check(pipeline, text("abc"));

    assertEquals(Decision.Outcome.PASS, decision.outcome());
    assertEquals(List.of(
        new Decision.Hit(Reason.MESSAGE_TYPE_DENIED, "binary-only", Action.CLOSE, Mode.MONITOR),
        new Decision.Hit(Reason.MESSAGE_TOO_BIG, "size", Action.DROP, Mode.MONITOR)), decision.monitorHits());
  }

  static Stream<Arguments> everyRuleKindWithAMessageItRefuses() {
    String schema = "{\"type\":\"object\",\"required\":[\"id\"]}";
    return Stream.of(
        Arguments.of((RuleMaker) (a, m) -> new MessageRule.Types("r", false, true, a, m), Reason.MESSAGE_TYPE_DENIED,
            "hello"),
        Arguments.of((RuleMaker) (a, m) -> new MessageRule.Size("r", 2, a, m), Reason.MESSAGE_TOO_BIG, "hello"),
        Arguments.of((RuleMaker) (a, m) -> new MessageRule.RateLimit("r", Scope.CONNECTION, null,
            Rate.of(1, Duration.ofMinutes(1)), a, m), Reason.MESSAGE_RATE_LIMITED, "hello"),
        Arguments.of((RuleMaker) (a, m) -> new MessageRule.FieldRate("r", "type", Map.of(),
            Rate.of(1, Duration.ofMinutes(1)), Scope.SUBJECT, a, m), Reason.MESSAGE_RATE_LIMITED, "hello"),
        Arguments.of((RuleMaker) (a, m) -> new MessageRule.Json("r", 4, a, m), Reason.INVALID_JSON, "hello"),
        Arguments.of((RuleMaker) (a, m) -> new MessageRule.Schema("r", Path.of("s.json"), schema, a, m),
            Reason.SCHEMA_VIOLATION, "{}"),
        Arguments.of((RuleMaker) (a, m) -> new MessageRule.Patterns("r", List.of("l+o"), a, m),
            Reason.PATTERN_DENIED, "hello"));
  }

  interface RuleMaker {
    MessageRule make(Action action, Mode mode);
  }

  /** The rate rules' single token is spent by the first message, so the second is the refused one. */
  private static Decision secondCheck(MessagePipeline pipeline, String body) {
    SessionFilterState state = pipeline.newSessionState();
    Decision first = pipeline.check(text(body), state, "alice");
    Decision second = pipeline.check(text(body), state, "alice");
    return first.passes() && first.monitorHits().isEmpty() ? second : first;
  }

  @ParameterizedTest
  @MethodSource("everyRuleKindWithAMessageItRefuses")
  void everyRuleKindEnforcesWithItsActionAndOnlyReportsInMonitorMode(RuleMaker rule, Reason reason, String body) {
    for (Action action : Action.values()) {
      Decision enforced = secondCheck(Pipelines.of(rule.make(action, Mode.ENFORCE)), body);
      assertRefused(enforced, reason, "r", action);

      Decision monitored = secondCheck(Pipelines.of(rule.make(action, Mode.MONITOR)), body);
      Pipelines.assertMonitored(monitored, reason, "r", action);
    }
  }

  @Test
  void textIsDecodedOnceAndOnlyWhenARuleNeedsIt() {
    MessagePipeline noText = Pipelines.of(
        new MessageRule.Types("types", true, true, Action.DROP, Mode.ENFORCE),
        new MessageRule.Size("size", 100, Action.DROP, Mode.ENFORCE),
        new MessageRule.RateLimit("rate", Scope.CONNECTION, PLENTY, PLENTY, Action.DROP, Mode.ENFORCE));
    Message message = text("{\"type\":\"chat\"}");
    assertClean(check(noText, message));
    assertFalse(noText.inspectsContent());
    assertFalse(message.isDecoded(), "no rule needed the text");
    assertFalse(message.isJsonParsed(), "no rule needed JSON");

    MessagePipeline twoPatternRules = Pipelines.of(
        new MessageRule.Patterns("a", List.of("evil"), Action.DROP, Mode.ENFORCE),
        new MessageRule.Patterns("b", List.of("worse"), Action.DROP, Mode.ENFORCE));
    assertTrue(twoPatternRules.inspectsContent());
    assertClean(check(twoPatternRules, message));
    assertFalse(message.isDecoded(), "pattern rules read the bytes in place: no String");
    assertSame(message.chars(), message.chars(), "decoded once, shared");
    assertSame(message.text(), message.text(), "a String, if asked for, decoded once too");
    assertFalse(message.isJsonParsed(), "pattern rules need text, not JSON");
  }

  @Test
  void jsonIsParsedOnceForAllJsonRules() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Json("json", 4, Action.DROP, Mode.ENFORCE),
        new MessageRule.FieldRate("by-type", "type", Map.of("chat", PLENTY), null, Scope.CONNECTION, Action.DROP,
            Mode.ENFORCE),
        new MessageRule.Schema("schema", Path.of("s.json"), "{\"type\":\"object\"}", Action.DROP, Mode.ENFORCE));
    Message message = text("{\"type\":\"chat\"}");

    assertClean(check(pipeline, message));

    assertTrue(message.isJsonParsed());
    assertFalse(message.isDecoded(), "JSON is parsed from the bytes, not from a String");
    // Asking again, even with another reader, returns the tree parsed during the check.
    assertNotNull(message.json(new JsonReader(1)));
    assertSame(message.json(new JsonReader(1)), message.json(new JsonReader(64)));
  }

  @Test
  void aReusedMessageForgetsWhatItDerived() {
    Message message = text("{\"a\":1}");
    MessagePipeline pipeline = Pipelines.of(new MessageRule.Json("json", 4, Action.DROP, Mode.ENFORCE),
        new MessageRule.Patterns("deny", List.of("evil"), Action.DROP, Mode.ENFORCE));
    assertClean(check(pipeline, message));

    message.reset(true, Buffer.buffer("evil"));
    assertFalse(message.isDecoded());
    assertFalse(message.isJsonParsed());
    assertRefused(check(pipeline, message), Reason.INVALID_JSON, "json", Action.DROP);
  }

  @Test
  void rulesThatCannotBeCompiledFailTheBuild() {
    assertThrows(IllegalArgumentException.class, () -> Pipelines.of(
        new MessageRule.RateLimit("neither", Scope.CONNECTION, null, null, Action.DROP, Mode.ENFORCE)));
    assertThrows(IllegalArgumentException.class, () -> Pipelines.of(
        new MessageRule.Json("flat", 0, Action.DROP, Mode.ENFORCE)));
    assertThrows(IllegalArgumentException.class, () -> Pipelines.of(
        new MessageRule.Patterns("none", List.of(), Action.DROP, Mode.ENFORCE)));
    assertThrows(IllegalArgumentException.class, () -> Pipelines.of(
        new MessageRule.Size("", 1, Action.DROP, Mode.ENFORCE)));
  }

  /**
   * The all-pass path of content-blind rules (type, size, per-connection rates) allocates nothing:
   * measured with the JVM's per-thread allocation counter over many checks after warm-up.
   */
  @Test
  void allPassPathOfContentBlindRulesDoesNotAllocate() {
    MessagePipeline pipeline = Pipelines.of(
        new MessageRule.Types("types", true, true, Action.DROP, Mode.ENFORCE),
        new MessageRule.Size("size", 100, Action.DROP, Mode.ENFORCE),
        new MessageRule.RateLimit("rate", Scope.CONNECTION, PLENTY, PLENTY, Action.DROP, Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();
    Message message = binary(new byte[16]);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) {
      pipeline.check(message, state, null);
    }

    long before = threads.getThreadAllocatedBytes(thread);
    int passed = 0;
    for (int i = 0; i < 100_000; i++) {
      passed += pipeline.check(message, state, null) == Decision.PASS ? 1 : 0;
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;

    assertEquals(100_000, passed);
    // Less than one byte per check (the counter itself may account a few hundred bytes).
    assertTrue(allocated < 100_000, "allocated " + allocated + " bytes over 100 000 checks");
  }
}
