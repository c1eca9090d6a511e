package io.wsgate.filter;

import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.RateLimitBackend;

import static io.wsgate.filter.Pipelines.SHORT;
import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertMonitored;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.testing.Await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Buckets refill with time, so these tests use rates with a short period and wait for recovery by
 * polling with a deadline. Tripping rates refill one token per 200 ms, far longer than the few
 * microseconds between the checks that empty them.
 */
class RateFilterTest {
  /** Burst 2, then one message per 200 ms. */
  private static final Rate TWO_THEN_SLOW = new Rate(1, SHORT, 2);
  private static final Duration RECOVERY = Duration.ofSeconds(5);

  private static MessageRule.RateLimit messages(String name, Scope scope, Rate rate, Action action, Mode mode) {
    return new MessageRule.RateLimit(name, scope, rate, null, action, mode);
  }

  @Test
  void perConnectionRateTripsThenRecovers() {
    MessagePipeline pipeline = Pipelines.of(messages("chat", Scope.CONNECTION, TWO_THEN_SLOW, Action.DROP,
        Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();
    Message message = text("hi");

    assertClean(pipeline.check(message, state, "alice"));
    assertClean(pipeline.check(message, state, "alice"));
    assertRefused(pipeline.check(message, state, "alice"), Reason.MESSAGE_RATE_LIMITED, "chat", Action.DROP);

    Await.until("the connection's bucket refills", RECOVERY, () -> pipeline.check(message, state, "alice").passes());
  }

  @Test
  void perConnectionBucketsAreNotShared() {
    MessagePipeline pipeline = Pipelines.of(messages("chat", Scope.CONNECTION, TWO_THEN_SLOW, Action.CLOSE,
        Mode.ENFORCE));
    SessionFilterState first = pipeline.newSessionState();
    SessionFilterState second = pipeline.newSessionState();
    Message message = text("hi");

    pipeline.check(message, first, "alice");
    pipeline.check(message, first, "alice");
    assertRefused(pipeline.check(message, first, "alice"), Reason.MESSAGE_RATE_LIMITED, "chat", Action.CLOSE);
    // Same subject, other connection: its own full bucket.
    assertClean(pipeline.check(message, second, "alice"));
  }

  @Test
  void perSubjectBucketIsSharedBySessionsOfTheSameSubjectAndSeparateForOthers() {
    MessagePipeline pipeline = Pipelines.of(messages("per-user", Scope.SUBJECT, TWO_THEN_SLOW, Action.DROP,
        Mode.ENFORCE));
    SessionFilterState aliceOnPhone = pipeline.newSessionState();
    SessionFilterState aliceOnLaptop = pipeline.newSessionState();
    SessionFilterState bob = pipeline.newSessionState();
    Message message = text("hi");

    assertClean(pipeline.check(message, aliceOnPhone, "alice"));
    assertClean(pipeline.check(message, aliceOnLaptop, "alice"));
    assertRefused(pipeline.check(message, aliceOnPhone, "alice"), Reason.MESSAGE_RATE_LIMITED, "per-user",
        Action.DROP);
    assertRefused(pipeline.check(message, aliceOnLaptop, "alice"), Reason.MESSAGE_RATE_LIMITED, "per-user",
        Action.DROP);

    assertClean(pipeline.check(message, bob, "bob"));
    assertClean(pipeline.check(message, bob, "bob"));

    Await.until("alice's shared bucket refills", RECOVERY,
        () -> pipeline.check(message, aliceOnLaptop, "alice").passes());
  }

  @Test
  void perSubjectBucketsAreSharedAcrossPipelinesBuiltWithTheSameSubjectBucketsButNotAcrossRules() {
    SubjectBuckets subjects = new SubjectBuckets(100);
    MessageRule.RateLimit rule = messages("per-user", Scope.SUBJECT, TWO_THEN_SLOW, Action.DROP, Mode.ENFORCE);
    MessagePipeline routeA = MessagePipeline.build(List.of(rule), subjects);
    MessagePipeline routeB = MessagePipeline.build(List.of(rule), subjects);
    Message message = text("hi");

    routeA.check(message, routeA.newSessionState(), "alice");
    routeA.check(message, routeA.newSessionState(), "alice");
    assertRefused(routeA.check(message, routeA.newSessionState(), "alice"), Reason.MESSAGE_RATE_LIMITED,
        "per-user", Action.DROP);
    // Each built rule has its own slot: the same rule text on another route is another budget.
    assertClean(routeB.check(message, routeB.newSessionState(), "alice"));
  }

  @Test
  void aRebuiltPipelineKeepsTheBucketsOfItsUnchangedPerSubjectRules() {
    RateLimitBackend registry = new LocalRateLimitBackend();
    MessageRule.RateLimit rule = messages("per-user", Scope.SUBJECT, TWO_THEN_SLOW, Action.DROP, Mode.ENFORCE);
    MessagePipeline before = MessagePipeline.build(List.of(rule), new SubjectBuckets(registry.uses(), 100), "r.in");
    Message message = text("hi");
    before.check(message, before.newSessionState(), "alice");
    before.check(message, before.newSessionState(), "alice");

    // A reload: the same rule in the same place is rebuilt into a new pipeline, alice's bucket and all.
    MessagePipeline after = MessagePipeline.build(List.of(rule), new SubjectBuckets(registry.uses(), 100), "r.in");
    assertRefused(after.check(message, after.newSessionState(), "alice"), Reason.MESSAGE_RATE_LIMITED, "per-user",
        Action.DROP);

    Rate faster = new Rate(TWO_THEN_SLOW.permits() + 1, TWO_THEN_SLOW.period(), TWO_THEN_SLOW.burst());
    MessagePipeline changed = MessagePipeline.build(
        List.of(messages("per-user", Scope.SUBJECT, faster, Action.DROP, Mode.ENFORCE)),
        new SubjectBuckets(registry.uses(), 100), "r.in");
    assertClean(changed.check(message, changed.newSessionState(), "alice"));
  }

  @Test
  void sessionWithoutSubjectGetsItsOwnBucketForPerSubjectRules() {
    MessagePipeline pipeline = Pipelines.of(messages("per-user", Scope.SUBJECT, TWO_THEN_SLOW, Action.DROP,
        Mode.ENFORCE));
    SessionFilterState first = pipeline.newSessionState();
    SessionFilterState second = pipeline.newSessionState();
    Message message = text("hi");

    pipeline.check(message, first, null);
    pipeline.check(message, first, null);
    assertRefused(pipeline.check(message, first, null), Reason.MESSAGE_RATE_LIMITED, "per-user", Action.DROP);
    assertClean(pipeline.check(message, second, null));
  }

  @Test
  void byteRateCountsPayloadBytesAndRefusesAMessageLargerThanTheBurst() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.RateLimit("bandwidth", Scope.CONNECTION, null,
        new Rate(10, SHORT, 10), Action.DROP, Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();

    assertRefused(pipeline.check(text("x".repeat(11)), state, null), Reason.MESSAGE_RATE_LIMITED, "bandwidth",
        Action.DROP);
    assertClean(pipeline.check(text("123456"), state, null));
    assertRefused(pipeline.check(text("123456"), state, null), Reason.MESSAGE_RATE_LIMITED, "bandwidth",
        Action.DROP);
    assertClean(pipeline.check(text(""), state, null));
    assertClean(pipeline.check(text("1234"), state, null));

    Await.until("the byte bucket refills", RECOVERY, () -> pipeline.check(text("123456"), state, null).passes());
  }

  @Test
  void messageAndByteRatesTogether() {
    MessagePipeline pipeline = Pipelines.of(new MessageRule.RateLimit("both", Scope.CONNECTION,
        new Rate(1, SHORT, 3), new Rate(1, SHORT, 5), Action.CLOSE, Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();

    assertClean(pipeline.check(text("abc"), state, null));
    // Messages left (2), bytes not (2 < 3).
    assertRefused(pipeline.check(text("abc"), state, null), Reason.MESSAGE_RATE_LIMITED, "both", Action.CLOSE);
    assertClean(pipeline.check(text("a"), state, null));
  }

  @Test
  void monitorModeConsumesButAlwaysPasses() {
    MessagePipeline pipeline = Pipelines.of(messages("chat", Scope.CONNECTION, TWO_THEN_SLOW, Action.CLOSE,
        Mode.MONITOR));
    SessionFilterState state = pipeline.newSessionState();
    Message message = text("hi");

    assertClean(pipeline.check(message, state, null));
    assertClean(pipeline.check(message, state, null));
    assertMonitored(pipeline.check(message, state, null), Reason.MESSAGE_RATE_LIMITED, "chat", Action.CLOSE);
    assertMonitored(pipeline.check(message, state, null), Reason.MESSAGE_RATE_LIMITED, "chat", Action.CLOSE);
  }

  @Test
  void sessionStateIsSharedEmptyWithoutPerConnectionBucketsAndLazyOtherwise() {
    MessagePipeline noBuckets = Pipelines.of(new MessageRule.Size("size", 10, Action.DROP, Mode.ENFORCE));
    assertSame(noBuckets.newSessionState(), noBuckets.newSessionState());

    MessagePipeline withBuckets = Pipelines.of(new MessageRule.RateLimit("r", Scope.CONNECTION,
        TWO_THEN_SLOW, TWO_THEN_SLOW, Action.DROP, Mode.ENFORCE));
    SessionFilterState state = withBuckets.newSessionState();
    assertNotSame(state, withBuckets.newSessionState());
    assertEquals(0, state.bucketsCreated(), "no bucket before the first message");
    withBuckets.check(text("x"), state, null);
    assertEquals(2, state.bucketsCreated());
  }

  @Test
  void perSubjectRuleNeedsSubjectBuckets() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MessagePipeline.build(
        List.of(messages("per-user", Scope.SUBJECT, TWO_THEN_SLOW, Action.DROP, Mode.ENFORCE)), null));
    assertTrue(e.getMessage().contains("per-user"), e.getMessage());
  }

  @Test
  void unusableRateFailsWhenThePipelineIsBuiltNotOnTheFirstMessage() {
    // Bucket4j refuses to refill more than one token per nanosecond.
    Rate absurd = new Rate(10_000_000_000L, Duration.ofSeconds(1), 10);
    assertThrows(IllegalArgumentException.class, () -> Pipelines.of(messages("absurd", Scope.CONNECTION, absurd,
        Action.DROP, Mode.ENFORCE)));
  }
}
