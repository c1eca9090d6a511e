package io.wsgate.handshake;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.wsgate.Reason;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static io.wsgate.handshake.Handshakes.OPEN;
import static io.wsgate.handshake.Handshakes.as;
import static io.wsgate.handshake.Handshakes.identity;
import static io.wsgate.handshake.Handshakes.live;
import static io.wsgate.handshake.Handshakes.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline's own rules, with fake guards (the network is not involved): order, the first
 * enforced deny answers, held resources given back exactly once, failures, monitor mode, re-checks.
 */
class HandshakePipelineTest {
  private final List<String> consulted = new CopyOnWriteArrayList<>();
  private final List<Monitored> monitored = new CopyOnWriteArrayList<>();
  private final MonitorLog monitor = (request, reason) -> monitored.add(new Monitored(request, reason));

  private record Monitored(HandshakeRequest request, Reason reason) {
  }

  /** A guard that answers what it is told, in the mode it is told, and notes that it was asked and with what. */
  private final class Fake implements HandshakeGuard {
    private final String name;
    private final Function<HandshakeRequest, Future<Verdict>> answer;
    private final Function<Route, Mode> mode;
    private final Reason recheck;
    final List<HandshakeRequest> seen = new ArrayList<>();

    Fake(String name, Function<HandshakeRequest, Future<Verdict>> answer, Function<Route, Mode> mode, Reason recheck) {
      this.name = name;
      this.answer = answer;
      this.mode = mode;
      this.recheck = recheck;
    }

    @Override
    public Future<Verdict> check(HandshakeRequest request) {
      consulted.add(name);
      seen.add(request);
      return answer.apply(request);
    }

    @Override
    public Mode mode(Route route) {
      return mode.apply(route);
    }

    @Override
    public Reason recheck(LiveClient client, Route route) {
      return recheck;
    }

    Fake monitored() {
      return new Fake(name, answer, route -> Mode.MONITOR, recheck);
    }
  }

  private Fake answering(String name, Verdict verdict) {
    return new Fake(name, r -> Future.succeededFuture(verdict), route -> Mode.ENFORCE, null);
  }

  private Fake allowing(String name) {
    return answering(name, Verdict.ALLOW);
  }

  private Fake denying(String name, Reason reason) {
    return answering(name, Verdict.deny(reason));
  }

  private Fake holding(String name, AtomicInteger releases) {
    return answering(name, Verdict.allowHolding(releases::incrementAndGet));
  }

  private Fake rechecking(String name, Mode mode, Reason refusal) {
    return new Fake(name, r -> Future.succeededFuture(Verdict.ALLOW), route -> mode, refusal);
  }

  private HandshakePipeline pipeline(HandshakeGuard... guards) {
    return new HandshakePipeline(Arrays.asList(guards), monitor);
  }

  private static HandshakeRequest anyRequest() {
    return request(OPEN, "192.0.2.10", "origin", "https://app.example.com");
  }

  @Test
  void guardsRunInTheirOrderAndAllAllowingAdmits() {
    HandshakeRequest request = anyRequest();

    Admission admission = Await.result(pipeline(allowing("a"), allowing("b"), allowing("c")).run(request));

    assertTrue(admission.admitted());
    assertNull(admission.reason());
    assertEquals(List.of("a", "b", "c"), consulted);
    assertSame(request, admission.request(), "nobody refined it");
    assertEquals(List.of(), admission.held());
  }

  @Test
  void theFirstEnforcedDenyAnswersAndLaterGuardsAreNotConsulted() {
    HandshakeRequest request = anyRequest();

    Admission admission = Await.result(pipeline(allowing("a"), denying("b", Reason.ORIGIN_DENIED),
        denying("c", Reason.IP_DENIED), allowing("d")).run(request));

    assertFalse(admission.admitted());
    assertEquals(Reason.ORIGIN_DENIED, admission.reason());
    assertEquals(0, admission.retryAfterSeconds());
    assertEquals(List.of("a", "b"), consulted);
    assertSame(request, admission.request(), "the request as the denying guard got it");
    assertEquals(List.of(), monitored, "an enforced deny is not a monitored one");
  }

  @Test
  void aRefinedRequestGoesToTheGuardsAfterAndIntoTheAdmission() {
    HandshakeRequest request = anyRequest();
    HandshakeRequest refined = as(request, identity("idp", "alice"));
    Fake after = allowing("after");

    Admission admission = Await.result(pipeline(allowing("before"), answering("token", Verdict.allow(refined)), after)
        .run(request));

    assertSame(refined, after.seen.get(0));
    assertSame(refined, admission.request());
  }

  @Test
  void aDenyRecordsTheRequestAsTheGuardKnewIt() {
    HandshakeRequest request = anyRequest();
    HandshakeRequest known = as(request, identity("idp", "alice"));

    Admission admission = Await.result(pipeline(answering("token", Verdict.deny(Reason.TOKEN_REVOKED, known, request)))
        .run(request));

    assertEquals(Reason.TOKEN_REVOKED, admission.reason());
    assertSame(known, admission.request(), "the audit learns who was refused");
  }

