package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code connections:} and {@code reload:}. */
class ConnectionsPolicyTest extends PolicyTestSupport {
  private static final String HEAD = PLAIN_LISTENER + ONE_ROUTE; // lines 1-8

  @Test
  void everyLimitParses() throws Exception {
    ConnectionLimits c = load(HEAD + "connections:\n"
        + "  perIp: { handshakes: 10/s, burst: 20, max: 100 }\n"
        + "  perSubject: { max: 20 }\n"
        + "  global: { handshakes: 600/m }\n"
        + "  trackedKeys: 5000\n"
        + "  mode: monitor\n").security().connections();
    assertEquals(new ConnectionLimits(new Rate(10, Duration.ofSeconds(1), 20), 100, 20,
        new Rate(600, Duration.ofMinutes(1), 600), 5000, Mode.MONITOR), c);
  }

  @Test
  void absentMeansNoLimitsAndEmptyMeansDefaults() throws Exception {
    assertEquals(ConnectionLimits.NONE, load(HEAD).security().connections());
    assertEquals(new ConnectionLimits(null, null, null, null, 100_000, Mode.ENFORCE),
        load(HEAD + "connections:\n  perIp: {}\n").security().connections());
    assertEquals(new Rate(5, Duration.ofHours(1), 5),
        load(HEAD + "connections:\n  perIp: { handshakes: 5/h }\n").security().connections().handshakesPerIp());
  }

  @Test
  void rateSyntaxErrors() throws Exception {
    assertEquals(List.of(
            "10:24: connections.perIp.handshakes: invalid rate \"10/sec\" (expected N/s, N/m or N/h, e.g. 10/s)",
            "11:25: connections.global.handshakes: must be greater than 0, got \"0/s\"",
            "12:17: connections.perSubject.handshakes: unknown key (expected one of: max)"),
        errors(HEAD + "connections:\n"
            + "  perIp: { handshakes: 10/sec }\n"
            + "  global: { handshakes: 0/s }\n"
            + "  perSubject: { handshakes: 1/s }\n"));
    assertEquals("10:24: connections.perIp.handshakes: invalid rate \"1.5/s\" (expected N/s, N/m or N/h, e.g. 10/s)",
        onlyError(HEAD + "connections:\n  perIp: { handshakes: 1.5/s }\n"));
  }

  @Test
  void burstNeedsItsRate() throws Exception {
    assertEquals(List.of(
            "10:20: connections.global.burst: needs handshakes (a burst belongs to a rate)",
            "11:36: connections.perIp.burst: must be between 1 and 1000000000, got 0"),
        errors(HEAD + "connections:\n  global: { burst: 10 }\n  perIp: { handshakes: 1/s, burst: 0 }\n"));
  }

  @Test
  void boundsOnCountsAndTrackedKeys() throws Exception {
    assertEquals(List.of(
            "10:17: connections.perIp.max: must be between 1 and 10000000, got 0",
            "11:16: connections.trackedKeys: must be between 1000 and 10000000, got 999"),
        errors(HEAD + "connections:\n  perIp: { max: 0 }\n  trackedKeys: 999\n"));
  }

  @Test
  void reloadRecheck() throws Exception {
    assertTrue(load(HEAD + "reload:\n  recheckSessions: true\n").security().recheckOnReload());
    assertFalse(load(HEAD + "reload: {}\n").security().recheckOnReload());
    assertEquals("10:3: reload.recheck: unknown key (expected one of: recheckSessions, removedRoutes, watch)",
        onlyError(HEAD + "reload:\n  recheck: true\n"));
  }

  @Test
  void reloadRemovedRoutes() throws Exception {
    assertTrue(load(HEAD + "reload: {}\n").security().closeRemovedRoutes(), "closed by default");
    assertTrue(load(HEAD + "reload:\n  removedRoutes: close\n").security().closeRemovedRoutes());
    assertFalse(load(HEAD + "reload:\n  removedRoutes: keep\n").security().closeRemovedRoutes());
    assertEquals("10:18: reload.removedRoutes: expected close or keep, got \"drop\"",
        onlyError(HEAD + "reload:\n  removedRoutes: drop\n"));
  }
}
