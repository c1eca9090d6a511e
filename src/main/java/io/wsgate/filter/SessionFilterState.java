package io.wsgate.filter;

import io.github.bucket4j.Bucket;
import io.wsgate.limits.BucketSpec;

/**
 * The per-connection part of one pipeline: the buckets of its per-connection rate rules (and of its
 * per-subject rules for a session without a subject), in slots the pipeline numbered when it was
 * built, each created on the first message that needs it. A pipeline without such rules hands out
 * one shared empty state, so a session costs nothing there.
 *
 * <p>Confined to the session's event loop: its buckets have no synchronisation at all.
 */
public final class SessionFilterState {
  static final SessionFilterState EMPTY = new SessionFilterState(0);

  private final Bucket[] buckets;
  private boolean undecided;

  SessionFilterState(int slots) {
    this.buckets = new Bucket[slots];
  }

  Bucket bucket(int slot, BucketSpec spec) {
    Bucket bucket = buckets[slot];
    if (bucket == null) {
      bucket = spec.newConfinedBucket();
      buckets[slot] = bucket;
    }
    return bucket;
  }

  /** The refusal being made is a shared bucket's "not yet", not a verdict on the sender. */
  void markUndecided() {
    undecided = true;
  }

  /** Whether the last refusal was {@link #markUndecided() undecided}; clears the mark. */
  boolean takeUndecided() {
    boolean was = undecided;
    undecided = false;
    return was;
  }

  /** Buckets created so far (for tests). */
  int bucketsCreated() {
    int created = 0;
    for (Bucket bucket : buckets) {
      if (bucket != null) {
        created++;
      }
    }
    return created;
  }
}