  @Test
  void resourcesHeldByEarlierGuardsAreGivenBackOnceWhenALaterGuardDenies() {
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();

    Admission admission = Await.result(pipeline(holding("ip cap", first), holding("subject cap", second),
        denying("authz", Reason.INSUFFICIENT_PERMISSION)).run(anyRequest()));

    assertEquals(Reason.INSUFFICIENT_PERMISSION, admission.reason());
    assertEquals(1, first.get());
    assertEquals(1, second.get());
    assertEquals(List.of(), admission.held(), "nothing left for the caller to give back");
    admission.release();
    assertEquals(1, first.get(), "a refused admission's release gives nothing back twice");
    assertEquals(1, second.get());
  }

  @Test
  void whenAllAllowTheHeldResourcesAreHandedOverAndReleasedOnceEach() {
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    AtomicInteger global = new AtomicInteger();

    Admission admission = Await.result(pipeline(holding("ip cap", first), allowing("origin"),
        holding("subject cap", second)).run(anyRequest()));

    assertTrue(admission.admitted());
    assertEquals(2, admission.held().size());
    assertEquals(0, first.get() + second.get(), "held for the session, not given back yet");

    Admission withSlot = admission.holding(global::incrementAndGet);
    assertEquals(2, admission.held().size(), "holding() leaves the original alone");
    withSlot.release();
    assertEquals(List.of(1, 1, 1), List.of(first.get(), second.get(), global.get()));
  }

  @Test
  void aGuardThatThrowsFailsTheRunAndReleasesWhatWasHeld() {
    AtomicInteger held = new AtomicInteger();
    IllegalStateException boom = new IllegalStateException("boom");
    Fake throwing = new Fake("throws", r -> {
      throw boom;
    }, route -> Mode.ENFORCE, null);

    Throwable failure = Await.failure(pipeline(holding("cap", held), throwing, allowing("later")).run(anyRequest()));

    assertSame(boom, failure);
    assertEquals(1, held.get());
    assertEquals(List.of("cap", "throws"), consulted);
  }

  @Test
  void aGuardWhoseFutureFailsFailsTheRunAndReleasesWhatWasHeld() {
    AtomicInteger held = new AtomicInteger();
    RuntimeException cause = new RuntimeException("key fetch broke");
    Fake failing = new Fake("fails", r -> Future.failedFuture(cause), route -> Mode.ENFORCE, null);

    Throwable failure = Await.failure(pipeline(holding("cap", held), failing, allowing("later")).run(anyRequest()));

    assertSame(cause, failure);
    assertEquals(1, held.get());
    assertEquals(List.of("cap", "fails"), consulted);
  }

  @Test
  void aFailureIsNeverMonitoredAway() {
    AtomicInteger held = new AtomicInteger();
    Fake failing = new Fake("fails", r -> Future.failedFuture(new RuntimeException("x")), route -> Mode.MONITOR, null);

    Await.failure(pipeline(holding("cap", held), failing, allowing("later")).run(anyRequest()));

    assertEquals(1, held.get());
    assertEquals(List.of(), monitored);
    assertEquals(List.of("cap", "fails"), consulted);
  }

  @Test
  void aGuardThatAnswersLaterIsWaitedFor() {
    Promise<Verdict> later = Promise.promise();
    Fake waiting = new Fake("jwks", r -> later.future(), route -> Mode.ENFORCE, null);

    Future<Admission> run = pipeline(waiting, allowing("after")).run(anyRequest());

    assertFalse(run.isComplete());
    assertEquals(List.of("jwks"), consulted);
    later.complete(Verdict.deny(Reason.TOKEN_KEYS_UNAVAILABLE));
    assertEquals(Reason.TOKEN_KEYS_UNAVAILABLE, Await.result(run).reason());
    assertEquals(List.of("jwks"), consulted);
  }

  @Test
  void aMonitoredDenyIsReportedAsTheGuardKnewTheRequestAndTheNextGuardsGetTheProceedRequest() {
    HandshakeRequest request = anyRequest();
    HandshakeRequest known = as(request, identity("idp", "mallory"));
    HandshakeRequest proceed = request(OPEN, "192.0.2.10");
    Fake token = answering("token", Verdict.deny(Reason.TOKEN_REVOKED, known, proceed)).monitored();
    Fake after = allowing("after");

    Admission admission = Await.result(pipeline(token, after).run(request));

    assertTrue(admission.admitted(), "monitor mode denies nothing");
    assertEquals(List.of(new Monitored(known, Reason.TOKEN_REVOKED)), monitored);
    assertSame(proceed, after.seen.get(0));
    assertSame(proceed, admission.request());
  }

  @Test
  void aMonitoredPlainDenyReportsAndPassesOnTheRequestItGot() {
    HandshakeRequest request = anyRequest();
    HandshakeRequest refined = as(request, identity("idp", "alice"));
    Fake origin = denying("origin", Reason.ORIGIN_DENIED).monitored();
    Fake after = allowing("after");

    Admission admission = Await.result(pipeline(answering("token", Verdict.allow(refined)), origin, after).run(request));

    assertTrue(admission.admitted());
    assertEquals(List.of(new Monitored(refined, Reason.ORIGIN_DENIED)), monitored);
    assertSame(refined, origin.seen.get(0));
    assertSame(refined, after.seen.get(0));
    assertEquals(List.of("token", "origin", "after"), consulted);
  }

