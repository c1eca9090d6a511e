package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.wsgate.handshake.Handshakes.OPEN;
import static io.wsgate.handshake.Handshakes.ipRules;
import static io.wsgate.handshake.Handshakes.live;
import static io.wsgate.handshake.Handshakes.request;
import static io.wsgate.handshake.Handshakes.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener's address rules ({@code listen.clients}): one set for every route. */
class ListenerIpGuardTest {
  private static final IpRules OFFICE = ipRules(Mode.ENFORCE, List.of("10.0.0.0/8", "2001:db8::/32"), "10.66.0.0/16");

  @Test
  void anAllowedAddressPasses() {
    ListenerIpGuard guard = new ListenerIpGuard(OFFICE);

    assertTrue(verdict(guard.check(request(OPEN, "10.1.2.3"))).allowed());
    assertTrue(verdict(guard.check(request(OPEN, "2001:db8::7"))).allowed());
  }

  @Test
  void anAddressOutsideTheAllowListIsDenied403() {
    Verdict verdict = verdict(new ListenerIpGuard(OFFICE).check(request(OPEN, "192.0.2.1")));

    assertEquals(Reason.IP_DENIED, verdict.reason());
    assertEquals(403, verdict.reason().code());
    assertEquals(0, verdict.retryAfterSeconds());
    assertNull(verdict.release(), "a refusal holds nothing");
  }

  @Test
  void theDenyListWinsOverTheAllowList() {
    assertEquals(Reason.IP_DENIED, verdict(new ListenerIpGuard(OFFICE).check(request(OPEN, "10.66.1.1"))).reason());
  }

  @Test
  void anEmptyAllowListRefusesEveryone() {
    ListenerIpGuard guard = new ListenerIpGuard(ipRules(Mode.ENFORCE, List.of()));

    assertEquals(Reason.IP_DENIED, verdict(guard.check(request(OPEN, "127.0.0.1"))).reason());
    assertEquals(Reason.IP_DENIED, guard.recheck(live("127.0.0.1", null), OPEN));
  }

  @Test
  void theModeIsTheListenersForEveryRoute() {
    Route other = Handshakes.route("/other", io.wsgate.testing.TestPolicy.OPEN_ROUTE);

    assertEquals(Mode.ENFORCE, new ListenerIpGuard(OFFICE).mode(OPEN));
    ListenerIpGuard monitor = new ListenerIpGuard(ipRules(Mode.MONITOR, List.of("10.0.0.0/8")));
    assertEquals(Mode.MONITOR, monitor.mode(OPEN));
    assertEquals(Mode.MONITOR, monitor.mode(other));
  }

  @Test
  void inMonitorModeTheRefusalIsOnlyReported() {
    List<Reason> reported = new ArrayList<>();
    HandshakePipeline pipeline = new HandshakePipeline(List.of(
        new ListenerIpGuard(ipRules(Mode.MONITOR, List.of("10.0.0.0/8")))), (request, reason) -> reported.add(reason));

    assertTrue(Await.result(pipeline.run(request(OPEN, "192.0.2.1"))).admitted());
    assertEquals(List.of(Reason.IP_DENIED), reported);
  }

  @Test
  void recheckJudgesTheLiveClientsAddressAgain() {
    ListenerIpGuard guard = new ListenerIpGuard(OFFICE);

    assertNull(guard.recheck(live("10.1.2.3", null), OPEN));
    assertEquals(Reason.IP_DENIED, guard.recheck(live("10.66.0.9", null), OPEN));
    assertEquals(Reason.IP_DENIED, guard.recheck(live("192.0.2.1", null), OPEN));
  }

  @Test
  void aMonitoredRefusalClosesNoLiveSession() {
    HandshakePipeline pipeline = new HandshakePipeline(List.of(
        new ListenerIpGuard(ipRules(Mode.MONITOR, List.of("10.0.0.0/8")))), (request, reason) -> { });

    assertNull(pipeline.recheck(live("192.0.2.1", null), OPEN));
    assertEquals(Reason.IP_DENIED, new HandshakePipeline(List.of(new ListenerIpGuard(OFFICE)), (r, reason) -> { })
        .recheck(live("192.0.2.1", null), OPEN));
  }
}
