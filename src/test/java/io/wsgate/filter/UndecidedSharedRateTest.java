package io.wsgate.filter;

import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wsgate.Reason;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.limits.ConnectionScope;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.RateLimiter;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A shared per-subject bucket that cannot decide yet (a fleet's bucket syncing with Redis) refuses
 * the message as a drop even under {@code action: close}: a "not yet" never ends a session. A real
 * refusal of the same rule still closes.
 */
class UndecidedSharedRateTest {
  /** Answers what the test sets, for every key. */
  private static final class Scripted implements RateLimitBackend {
    final AtomicLong answer = new AtomicLong();

    @Override
    public RateLimiter limiter(LimiterRegistry.Spec spec) {
      return (key, permits) -> answer.get();
    }

    @Override
    public void retainOnly(Collection<LimiterRegistry.Spec> inUse) {
    }

    @Override
    public ConnectionCounter connections(ConnectionScope scope) {
      throw new UnsupportedOperationException();
    }
  }

  private final Scripted backend = new Scripted();
  private final MessagePipeline pipeline = MessagePipeline.build(List.of(new MessageRule.RateLimit("per-user",
      Scope.SUBJECT, new Rate(5, Duration.ofSeconds(1), 5), null, Action.CLOSE, Mode.ENFORCE)),
      new SubjectBuckets(backend.uses(), 1000));

  @Test
  void undecidedIsADropAndARealRefusalStillCloses() {
    SessionFilterState state = pipeline.newSessionState();
    assertClean(pipeline.check(text("hi"), state, "alice"));

    backend.answer.set(RateLimiter.UNDECIDED);
    Decision undecided = pipeline.check(text("hi"), state, "alice");
    assertRefused(undecided, Reason.MESSAGE_RATE_LIMITED, "per-user", Action.DROP);
    assertEquals("{\"error\":\"message_rate_limited\",\"rule\":\"per-user\"}", undecided.dropNotice().toString());

    backend.answer.set(1_000_000);
    assertRefused(pipeline.check(text("hi"), state, "alice"), Reason.MESSAGE_RATE_LIMITED, "per-user", Action.CLOSE);
    backend.answer.set(0);
    assertClean(pipeline.check(text("hi"), state, "alice"));
  }
}
