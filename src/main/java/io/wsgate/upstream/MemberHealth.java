package io.wsgate.upstream;

import io.vertx.core.Vertx;
import io.wsgate.policy.Balancing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * The periodic health check of one member: {@code healthyAfter} successes in a row mark it up
 * (ending any cool-down), {@code unhealthyAfter} failures mark it down. Its timer and every probe
 * callback run on the one event-loop context of {@link HealthChecks}, so the counts need no lock;
 * the verdict goes to the shared {@link UpstreamMember}.
 */
final class MemberHealth {
  private static final Logger LOG = LoggerFactory.getLogger(MemberHealth.class);

  private final Vertx vertx;
  private final HealthProbe probe;
  private final String route;
  private final UpstreamMember member;
  private final Balancing.HealthCheck check;
  private final UpstreamSsl ssl;
  private long timer = -1;
  private boolean inFlight;
  private int successes;
  private int failures;
  private boolean stopped;

  MemberHealth(Vertx vertx, HealthProbe probe, String route, UpstreamMember member, Balancing.HealthCheck check,
               UpstreamSsl ssl) {
    this.vertx = vertx;
    this.probe = probe;
    this.route = route;
    this.member = member;
    this.check = check;
    this.ssl = ssl;
  }

  /** Whether a new snapshot checks this member the same way (then the running check and its counts are kept). */
  boolean sameAs(Balancing.HealthCheck other, UpstreamSsl otherSsl) {
    return check.equals(other) && Objects.equals(ssl, otherSsl);
  }

  void start() {
    timer = vertx.setPeriodic(0, check.interval().toMillis(), id -> run());
  }

  void stop() {
    stopped = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  private void run() {
    if (inFlight || stopped) {
      return; // the timeout is at most the interval, so this is only a late timer
    }
    inFlight = true;
    long timeoutMs = check.timeout().toMillis();
    boolean[] done = new boolean[1];
    long deadline = vertx.setTimer(timeoutMs, id -> {
      if (!done[0]) {
        done[0] = true;
        result(false, "no answer within " + timeoutMs + " ms");
      }
    });
    probe.check(member, check, ssl).onComplete(ar -> {
      vertx.cancelTimer(deadline);
      if (!done[0]) {
        done[0] = true;
        result(ar.succeeded(), ar.succeeded() ? null : String.valueOf(ar.cause().getMessage()));
      }
    });
  }

  private void result(boolean ok, String why) {
    inFlight = false;
    if (stopped) {
      return;
    }
    if (ok) {
      failures = 0;
      successes++;
      if (successes >= check.healthyAfter() && member.checked(true, System.nanoTime())) {
        LOG.info("Upstream {} of route {} is up again (health check)", member.label(), route);
      }
    } else {
      successes = 0;
      failures++;
      if (failures >= check.unhealthyAfter() && member.checked(false, System.nanoTime())) {
        LOG.warn("Upstream {} of route {} is down: {} health checks failed in a row, the last: {}", member.label(),
            route, failures, why);
      }
    }
  }
}
