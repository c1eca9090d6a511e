package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs guards in order; the first enforced deny answers and the rest are not consulted. A guard
 * whose mode on the request's route is {@code monitor} has its deny recorded ({@link MonitorLog})
 * and the guards after it run as if it had allowed: this is the one place monitor mode is decided.
 * A guard may hand the guards after it a refined request (e.g. carrying the verified identity);
 * resources held by earlier guards are given back at once when a later guard denies.
 *
 * <pre>{@code
 * HandshakePipeline pipeline = new HandshakePipeline(List.of(new ListenerIpGuard(rules), new OriginGuard()), monitor);
 * pipeline.run(request).onSuccess(admission -> ...);          // admission.admitted() or its reason
 * Reason late = pipeline.recheck(session, route);            // a reload re-checking a live session
 * }</pre>
 */
public final class HandshakePipeline {
  private final HandshakeGuard[] guards;
  private final MonitorLog monitor;

  public HandshakePipeline(List<HandshakeGuard> guards, MonitorLog monitor) {
    this.guards = guards.stream().filter(Objects::nonNull).toArray(HandshakeGuard[]::new);
    this.monitor = monitor;
  }

  public Future<Admission> run(HandshakeRequest request) {
    return runFrom(0, request, new ArrayList<>());
  }

  /**
   * Judges a live session again with the guards that can change their minds (address, Origin and
   * client certificate rules) on {@code route}: the first enforced refusal, or null. Monitor-mode
   * rules close nothing.
   */
  public Reason recheck(LiveClient client, Route route) {
    for (HandshakeGuard guard : guards) {
      Reason refused = guard.recheck(client, route);
      if (refused != null && guard.mode(route) == Mode.ENFORCE) {
        return refused;
      }
    }
    return null;
  }

  private Future<Admission> runFrom(int index, HandshakeRequest request, List<Runnable> held) {
    if (index == guards.length) {
      return Future.succeededFuture(new Admission(null, 0, List.copyOf(held), request));
    }
    HandshakeGuard guard = guards[index];
    Future<Verdict> verdict;
    try {
      verdict = guard.check(request);
    } catch (RuntimeException e) {
      verdict = Future.failedFuture(e);
    }
    return verdict.transform(ar -> {
      if (ar.failed()) {
        held.forEach(Runnable::run);
        return Future.failedFuture(ar.cause());
      }
      try {
        return next(index, guard, ar.result(), request, held);
      } catch (RuntimeException e) {
        // A guard's mode() or the monitor log threw after the guard answered: what is held goes back.
        held.forEach(Runnable::run);
        return Future.failedFuture(e);
      }
    });
  }

  private Future<Admission> next(int index, HandshakeGuard guard, Verdict v, HandshakeRequest request,
                                 List<Runnable> held) {
    if (!v.allowed()) {
      HandshakeRequest known = v.refined() != null ? v.refined() : request;
      if (guard.mode(request.route()) == Mode.MONITOR) {
        monitor.wouldDeny(known, v.reason());
        return runFrom(index + 1, v.proceed() != null ? v.proceed() : request, held);
      }
      held.forEach(Runnable::run);
      return Future.succeededFuture(new Admission(v.reason(), v.retryAfterSeconds(), List.of(), known));
    }
    if (v.release() != null) {
      held.add(v.release());
    }
    return runFrom(index + 1, v.refined() != null ? v.refined() : request, held);
  }
}
