package io.wsgate.filter;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.Bucket;
import io.wsgate.limits.BucketSpec;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The per-subject buckets of one policy snapshot, shared by every session of that snapshot (on any
 * event loop) and by every pipeline built with it: subject → one bucket per per-subject limit,
 * created on first use. Bounded like {@link io.wsgate.limits.KeyedRateLimiter}: at most
 * {@code maxSubjects} subjects at once, and a subject idle for longer than the slowest of its
 * buckets takes to refill is forgotten (its buckets would all be full again).
 *
 * <p>Build one per snapshot, pass it to every {@link MessagePipeline#build} of that snapshot.
 * Thread-safe; buckets are lock-free.
 */
public final class SubjectBuckets {
  private final int maxSubjects;
  private final Cache<String, Entry> subjects;
  private final Function<String, Entry> newEntry;
  private volatile long idleNanos = 1_000_000L;
  private int slots;

  public SubjectBuckets(int maxSubjects) {
    if (maxSubjects <= 0) {
      throw new IllegalArgumentException("maxSubjects must be positive, was " + maxSubjects);
    }
    this.maxSubjects = maxSubjects;
    this.subjects = Caffeine.newBuilder()
        .maximumSize(maxSubjects)
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String key, Entry value, long currentTime) {
            return idleNanos;
          }

          @Override
          public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
            return idleNanos;
          }

          @Override
          public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
            return idleNanos;
          }
        })
        .executor(Runnable::run)
        .build();
    this.newEntry = subject -> new Entry(slotCount());
  }

  public int maxSubjects() {
    return maxSubjects;
  }

  /** Approximate number of subjects held. */
  public long estimatedSize() {
    return subjects.estimatedSize();
  }

  /** Runs pending evictions and expirations now. */
  public void cleanUp() {
    subjects.cleanUp();
  }

  /** Reserves a slot for one per-subject limit; called while pipelines are built. */
  synchronized int register(BucketSpec spec) {
    idleNanos = Math.max(idleNanos, spec.nanosToFill());
    return slots++;
  }

  private synchronized int slotCount() {
    return slots;
  }

  Bucket bucket(String subject, int slot, BucketSpec spec) {
    return subjects.get(subject, newEntry).bucket(slot, spec);
  }

  /** One subject's buckets; reads are lock-free, creation (once per subject and limit) takes the entry's lock. */
  private static final class Entry {
    private volatile AtomicReferenceArray<Bucket> buckets;

    Entry(int slots) {
      this.buckets = new AtomicReferenceArray<>(Math.max(1, slots));
    }

    Bucket bucket(int slot, BucketSpec spec) {
      AtomicReferenceArray<Bucket> current = buckets;
      if (slot < current.length()) {
        Bucket bucket = current.get(slot);
        if (bucket != null) {
          return bucket;
        }
      }
      return create(slot, spec);
    }

    private synchronized Bucket create(int slot, BucketSpec spec) {
      AtomicReferenceArray<Bucket> current = buckets;
      if (slot >= current.length()) {
        // A pipeline registered more limits after this subject was first seen: grow, keeping its buckets.
        AtomicReferenceArray<Bucket> grown = new AtomicReferenceArray<>(slot + 1);
        for (int i = 0; i < current.length(); i++) {
          grown.set(i, current.get(i));
        }
        buckets = grown;
        current = grown;
      }
      Bucket bucket = current.get(slot);
      if (bucket == null) {
        bucket = spec.newBucket();
        current.set(slot, bucket);
      }
      return bucket;
    }
  }
}
