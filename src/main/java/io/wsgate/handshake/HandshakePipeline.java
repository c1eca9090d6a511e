package io.wsgate.handshake;

import io.vertx.core.Future;

import java.util.List;

/** Runs guards in order; the first deny answers and the rest are not consulted. */
public final class HandshakePipeline {
  private final HandshakeGuard[] guards;

  public HandshakePipeline(List<HandshakeGuard> guards) {
    this.guards = guards.toArray(new HandshakeGuard[0]);
  }

  public Future<Verdict> run(HandshakeRequest request) {
    return runFrom(0, request);
  }

  private Future<Verdict> runFrom(int index, HandshakeRequest request) {
    if (index == guards.length) {
      return Future.succeededFuture(Verdict.ALLOW);
    }
    return guards[index].check(request).compose(verdict ->
        verdict.allowed() ? runFrom(index + 1, request) : Future.succeededFuture(verdict));
  }
}
