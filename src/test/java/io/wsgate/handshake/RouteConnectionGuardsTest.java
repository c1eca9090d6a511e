package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.limits.ConnectionScope;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.policy.Route;
import io.wsgate.policy.RouteConnections;
import io.wsgate.policy.RouteLimits;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.wsgate.handshake.Handshakes.as;
import static io.wsgate.handshake.Handshakes.identity;
import static io.wsgate.handshake.Handshakes.request;
import static io.wsgate.handshake.Handshakes.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A route's own caps and handshake rate, on the real in-process counters and buckets. */
class RouteConnectionGuardsTest {
  private static final String IP = "192.0.2.1";
  private final LocalRateLimitBackend backend = new LocalRateLimitBackend();
  private final ConnectionCounter counts = backend.connections(ConnectionScope.PER_ROUTE);

  private static Route route(String path, boolean prefix, RouteConnections caps) {
    return new Route(path, prefix, List.of(), List.of(), Duration.ZERO, null, TestPolicy.OPEN_ROUTE)
        .withLimits(RouteLimits.NONE, caps);
  }

  private static RouteConnections caps(Integer max, Integer perIp, Integer perSubject, Rate rate, Mode mode) {
    return new RouteConnections(max, perIp, perSubject, rate, mode);
  }

  @Test
  void noRouteSetsACapNoGuard() {
    List<Route> routes = List.of(route("/a", false, RouteConnections.NONE));
    assertNull(RouteConnectionCapGuard.perRoute(routes, counts));
    assertNull(RouteConnectionCapGuard.perIp(routes, counts));
    assertNull(RouteConnectionCapGuard.perSubject(routes, counts));
    assertNull(RouteHandshakeRateGuard.of(routes, backend.uses(), 1000));
  }

  @Test
  void eachRouteCountsItsOwnSessionsAndARouteWithoutACapIsNotCounted() {
    Route a = route("/a", false, caps(null, 1, null, null, Mode.ENFORCE));
    Route prefixA = route("/a", true, caps(null, 1, null, null, Mode.ENFORCE));
    Route b = route("/b", false, RouteConnections.NONE);
    RouteConnectionCapGuard guard = RouteConnectionCapGuard.perIp(List.of(a, prefixA, b), counts);

    assertNotNull(verdict(guard.check(request(a, IP))).release());
    Verdict second = verdict(guard.check(request(a, IP)));
    assertEquals(Reason.ROUTE_IP_CONNECTIONS_EXCEEDED, second.reason());
    assertEquals(1, second.retryAfterSeconds());
    assertNotNull(verdict(guard.check(request(prefixA, IP))).release(), "the prefix route on the same path is another");
    assertTrue(verdict(guard.check(request(a, "192.0.2.2"))).allowed(), "another address");
    Verdict onB = verdict(guard.check(request(b, IP)));
    assertTrue(onB.allowed());
    assertNull(onB.release(), "nothing held for a route without a cap");
    assertEquals(1, counts.count("exact /a ip " + IP));
    assertEquals(1, counts.count("prefix /a ip " + IP));
  }

  @Test
  void theRoutesMaxAnswers503AndAnonymousSessionsAreNotCountedPerSubject() {
    Route a = route("/a", false, caps(1, null, 1, null, Mode.ENFORCE));
    RouteConnectionCapGuard max = RouteConnectionCapGuard.perRoute(List.of(a), counts);
    RouteConnectionCapGuard perSubject = RouteConnectionCapGuard.perSubject(List.of(a), counts);

    assertTrue(verdict(max.check(request(a, IP))).allowed());
    Verdict full = verdict(max.check(request(a, "192.0.2.9")));
    assertEquals(Reason.ROUTE_CONNECTION_CAP, full.reason());
    assertEquals(503, full.reason().code());

    assertNull(verdict(perSubject.check(request(a, IP))).release(), "anonymous: not counted");
    assertNotNull(verdict(perSubject.check(as(request(a, IP), identity("corp", "alice")))).release());
    assertEquals(Reason.ROUTE_SUBJECT_CONNECTIONS_EXCEEDED,
        verdict(perSubject.check(as(request(a, "192.0.2.9"), identity("corp", "alice")))).reason());
    assertTrue(verdict(perSubject.check(as(request(a, IP), identity("corp", "bob")))).allowed());
    assertEquals(1, counts.count("exact /a subject " + new SubjectId("corp", "alice").key()));
  }

