package io.wsgate.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.wsgate.limits.BucketSpec;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A message rate shared by the fleet ({@code per: subject}) that never makes a message wait for
 * Redis: {@link #tryConsume} answers at once, on the calling event loop, from this node's copy of
 * the key's bucket, which Bucket4j's delaying optimization syncs with Redis every
 * {@link SyncBound#maxUnsyncedTokens()} admissions or {@link SyncBound#maxUnsyncedTime()}. When a
 * sync is due, the message is answered provisionally (as the key's last answer was) while the sync
 * runs. {@link SyncBound} states the overshoot this allows.
 *
 * <p>While {@link SyncBound#maxPending()} answers for one key are outstanding, further messages of
 * that key are refused until Redis answers (a key sending that fast is far past any sane rate); if
 * Redis has not answered within the store's call timeout, or the store is down, this node's own
 * bucket of the same rate decides: per-node limits, as {@code onStoreFailure: failOpen} says.
 *
 * <pre>{@code
 * // in a message filter, on the session's event loop:
 * boolean pass = perSubject.tryConsume(subjectId.key());
 * }</pre>
 */
public final class ClusterMessageLimiter {
  private final ClusterBuckets buckets;
  private final RedisStore store;
  private final String ruleId;
  private final BucketSpec spec;
  private final SyncBound bound;
  private final BucketConfiguration configuration;
  private final Cache<String, Gate> gates;
  private final LongAdder provisionalRefused = new LongAdder();
  private final LongAdder localDecisions = new LongAdder();
  private final LongAdder refusedWhileSyncing = new LongAdder();
  private final long callTimeoutNanos;

  ClusterMessageLimiter(ClusterBuckets buckets, RedisStore store, String ruleId, BucketSpec spec, SyncBound bound,
      int maxKeys) {
    this.buckets = buckets;
    this.store = store;
    this.ruleId = Objects.requireNonNull(ruleId, "ruleId");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.bound = Objects.requireNonNull(bound, "bound");
    if (maxKeys <= 0) {
      throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
    }
    this.configuration = ClusterBuckets.configuration(spec.rate());
    this.callTimeoutNanos = store.settings().callTimeout().toNanos();
    // A key idle until its bucket is full again may be forgotten: Redis holds the shared state anyway.
    this.gates = Caffeine.newBuilder().maximumSize(maxKeys)
        .expireAfterAccess(Duration.ofNanos(Math.max(spec.nanosToFill(), bound.maxUnsyncedTime().toNanos())))
        .executor(Runnable::run).build();
  }

  /** What {@link #decide} answers. */
  public enum Answer {
    ALLOWED,
    REFUSED,
    /** More than {@link SyncBound#maxPending()} asks of one key within one round trip: refused until Redis answers. */
    UNDECIDED
  }

  /** Whether one more message of {@code key} may pass. Never blocks, never waits for Redis. */
  public boolean tryConsume(String key) {
    return decide(key, 1) == Answer.ALLOWED;
  }

  /**
   * Whether {@code permits} more tokens of {@code key} may be taken (1 per message, or a message's
   * bytes for a byte rate). Never blocks, never waits for Redis.
   */
  public Answer decide(String key, long permits) {
    if (permits <= 0) {
      throw new IllegalArgumentException("permits must be positive, was " + permits);
    }
    if (permits > spec.capacity()) {
      return Answer.REFUSED; // more than the burst: no bucket, shared or local, ever has that many
    }
    Gate gate = gates.get(key, Gate::new);
    AsyncBucketProxy shared = gate.shared();
    if (shared == null || !store.health().isUp()) {
      return local(gate, permits);
    }
    if (!bound.mayAsk(gate.pending.get(), gate.pendingTokens.get(), permits)) {
      if (System.nanoTime() - gate.waitingSince > callTimeoutNanos) {
        // Redis has not answered within the call timeout: a store failure, whatever the health says yet.
        return local(gate, permits);
      }
      // More than maxPending asks of one key within one round trip: refused until Redis answers.
      refusedWhileSyncing.increment();
      return Answer.UNDECIDED;
    }
    CompletableFuture<Boolean> answer;
    try {
      answer = shared.tryConsume(permits);
    } catch (RuntimeException e) {
      return local(gate, permits);
    }
    if (answer.isDone()) {
      if (answer.isCompletedExceptionally()) {
        return local(gate, permits);
      }
      boolean allowed = answer.join();
      gate.lastAllowed = allowed;
      return allowed ? Answer.ALLOWED : Answer.REFUSED;
    }
    // Bucket4j must ask Redis first (first use of the key, or its local allowance is spent): answer
    // as last time, and settle when Redis answers.
    boolean provisional = gate.lastAllowed;
    if (gate.pending.getAndIncrement() == 0) {
      gate.waitingSince = System.nanoTime();
    }
    gate.pendingTokens.addAndGet(permits);
    answer.whenComplete((allowed, failure) -> {
      gate.pending.decrementAndGet();
      gate.pendingTokens.addAndGet(-permits);
      if (failure != null) {
        return;
      }
      gate.lastAllowed = allowed;
      if (provisional && !allowed) {
        provisionalRefused.increment();
        shared.consumeIgnoringRateLimits(permits); // admitted all the same: charge it, so the fleet pays it back
      }
    });
    return provisional ? Answer.ALLOWED : Answer.REFUSED;
  }

  private Answer local(Gate gate, long permits) {
    localDecisions.increment();
    return gate.local.tryConsume(permits) ? Answer.ALLOWED : Answer.REFUSED;
  }

  public SyncBound bound() {
    return bound;
  }

  public String ruleId() {
    return ruleId;
  }

  /** Provisional admissions that Redis then refused (each charged afterwards): the overshoot actually taken. */
  public long provisionalRefusedTotal() {
    return provisionalRefused.sum();
  }

  /** Messages refused because more than {@link SyncBound#maxPending()} of one key came within one round trip to Redis. */
  public long refusedWhileSyncingTotal() {
    return refusedWhileSyncing.sum();
  }

  /** Decisions taken by this node's own bucket because the store was down, slow or not connected yet. */
  public long localDecisionsTotal() {
    return localDecisions.sum();
  }

  /** One key on this node: its view of the shared bucket, and its own bucket for when the store fails. */
  private final class Gate {
    final String key;
    final Bucket local = spec.newBucket();
    final AtomicInteger pending = new AtomicInteger();
    final AtomicLong pendingTokens = new AtomicLong();
    volatile boolean lastAllowed = true;
    /** When the oldest outstanding answer was asked for (meaningful while pending > 0). */
    volatile long waitingSince;
    private volatile AsyncBucketProxy shared;

    Gate(String key) {
      this.key = key;
    }

    AsyncBucketProxy shared() {
      AsyncBucketProxy current = shared;
      if (current == null) {
        AsyncProxyManager<String> manager = buckets.proxies();
        if (manager == null) {
          return null;
        }
        synchronized (this) {
          if (shared == null) {
            shared = manager.builder()
                .withOptimization(Optimizations.delaying(new DelayParameters(bound.maxUnsyncedTokens(),
                    bound.maxUnsyncedTime())))
                .build(ClusterKeys.bucket(ruleId, key), () -> CompletableFuture.completedFuture(configuration));
          }
          current = shared;
        }
      }
      return current;
    }
  }
}
