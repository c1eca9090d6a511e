package io.wsgate.filter;

import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.RateLimiter;
import io.wsgate.policy.Rate;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the per-subject rate rules of one policy snapshot keep their buckets: one bounded
 * {@link RateLimiter} (subject → bucket) per rule, shared by every session on any event loop,
 * taken from a {@link LimiterRegistry} that outlives the snapshot. A rule keeps its buckets across
 * a reload when its pipeline, name, part and rate are unchanged; at most {@code maxSubjects}
 * subjects are tracked per rule, and a subject idle for as long as its bucket takes to refill is
 * forgotten (its bucket would be full again).
 *
 * <pre>{@code
 * SubjectBuckets subjects = new SubjectBuckets(backend.uses(), limits.maxTrackedKeys()); // one per snapshot
 * MessagePipeline in = MessagePipeline.build(rules, subjects, "routes[/chat].toUpstream");
 * }</pre>
 */
public final class SubjectBuckets {
  private static final AtomicLong ANONYMOUS_PIPELINES = new AtomicLong();

  private final RateLimitBackend.Uses registry;
  private final int maxSubjects;

  /** Buckets of their own, kept by nothing else (tests, tools). */
  public SubjectBuckets(int maxSubjects) {
    this(new LocalRateLimitBackend().uses(), maxSubjects);
  }

  public SubjectBuckets(RateLimitBackend.Uses registry, int maxSubjects) {
    if (maxSubjects <= 0) {
      throw new IllegalArgumentException("maxSubjects must be positive, was " + maxSubjects);
    }
    this.registry = registry;
    this.maxSubjects = maxSubjects;
  }

  public int maxSubjects() {
    return maxSubjects;
  }

  /** A pipeline name no other pipeline has: a pipeline built without one shares buckets with nobody. */
  static String uniquePipelineName() {
    return "pipeline#" + ANONYMOUS_PIPELINES.incrementAndGet();
  }

  /** The limiter of one rate of one rule; {@code name} says where it is defined. */
  RateLimiter limiter(String name, Rate rate) {
    return registry.limiter(new LimiterRegistry.Spec(name, rate, maxSubjects));
  }
}
