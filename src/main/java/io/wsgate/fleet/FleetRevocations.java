package io.wsgate.fleet;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.cluster.ClusterRevocations;
import io.wsgate.cluster.RedisStore;
import io.wsgate.limits.RevocationUpdates;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Revocations shared by the fleet, kept in step with this node's own list. Decisions (handshakes,
 * re-authentication, late sessions) always read the node's {@link Revocations}; this class makes it
 * the fleet's list: every revoke and lift, whichever node made it, is applied to it (and written to
 * its file, {@code revocations.json} next to the audit) and closes this node's live sessions of a
 * revoked subject; every whole fetch makes it the store's list again.
 *
 * <p>The file is the node's durable copy: it decides while the store is out of reach, and it is what
 * the node re-publishes when Redis lost its list (restarted without persistence). A revocation or
 * lift made through this node while the store is out of reach is applied here at once and sent to
 * the store when it is back.
 */
public final class FleetRevocations implements RevocationUpdates, ClusterRevocations.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetRevocations.class);

  private final Revocations local;
  private final ExecutorService files;
  private final Object saving = new Object();
  /** Changes made here while the store was out of reach: id → until, or null for a lift. */
  private final Map<SubjectId, Pending> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
  private volatile ClusterRevocations shared;
  private volatile Consumer<SubjectId> closeSessions = id -> { };
  /** The save not started yet, which every change made until it starts joins; guarded by {@link #saving}. */
  private CompletableFuture<Void> nextSave;

  /** A pending change: a revocation until {@code until}, or a lift ({@code until} null). */
  private record Pending(Instant until) {
  }

  FleetRevocations(Revocations local) {
    this.local = local;
    this.files = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "wsgate-revocations-file");
      t.setDaemon(true);
      return t;
    });
  }

  /** Subscribes to the store's list; the node's file is the seed re-published if the store lost it. */
  void start(RedisStore store) {
    shared = ClusterRevocations.start(store, this, local.capacity(),
        () -> new ClusterRevocations.Seed(local.epoch(), local.entries()));
  }

  /** Who closes this node's live sessions of a subject revoked anywhere in the fleet (1008). */
  void closeSessionsWith(Consumer<SubjectId> closer) {
    this.closeSessions = closer;
  }

  /** Completes at the first whole fetch of the fleet's list. */
  CompletableFuture<Void> firstSync() {
    return firstSync;
  }

  /** Subscribed and fetched: changes made anywhere reach this node now. */
  boolean feedUp() {
    ClusterRevocations current = shared;
    return current != null && current.feedUp();
  }

  @Override
  public Future<Outcome> revoke(SubjectId id, Instant until) {
    Context context = Vertx.currentContext();
    CompletableFuture<Outcome> outcome = shared.revoke(id, until).handle((stored, failure) -> {
      if (failure == null) {
        if (!stored) {
          return Outcome.LIST_FULL;
        }
        local.revoke(id, until); // also done when the announcement came back; it must be in force before we answer
        return Outcome.APPLIED;
      }
      if (!local.revoke(id, until)) {
        return Outcome.LIST_FULL;
      }
      pending.put(id, new Pending(until));
      LOG.warn("revocation of {} in force on this node only: the cluster store is out of reach ({}); it is sent"
          + " to the store when it is back", id, why(failure));
      return Outcome.APPLIED_HERE_SHARED_LATER;
    }).thenCompose(result -> result == Outcome.LIST_FULL ? CompletableFuture.completedFuture(result)
        : save().thenApply(v -> result));
    return back(context, outcome);
  }

  @Override
  public Future<Boolean> lift(SubjectId id) {
    Context context = Vertx.currentContext();
    CompletableFuture<Boolean> lifted = shared.lift(id).handle((there, failure) -> {
      boolean here = local.lift(id);
      if (failure == null) {
        return there || here;
      }
      pending.put(id, new Pending(null));
      LOG.warn("lift of {}'s revocation applies on this node only: the cluster store is out of reach ({}); it is"
          + " sent to the store when it is back", id, why(failure));
      return here;
    }).thenCompose(result -> save().thenApply(v -> result));
    return back(context, lifted);
  }

  // --- told by the store (Lettuce threads, under the mirror's lock: nothing here blocks) ---------

  @Override
  public void revoked(SubjectId id, Instant until) {
    if (!local.revoke(id, until)) {
      LOG.error("revocation of {} from the fleet not kept on this node: its list holds {} unexpired revocations", id,
          local.capacity());
    }
    pending.remove(id);
    save();
    closeSessions.accept(id);
  }

  @Override
  public void lifted(SubjectId id) {
    local.lift(id);
    save();
  }

  @Override
  public void synced(String epoch, Map<SubjectId, Instant> all) {
    Map<SubjectId, Instant> list = new HashMap<>(all);
    pending.forEach((id, change) -> {
      if (change.until() == null) {
        list.remove(id);
      } else {
        list.merge(id, change.until(), (a, b) -> a.isAfter(b) ? a : b);
      }
    });
    local.replaceWith(list);
    local.epoch(epoch);
    save();
    firstSync.complete(null);
    publishPending();
  }

  /** Sends what was changed here while the store was out of reach; kept for the next sync if it fails again. */
  private void publishPending() {
    pending.forEach((id, change) -> {
      CompletableFuture<?> sent = change.until() == null ? shared.lift(id) : shared.revoke(id, change.until());
      sent.thenRun(() -> {
        if (pending.remove(id, change)) {
          LOG.info("{} of {} made while the cluster store was out of reach is now shared",
              change.until() == null ? "lift" : "revocation", id);
        }
      });
    });
  }

  /**
   * Writes the list to its file off every event loop and Lettuce thread; changes made before a save
   * starts all go into it. Completes when a save that started after this call is done.
   */
  private CompletableFuture<Void> save() {
    if (!local.durable()) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (saving) {
      if (nextSave == null) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        nextSave = mine;
        files.execute(() -> {
          synchronized (saving) {
            nextSave = null;
          }
          try {
            local.save();
            mine.complete(null);
          } catch (IOException | RuntimeException e) {
            LOG.error("revocations: cannot write {} ({})", "revocations.json", e.toString());
            mine.completeExceptionally(e);
          }
        });
      }
      return nextSave;
    }
  }

  private static String why(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return cause.getMessage();
  }

  private static <T> Future<T> back(Context context, CompletableFuture<T> stage) {
    return context == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, context);
  }

  @Override
  public void close() {
    ClusterRevocations current = shared;
    if (current != null) {
      current.close();
    }
    files.shutdown();
    try {
      files.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
