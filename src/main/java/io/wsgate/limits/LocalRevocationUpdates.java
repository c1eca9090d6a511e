package io.wsgate.limits;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Instant;

/** Revocations of one process: changed in its {@link Revocations}, written to its file (off the event loop) before the future completes. */
public final class LocalRevocationUpdates implements RevocationUpdates {
  private final Vertx vertx;
  private final Revocations list;

  public LocalRevocationUpdates(Vertx vertx, Revocations list) {
    this.vertx = vertx;
    this.list = list;
  }

  @Override
  public Future<Outcome> revoke(SubjectId id, Instant until) {
    if (!list.revoke(id, until)) {
      return Future.succeededFuture(Outcome.LIST_FULL);
    }
    return save().map(Outcome.APPLIED);
  }

  @Override
  public Future<Boolean> lift(SubjectId id) {
    boolean lifted = list.lift(id);
    return save().map(lifted);
  }

  private Future<Void> save() {
    if (!list.durable()) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      list.save();
      return null;
    });
  }
}
