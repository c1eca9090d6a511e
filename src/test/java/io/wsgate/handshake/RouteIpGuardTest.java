package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.wsgate.handshake.Handshakes.OPEN;
import static io.wsgate.handshake.Handshakes.ipRules;
import static io.wsgate.handshake.Handshakes.live;
import static io.wsgate.handshake.Handshakes.request;
import static io.wsgate.handshake.Handshakes.security;
import static io.wsgate.handshake.Handshakes.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A route's own address rules ({@code routes[].clients}): each route its rules and its mode. */
class RouteIpGuardTest {
  private static final RouteIpGuard GUARD = new RouteIpGuard();
  private static final Route ADMIN = Handshakes.route("/admin", security(
      ipRules(Mode.ENFORCE, List.of("10.0.0.0/8"), "10.9.9.9"), TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS));
  private static final Route TRIAL = Handshakes.route("/trial", security(
      ipRules(Mode.MONITOR, List.of("10.0.0.0/8")), TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS));

  @Test
  void aRouteWithoutRulesAllowsAnyAddressAndEnforcesNothing() {
    assertTrue(verdict(GUARD.check(request(OPEN, "203.0.113.9"))).allowed());
    assertEquals(Mode.ENFORCE, GUARD.mode(OPEN));
    assertNull(GUARD.recheck(live("203.0.113.9", null), OPEN));
  }

  @Test
  void theRoutesRulesAllowAndDeny() {
    assertTrue(verdict(GUARD.check(request(ADMIN, "10.1.1.1"))).allowed());
    assertEquals(Reason.IP_DENIED, verdict(GUARD.check(request(ADMIN, "192.0.2.1"))).reason());
    assertEquals(Reason.IP_DENIED, verdict(GUARD.check(request(ADMIN, "10.9.9.9"))).reason(), "deny wins");
  }

  @Test
  void theModeIsTheRoutes() {
    assertEquals(Mode.ENFORCE, GUARD.mode(ADMIN));
    assertEquals(Mode.MONITOR, GUARD.mode(TRIAL));
  }

  @Test
  void oneGuardEnforcesOnOneRouteAndOnlyReportsOnAnother() {
    List<Reason> reported = new ArrayList<>();
    HandshakePipeline pipeline = new HandshakePipeline(List.of(GUARD), (request, reason) -> reported.add(reason));

    assertEquals(Reason.IP_DENIED, Await.result(pipeline.run(request(ADMIN, "192.0.2.1"))).reason());
    assertEquals(List.of(), reported);
    assertTrue(Await.result(pipeline.run(request(TRIAL, "192.0.2.1"))).admitted());
    assertEquals(List.of(Reason.IP_DENIED), reported);
  }

  @Test
  void recheckJudgesTheLiveClientAgainstTheRouteItIsOn() {
    LiveClient outsider = live("192.0.2.1", null);

    assertEquals(Reason.IP_DENIED, GUARD.recheck(outsider, ADMIN));
    assertEquals(Reason.IP_DENIED, GUARD.recheck(outsider, TRIAL), "the guard says what it sees; the pipeline decides");
    assertNull(GUARD.recheck(outsider, OPEN));
    assertNull(GUARD.recheck(live("10.1.1.1", null), ADMIN));
  }

  @Test
  void throughThePipelineOnlyAnEnforcingRouteClosesALiveSession() {
    HandshakePipeline pipeline = new HandshakePipeline(List.of(GUARD), (request, reason) -> { });
    LiveClient outsider = live("192.0.2.1", null);

    assertEquals(Reason.IP_DENIED, pipeline.recheck(outsider, ADMIN));
    assertNull(pipeline.recheck(outsider, TRIAL));
  }
}
