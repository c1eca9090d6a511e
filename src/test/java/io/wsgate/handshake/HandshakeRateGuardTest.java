package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.wsgate.handshake.Handshakes.OPEN;
import static io.wsgate.handshake.Handshakes.request;
import static io.wsgate.handshake.Handshakes.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Handshake rates per client address and for the whole gateway, on the real in-process buckets. */
class HandshakeRateGuardTest {
  /** Two at once, then one a minute: a third attempt waits about a minute. */
  private static final Rate TWO_THEN_ONE_A_MINUTE = new Rate(1, Duration.ofMinutes(1), 2);

  private final RateLimitBackend backend = new LocalRateLimitBackend();

  private static ConnectionLimits perIp(Rate rate, Mode mode) {
    return new ConnectionLimits(rate, null, null, null, 1000, mode);
  }

  private static ConnectionLimits global(Rate rate, Mode mode) {
    return new ConnectionLimits(null, null, null, rate, 1000, mode);
  }

  @Test
  void noRateNoGuard() {
    assertNull(HandshakeRateGuard.perIp(ConnectionLimits.NONE, backend.uses()));
    assertNull(HandshakeRateGuard.global(ConnectionLimits.NONE, backend.uses()));
  }

  @Test
  void anAddressOverItsRateIsRefused429WithRetryAfter() {
    HandshakeRateGuard guard = HandshakeRateGuard.perIp(perIp(TWO_THEN_ONE_A_MINUTE, Mode.ENFORCE), backend.uses());

    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.1"))).allowed());
    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.1"))).allowed());
    Verdict third = verdict(guard.check(request(OPEN, "192.0.2.1")));

    assertEquals(Reason.HANDSHAKE_RATE_LIMITED, third.reason());
    assertEquals(429, third.reason().code());
    assertTrue(third.retryAfterSeconds() >= 55 && third.retryAfterSeconds() <= 60,
        "about a minute to the next token, rounded up: " + third.retryAfterSeconds());
  }

  @Test
  void eachAddressHasItsOwnBucket() {
    HandshakeRateGuard guard = HandshakeRateGuard.perIp(perIp(new Rate(1, Duration.ofMinutes(1), 1), Mode.ENFORCE),
        backend.uses());

    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.1"))).allowed());
    assertEquals(Reason.HANDSHAKE_RATE_LIMITED, verdict(guard.check(request(OPEN, "192.0.2.1"))).reason());
    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.2"))).allowed());
    assertTrue(verdict(guard.check(request(OPEN, "2001:db8::1"))).allowed());
  }

  @Test
  void theGlobalRateIsSharedByEveryAddressAndRefuses503WithRetryAfter() {
    HandshakeRateGuard guard = HandshakeRateGuard.global(global(TWO_THEN_ONE_A_MINUTE, Mode.ENFORCE), backend.uses());

    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.1"))).allowed());
    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.2"))).allowed());
    Verdict third = verdict(guard.check(request(OPEN, "192.0.2.3")));

    assertEquals(Reason.GLOBAL_HANDSHAKE_RATE_LIMITED, third.reason());
    assertEquals(503, third.reason().code());
    assertTrue(third.retryAfterSeconds() >= 55 && third.retryAfterSeconds() <= 60, "" + third.retryAfterSeconds());
  }

  @Test
  void perIpAndGlobalBucketsAreApart() {
    ConnectionLimits both = new ConnectionLimits(new Rate(1, Duration.ofMinutes(1), 1), null, null,
        new Rate(1, Duration.ofMinutes(1), 5), 1000, Mode.ENFORCE);
    RateLimitBackend.Uses uses = backend.uses();
    HandshakeRateGuard perIp = HandshakeRateGuard.perIp(both, uses);
    HandshakeRateGuard global = HandshakeRateGuard.global(both, uses);

    assertTrue(verdict(perIp.check(request(OPEN, "192.0.2.1"))).allowed());
    assertTrue(verdict(global.check(request(OPEN, "192.0.2.1"))).allowed(), "the per-IP spend is not the global's");
    assertEquals(2, uses.specs().size());
  }

  @Test
  void theModeIsTheConnectionLimitsForEveryRoute() {
    assertEquals(Mode.MONITOR,
        HandshakeRateGuard.perIp(perIp(TWO_THEN_ONE_A_MINUTE, Mode.MONITOR), backend.uses()).mode(OPEN));
    assertEquals(Mode.ENFORCE,
        HandshakeRateGuard.global(global(TWO_THEN_ONE_A_MINUTE, Mode.ENFORCE), backend.uses()).mode(OPEN));
  }

  @Test
  void theAdmissionCarriesTheRetryAfterOfTheRefusal() {
    HandshakePipeline pipeline = new HandshakePipeline(List.of(
        HandshakeRateGuard.perIp(perIp(new Rate(1, Duration.ofSeconds(30), 1), Mode.ENFORCE), backend.uses())),
        (request, reason) -> { });

    assertTrue(Await.result(pipeline.run(request(OPEN, "192.0.2.1"))).admitted());
    Admission refused = Await.result(pipeline.run(request(OPEN, "192.0.2.1")));

    assertEquals(Reason.HANDSHAKE_RATE_LIMITED, refused.reason());
    assertTrue(refused.retryAfterSeconds() >= 25 && refused.retryAfterSeconds() <= 30, "" + refused.retryAfterSeconds());
  }

  @Test
  void aReloadWithTheSameRuleKeepsTheClientLimited() {
    ConnectionLimits limits = perIp(new Rate(1, Duration.ofMinutes(1), 1), Mode.ENFORCE);
    HandshakeRateGuard before = HandshakeRateGuard.perIp(limits, backend.uses());
    assertTrue(verdict(before.check(request(OPEN, "192.0.2.1"))).allowed());

    HandshakeRateGuard after = HandshakeRateGuard.perIp(limits, backend.uses());
    assertEquals(Reason.HANDSHAKE_RATE_LIMITED, verdict(after.check(request(OPEN, "192.0.2.1"))).reason());

    HandshakeRateGuard changed = HandshakeRateGuard.perIp(perIp(new Rate(2, Duration.ofMinutes(1), 1), Mode.ENFORCE),
        backend.uses());
    assertTrue(verdict(changed.check(request(OPEN, "192.0.2.1"))).allowed(), "a changed rule starts full");
  }
}
