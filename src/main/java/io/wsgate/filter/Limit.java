package io.wsgate.filter;

import io.wsgate.limits.BucketSpec;
import io.wsgate.limits.RateLimiter;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.policy.Rate;

/**
 * Where one rate's bucket lives, resolved when the pipeline is built: in the session state (per
 * connection) or in the snapshot's {@link SubjectBuckets} (per subject). A session without a
 * subject (anonymous route) has nobody to share with, so its per-subject limits fall back to a
 * bucket of its own. A shared bucket that cannot decide yet ({@link RateLimiter#UNDECIDED}) refuses,
 * and marks the state so that the pipeline drops the message rather than close the session.
 */
abstract sealed class Limit {
  final BucketSpec spec;

  private Limit(BucketSpec spec) {
    this.spec = spec;
  }

  /** @param part which of the rule's rates this is ({@code messages}, {@code bytes}, {@code value:chat}, ...) */
  static Limit of(Rate rate, Scope scope, PipelineSlots slots, String part) {
    BucketSpec spec = BucketSpec.of(rate);
    return switch (scope) {
      case CONNECTION -> new PerConnection(spec, slots.connectionSlot());
      case SUBJECT -> new PerSubject(spec, slots.subjects().limiter(slots.sharedName(part), rate),
          slots.connectionSlot());
    };
  }

  /**
   * Takes {@code tokens} if the bucket has them. A message costing more than the burst can never
   * pass: with a byte rate, the burst is also the largest message the rule lets through.
   */
  abstract boolean tryConsume(SessionFilterState state, String subject, long tokens);

  static final class PerConnection extends Limit {
    private final int slot;

    PerConnection(BucketSpec spec, int slot) {
      super(spec);
      this.slot = slot;
    }

    @Override
    boolean tryConsume(SessionFilterState state, String subject, long tokens) {
      return state.bucket(slot, spec).tryConsume(tokens);
    }
  }

  static final class PerSubject extends Limit {
    private final RateLimiter shared;
    private final int anonymousSlot;

    PerSubject(BucketSpec spec, RateLimiter shared, int anonymousSlot) {
      super(spec);
      this.shared = shared;
      this.anonymousSlot = anonymousSlot;
    }

    @Override
    boolean tryConsume(SessionFilterState state, String subject, long tokens) {
      if (subject == null) {
        return state.bucket(anonymousSlot, spec).tryConsume(tokens);
      }
      long answer = shared.tryAcquire(subject, tokens);
      if (answer == RateLimiter.UNDECIDED) {
        state.markUndecided();
        return false;
      }
      return answer == 0;
    }
  }
}
