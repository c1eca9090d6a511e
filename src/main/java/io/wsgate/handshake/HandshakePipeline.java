package io.wsgate.handshake;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs guards in order; the first deny answers and the rest are not consulted. A guard may hand
 * the guards after it a refined request (e.g. carrying the verified identity); resources
 * held by earlier guards are given back at once when a later guard denies.
 */
public final class HandshakePipeline {
  private final HandshakeGuard[] guards;

  public HandshakePipeline(List<HandshakeGuard> guards) {
    this.guards = guards.toArray(new HandshakeGuard[0]);
  }

  public Future<Admission> run(HandshakeRequest request) {
    return runFrom(0, request, new ArrayList<>());
  }

  private Future<Admission> runFrom(int index, HandshakeRequest request, List<Runnable> held) {
    if (index == guards.length) {
      return Future.succeededFuture(new Admission(null, 0, List.copyOf(held), request));
    }
    Future<Verdict> verdict;
    try {
      verdict = guards[index].check(request);
    } catch (RuntimeException e) {
      verdict = Future.failedFuture(e);
    }
    return verdict.transform(ar -> {
      if (ar.failed()) {
        held.forEach(Runnable::run);
        return Future.failedFuture(ar.cause());
      }
      Verdict v = ar.result();
      if (!v.allowed()) {
        held.forEach(Runnable::run);
        HandshakeRequest known = v.refined() != null ? v.refined() : request;
        return Future.succeededFuture(new Admission(v.reason(), v.retryAfterSeconds(), List.of(), known));
      }
      if (v.release() != null) {
        held.add(v.release());
      }
      return runFrom(index + 1, v.refined() != null ? v.refined() : request, held);
    });
  }
}
