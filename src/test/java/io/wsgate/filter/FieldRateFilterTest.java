package io.wsgate.filter;

import static io.wsgate.filter.Pipelines.SHORT;
import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertMonitored;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.binary;
import static io.wsgate.filter.Pipelines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.testing.Await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldRateFilterTest {
  private static final Rate CHAT = Rate.of(2, Duration.ofSeconds(1));
  private static final Rate TYPING = Rate.of(5, Duration.ofSeconds(1));

  private static MessageRule.FieldRate byType(Rate other, Scope scope, Mode mode) {
    return new MessageRule.FieldRate("by-type", "type", Map.of("chat", CHAT, "typing", TYPING), other, scope,
        Action.DROP, mode);
  }

  @Test
  void eachValueHasItsOwnIndependentRate() {
    MessagePipeline pipeline = Pipelines.of(byType(null, Scope.CONNECTION, Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();
    Message chat = text("{\"type\":\"chat\",\"text\":\"hi\"}");
    Message typing = text("{\"type\":\"typing\"}");

    assertClean(pipeline.check(chat, state, null));
    assertClean(pipeline.check(chat, state, null));
    assertRefused(pipeline.check(chat, state, null), Reason.MESSAGE_RATE_LIMITED, "by-type", Action.DROP);

    for (int i = 0; i < 5; i++) {
      assertClean(pipeline.check(typing, state, null));
    }
    assertRefused(pipeline.check(typing, state, null), Reason.MESSAGE_RATE_LIMITED, "by-type", Action.DROP);
    // Exhausting typing did not touch chat, and the other way round.
    assertRefused(pipeline.check(chat, state, null), Reason.MESSAGE_RATE_LIMITED, "by-type", Action.DROP);
  }

  @Test
  void valueRateRecovers() {
    MessageRule.FieldRate rule = new MessageRule.FieldRate("by-type", "type", Map.of("chat", new Rate(1, SHORT, 1)),
        null, Scope.CONNECTION, Action.CLOSE, Mode.ENFORCE);
    MessagePipeline pipeline = Pipelines.of(rule);
    SessionFilterState state = pipeline.newSessionState();
    Message chat = text("{\"type\":\"chat\"}");

    assertClean(pipeline.check(chat, state, null));
    assertRefused(pipeline.check(chat, state, null), Reason.MESSAGE_RATE_LIMITED, "by-type", Action.CLOSE);
    Await.until("chat refills", Duration.ofSeconds(5), () -> pipeline.check(chat, state, null).passes());
  }

  @Test
  void withoutOtherUnlistedValuesMissingFieldsAndNonJsonPass() {
    MessagePipeline pipeline = Pipelines.of(byType(null, Scope.CONNECTION, Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();

    for (int i = 0; i < 20; i++) {
      assertClean(pipeline.check(text("{\"type\":\"presence\"}"), state, null));
      assertClean(pipeline.check(text("{\"kind\":\"chat\"}"), state, null));
      assertClean(pipeline.check(text("not json"), state, null));
    }
  }

  @Test
  void otherCountsUnlistedValuesMissingFieldNonStringFieldNestedFieldAndNonJson() {
    MessagePipeline pipeline = Pipelines.of(byType(new Rate(1, SHORT, 6), Scope.CONNECTION, Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();

    assertClean(pipeline.check(text("{\"type\":\"presence\"}"), state, null));
    assertClean(pipeline.check(text("{\"kind\":\"chat\"}"), state, null));
    assertClean(pipeline.check(text("{\"type\":7}"), state, null));
    assertClean(pipeline.check(text("{\"inner\":{\"type\":\"chat\"}}"), state, null));
    assertClean(pipeline.check(text("[\"chat\"]"), state, null));
    assertClean(pipeline.check(binary((byte) 0xff), state, null));
    assertRefused(pipeline.check(text("{\"type\":\"chat\""), state, null), Reason.MESSAGE_RATE_LIMITED, "by-type",
        Action.DROP);
    // The listed values still have their own budget.
    assertClean(pipeline.check(text("{\"type\":\"chat\"}"), state, null));
  }

  @Test
  void perSubjectValueBucketsAreSharedBySessionsOfTheSubject() {
    MessagePipeline pipeline = Pipelines.of(byType(null, Scope.SUBJECT, Mode.ENFORCE));
    SessionFilterState one = pipeline.newSessionState();
    SessionFilterState two = pipeline.newSessionState();
    Message chat = text("{\"type\":\"chat\"}");

    assertClean(pipeline.check(chat, one, "alice"));
    assertClean(pipeline.check(chat, two, "alice"));
    assertRefused(pipeline.check(chat, one, "alice"), Reason.MESSAGE_RATE_LIMITED, "by-type", Action.DROP);
    assertClean(pipeline.check(chat, two, "bob"));
    assertClean(pipeline.check(text("{\"type\":\"typing\"}"), two, "alice"));
  }

  @Test
  void monitorModePassesButReportsTheHit() {
    MessagePipeline pipeline = Pipelines.of(byType(null, Scope.CONNECTION, Mode.MONITOR));
    SessionFilterState state = pipeline.newSessionState();
    Message chat = text("{\"type\":\"chat\"}");

    pipeline.check(chat, state, null);
    pipeline.check(chat, state, null);
    assertMonitored(pipeline.check(chat, state, null), Reason.MESSAGE_RATE_LIMITED, "by-type", Action.DROP);
  }

  @Test
  void fieldValueBucketsAreCreatedOnlyForValuesSeen() {
    MessagePipeline pipeline = Pipelines.of(byType(Rate.of(1, Duration.ofSeconds(1)), Scope.CONNECTION,
        Mode.ENFORCE));
    SessionFilterState state = pipeline.newSessionState();

    pipeline.check(text("{\"type\":\"chat\"}"), state, null);
    assertEquals(1, state.bucketsCreated(), "one bucket, for chat");
  }
}