  @Test
  void aLaterRefusalGivesTheRouteSlotsBackAndSoDoesTheAdmissionsRelease() {
    Route a = route("/a", false, caps(1, 1, null, null, Mode.ENFORCE));
    List<Route> routes = List.of(a);
    HandshakePipeline pipeline = new HandshakePipeline(List.of(RouteConnectionCapGuard.perIp(routes, counts),
        new OriginGuard(), RouteConnectionCapGuard.perRoute(routes, counts)), (request, reason) -> { });

    Admission admitted = Await.result(pipeline.run(request(a, IP)));
    assertTrue(admitted.admitted());
    assertEquals(2, counts.trackedKeys());
    assertEquals(Reason.ROUTE_IP_CONNECTIONS_EXCEEDED, Await.result(pipeline.run(request(a, IP))).reason());
    assertEquals(Reason.ROUTE_CONNECTION_CAP, Await.result(pipeline.run(request(a, "192.0.2.2"))).reason());
    assertEquals(1, counts.count("exact /a ip " + IP), "the refused one gave its per-IP slot back");
    assertEquals(0, counts.count("exact /a ip 192.0.2.2"));

    admitted.release();
    assertEquals(0, counts.trackedKeys());
  }

  @Test
  void monitorModeIsTheRoutesOwn() {
    Route watched = route("/a", false, caps(1, null, null, null, Mode.MONITOR));
    Route enforced = route("/b", false, caps(1, null, null, null, Mode.ENFORCE));
    RouteConnectionCapGuard guard = RouteConnectionCapGuard.perRoute(List.of(watched, enforced), counts);
    assertEquals(Mode.MONITOR, guard.mode(watched));
    assertEquals(Mode.ENFORCE, guard.mode(enforced));
  }

  @Test
  void aRoutesHandshakeRateIsPerAddressPerRouteAndNamedByTheRoute() {
    Rate twoPerMinute = new Rate(2, Duration.ofMinutes(1), 2);
    Route a = route("/a", false, caps(null, null, null, twoPerMinute, Mode.ENFORCE));
    Route b = route("/b", false, caps(null, null, null, twoPerMinute, Mode.ENFORCE));
    RateLimitBackend.Uses uses = backend.uses();
    RouteHandshakeRateGuard guard = RouteHandshakeRateGuard.of(List.of(a, b), uses, 1000);

    assertTrue(verdict(guard.check(request(a, IP))).allowed());
    assertTrue(verdict(guard.check(request(a, IP))).allowed());
    Verdict third = verdict(guard.check(request(a, IP)));
    assertEquals(Reason.ROUTE_HANDSHAKE_RATE_LIMITED, third.reason());
    assertTrue(third.retryAfterSeconds() >= 1 && third.retryAfterSeconds() <= 60, "" + third.retryAfterSeconds());
    assertTrue(verdict(guard.check(request(a, "192.0.2.2"))).allowed(), "another address");
    assertTrue(verdict(guard.check(request(b, IP))).allowed(), "another route");
    assertEquals(Set.of(new LimiterRegistry.Spec("routes[exact /a].connections.perIp.handshakes", twoPerMinute, 1000),
        new LimiterRegistry.Spec("routes[exact /b].connections.perIp.handshakes", twoPerMinute, 1000)), uses.specs());

    // The next snapshot with the same rule finds the same, spent bucket.
    Route sameAgain = route("/a", false, caps(null, null, null, twoPerMinute, Mode.ENFORCE));
    RouteHandshakeRateGuard next = RouteHandshakeRateGuard.of(List.of(sameAgain), backend.uses(), 1000);
    assertEquals(Reason.ROUTE_HANDSHAKE_RATE_LIMITED, verdict(next.check(request(sameAgain, IP))).reason());
  }
}
