package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.ConcurrencyLimiter;
import io.wsgate.limits.ConnectionScope;
import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.wsgate.handshake.Handshakes.OPEN;
import static io.wsgate.handshake.Handshakes.as;
import static io.wsgate.handshake.Handshakes.identity;
import static io.wsgate.handshake.Handshakes.request;
import static io.wsgate.handshake.Handshakes.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concurrent sessions per address and per subject of an issuer, on the real in-process counters. */
class ConnectionCapGuardTest {
  private final ConcurrencyLimiter counter = new ConcurrencyLimiter();

  private static ConnectionLimits perIp(int max) {
    return new ConnectionLimits(null, max, null, null, 1000, Mode.ENFORCE);
  }

  private static ConnectionLimits perSubject(int max) {
    return new ConnectionLimits(null, null, max, null, 1000, Mode.ENFORCE);
  }

  private static HandshakeRequest of(String issuer, String subject) {
    return as(request(OPEN, "192.0.2.1"), identity(issuer, subject));
  }

  @Test
  void noCapNoGuard() {
    assertNull(ConnectionCapGuard.perIp(ConnectionLimits.NONE, counter));
    assertNull(ConnectionCapGuard.perSubject(ConnectionLimits.NONE, counter));
  }

  @Test
  void anAddressAtItsCapIsRefused429AndEachAdmissionHoldsASlot() {
    ConnectionCapGuard guard = ConnectionCapGuard.perIp(perIp(2), counter);

    Verdict first = verdict(guard.check(request(OPEN, "192.0.2.1")));
    Verdict second = verdict(guard.check(request(OPEN, "192.0.2.1")));
    Verdict third = verdict(guard.check(request(OPEN, "192.0.2.1")));

    assertNotNull(first.release());
    assertNotNull(second.release());
    assertEquals(Reason.IP_CONNECTIONS_EXCEEDED, third.reason());
    assertEquals(429, third.reason().code());
    assertEquals(1, third.retryAfterSeconds());
    assertNull(third.release());
    assertEquals(2, counter.count("192.0.2.1"));
    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.2"))).allowed(), "other addresses are counted apart");
  }

  @Test
  void aSlotGivenBackLetsTheNextSessionIn() {
    ConnectionCapGuard guard = ConnectionCapGuard.perIp(perIp(1), counter);
    Verdict held = verdict(guard.check(request(OPEN, "192.0.2.1")));
    assertFalse(verdict(guard.check(request(OPEN, "192.0.2.1"))).allowed());

    held.release().run();

    assertEquals(0, counter.count("192.0.2.1"));
    assertEquals(0, counter.trackedKeys(), "a key without sessions is forgotten");
    assertTrue(verdict(guard.check(request(OPEN, "192.0.2.1"))).allowed());
  }

  @Test
  void anAnonymousSessionIsNotCountedPerSubject() {
    ConnectionCapGuard guard = ConnectionCapGuard.perSubject(perSubject(1), counter);

    Verdict anonymous = verdict(guard.check(request(OPEN, "192.0.2.1")));

    assertTrue(anonymous.allowed());
    assertNull(anonymous.release(), "nothing held, nothing to give back");
    assertEquals(0, counter.trackedKeys());
  }

  @Test
  void subjectsAreCountedPerIssuer() {
    ConnectionCapGuard guard = ConnectionCapGuard.perSubject(perSubject(1), counter);

    assertTrue(verdict(guard.check(of("corp", "alice"))).allowed());
    Verdict again = verdict(guard.check(of("corp", "alice")));
    Verdict otherIssuersAlice = verdict(guard.check(of("partner", "alice")));

    assertEquals(Reason.SUBJECT_CONNECTIONS_EXCEEDED, again.reason());
    assertEquals(429, again.reason().code());
    assertTrue(otherIssuersAlice.allowed(), "partner's alice is somebody else");
    assertEquals(1, counter.count(new SubjectId("corp", "alice").key()));
    assertEquals(1, counter.count(new SubjectId("partner", "alice").key()));
    assertEquals(0, counter.count("alice"), "never keyed on the bare subject");
  }

  @Test
  void theModeIsTheConnectionLimitsForEveryRoute() {
    ConnectionLimits monitor = new ConnectionLimits(null, 1, 1, null, 1000, Mode.MONITOR);
    Route other = Handshakes.route("/other", io.wsgate.testing.TestPolicy.OPEN_ROUTE);

    assertEquals(Mode.MONITOR, ConnectionCapGuard.perIp(monitor, counter).mode(OPEN));
    assertEquals(Mode.MONITOR, ConnectionCapGuard.perSubject(monitor, counter).mode(other));
    assertEquals(Mode.ENFORCE, ConnectionCapGuard.perIp(perIp(1), counter).mode(OPEN));
  }

  @Test
  void theSlotTakenByTheHandshakeIsGivenBackWhenALaterGuardRefuses() {
    HandshakeGuard refusing = new HandshakeGuard() {
      @Override
      public Future<Verdict> check(HandshakeRequest request) {
        return Future.succeededFuture(Verdict.deny(Reason.ORIGIN_DENIED));
      }

      @Override
      public Mode mode(Route route) {
        return Mode.ENFORCE;
      }
    };
    HandshakePipeline pipeline = new HandshakePipeline(List.of(ConnectionCapGuard.perIp(perIp(1), counter), refusing),
        (request, reason) -> { });

    assertEquals(Reason.ORIGIN_DENIED, Await.result(pipeline.run(request(OPEN, "192.0.2.1"))).reason());
    assertEquals(0, counter.count("192.0.2.1"));
  }

  @Test
  void theSessionHoldsItsSlotsUntilTheAdmissionIsReleased() {
    LocalRateLimitBackend backend = new LocalRateLimitBackend();
    ConnectionLimits limits = new ConnectionLimits(null, 1, 1, null, 1000, Mode.ENFORCE);
    HandshakePipeline pipeline = new HandshakePipeline(List.of(
        ConnectionCapGuard.perIp(limits, backend.connections(ConnectionScope.PER_IP)),
        ConnectionCapGuard.perSubject(limits, backend.connections(ConnectionScope.PER_SUBJECT))),
        (request, reason) -> { });

    Admission session = Await.result(pipeline.run(of("corp", "alice")));
    assertTrue(session.admitted());
    assertEquals(Reason.IP_CONNECTIONS_EXCEEDED, Await.result(pipeline.run(of("corp", "bob"))).reason());
    assertEquals(1, backend.connections(ConnectionScope.PER_SUBJECT).count(new SubjectId("corp", "alice").key()));

    session.release();

    assertEquals(0, backend.connections(ConnectionScope.PER_IP).count("192.0.2.1"));
    assertEquals(0, backend.connections(ConnectionScope.PER_SUBJECT).trackedKeys());
    assertTrue(Await.result(pipeline.run(of("corp", "alice"))).admitted());
  }
}