  @Test
  void aMonitoredDenyKeepsWhatWasHeldForTheSession() {
    AtomicInteger held = new AtomicInteger();

    Admission admission = Await.result(pipeline(holding("cap", held), denying("origin", Reason.ORIGIN_DENIED).monitored(),
        allowing("after")).run(anyRequest()));

    assertTrue(admission.admitted());
    assertEquals(0, held.get());
    assertEquals(1, admission.held().size());
    admission.release();
    assertEquals(1, held.get());
  }

  @Test
  void anEnforcedDenyAfterAMonitoredOneStillAnswers() {
    Admission admission = Await.result(pipeline(denying("origin", Reason.ORIGIN_DENIED).monitored(),
        denying("ip", Reason.IP_DENIED)).run(anyRequest()));

    assertEquals(Reason.IP_DENIED, admission.reason());
    assertEquals(List.of(Reason.ORIGIN_DENIED), monitored.stream().map(Monitored::reason).toList());
  }

  @Test
  void theModeIsAskedForTheRequestsRoute() {
    Route quiet = Handshakes.route("/quiet", TestPolicy.OPEN_ROUTE);
    Fake origin = new Fake("origin", r -> Future.succeededFuture(Verdict.deny(Reason.ORIGIN_DENIED)),
        route -> route.path().equals("/quiet") ? Mode.MONITOR : Mode.ENFORCE, null);
    HandshakePipeline pipeline = pipeline(origin);

    assertEquals(Reason.ORIGIN_DENIED, Await.result(pipeline.run(request(OPEN, "192.0.2.1"))).reason());
    assertTrue(Await.result(pipeline.run(request(quiet, "192.0.2.1"))).admitted());
    assertEquals(1, monitored.size());
  }

  @Test
  void theAdmissionCarriesRetryAfter() {
    Admission admission = Await.result(pipeline(answering("rate",
        Verdict.denyRetryAfter(Reason.HANDSHAKE_RATE_LIMITED, 17))).run(anyRequest()));

    assertEquals(Reason.HANDSHAKE_RATE_LIMITED, admission.reason());
    assertEquals(17, admission.retryAfterSeconds());
  }

  @Test
  void nullGuardsAreSkipped() {
    HandshakePipeline pipeline = new HandshakePipeline(Arrays.asList(null, allowing("a"), null,
        rechecking("b", Mode.ENFORCE, Reason.IP_DENIED), null), monitor);

    assertTrue(Await.result(pipeline.run(anyRequest())).admitted());
    assertEquals(List.of("a", "b"), consulted);
    assertEquals(Reason.IP_DENIED, pipeline.recheck(live("192.0.2.1", null), OPEN));
    assertTrue(Await.result(new HandshakePipeline(Arrays.asList((HandshakeGuard) null), monitor).run(anyRequest()))
        .admitted(), "no guards at all admits (closed-by-default is the guards' business)");
  }

  @Test
  void recheckAnswersTheFirstEnforcedRefusalAndIgnoresMonitoredOnes() {
    LiveClient client = live("192.0.2.1", "https://old.example.com");

    HandshakePipeline pipeline = pipeline(rechecking("rate", Mode.ENFORCE, null),
        rechecking("listener ip", Mode.MONITOR, Reason.IP_DENIED),
        rechecking("origin", Mode.ENFORCE, Reason.ORIGIN_DENIED),
        rechecking("route ip", Mode.ENFORCE, Reason.IP_DENIED));

    assertEquals(Reason.ORIGIN_DENIED, pipeline.recheck(client, OPEN));
    assertNull(pipeline(rechecking("listener ip", Mode.MONITOR, Reason.IP_DENIED),
        rechecking("origin", Mode.MONITOR, Reason.ORIGIN_DENIED)).recheck(client, OPEN), "monitor closes nothing");
    assertNull(pipeline(rechecking("a", Mode.ENFORCE, null)).recheck(client, OPEN));
    assertEquals(List.of(), consulted, "a re-check runs no handshake checks");
    assertEquals(List.of(), monitored, "nor does it report");
  }

  @Test
  void aMonitorLogThatThrowsFailsTheRunAndGivesBackWhatWasHeld() {
    AtomicInteger releases = new AtomicInteger();
    MonitorLog broken = (request, reason) -> {
      throw new IllegalStateException("the audit queue is gone");
    };
    HandshakePipeline pipeline = new HandshakePipeline(Arrays.asList(holding("slot", releases),
        denying("origin", Reason.ORIGIN_DENIED).monitored()), broken);

    Throwable failure = Await.failure(pipeline.run(anyRequest()));

    assertEquals("the audit queue is gone", failure.getMessage());
    assertEquals(1, releases.get(), "the slot taken before the throw is given back, once");
  }
}
