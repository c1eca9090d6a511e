package io.wsgate.limits;

import io.vertx.core.Future;

import java.time.Instant;

/**
 * Who changes the revocation list: this process alone ({@link LocalRevocationUpdates}), or a fleet
 * through its store. Decisions always read this node's {@link Revocations}; an implementation keeps it
 * up to date (and, with a file, durable) before its futures complete.
 *
 * <pre>{@code
 * updates.revoke(new SubjectId("corp", "alice"), until).onSuccess(outcome -> ...);   // admin API
 * }</pre>
 */
public interface RevocationUpdates {
  /** What a revocation came to. */
  enum Outcome {
    /** In force wherever this gateway's list reaches (the fleet, or this process). */
    APPLIED,
    /** In force on this node now; the fleet's store could not be reached, and gets it when it is back. */
    APPLIED_HERE_SHARED_LATER,
    /** Refused: the list holds its maximum of unexpired revocations. Nothing changed. */
    LIST_FULL
  }

  /** Refuses {@code id}'s tokens until {@code until} (replacing an earlier revocation of it). */
  Future<Outcome> revoke(SubjectId id, Instant until);

  /** Lifts a revocation early. @return whether there was one */
  Future<Boolean> lift(SubjectId id);
}
