package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code routes[].limits} and {@code routes[].connections}: what loads, what is inherited, the precise refusals. */
class RouteLimitsPolicyTest extends PolicyTestSupport {
  /** Lines 1-8; what a test appends continues the route (line 9 on). */
  private static final String HEAD = PLAIN_LISTENER + ONE_ROUTE;

  private Route route(String yaml) throws Exception {
    return load(yaml).routes().get(0);
  }

  @Test
  void everyRouteLimitParsesAndOverridesOnlyWhatItSets() throws Exception {
    GatewayPolicy p = load(HEAD
        + "    limits: { maxMessageBytes: 1KiB, idleTimeout: 30s, maxLifetime: 1h, pingInterval: 5s, sendTimeout: 2s }\n"
        + "  - path: /other\n    upstreams: [demo]\n" + OPEN
        + "    limits: { idleTimeout: 10s }\n"
        + "limits: { maxMessageBytes: 4KiB, idleTimeout: 1m, sendTimeout: 9s }\n");
    Route first = p.routes().get(0);
    assertEquals(new RouteLimits(1024, Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(5),
        Duration.ofSeconds(2)), first.limits());
    assertEquals(1024, first.limits().maxMessageBytes(p.startup().maxMessageBytes()));
    Limits effective = p.routes().get(1).limits().over(p.limits());
    assertEquals(Duration.ofSeconds(10), effective.idleTimeout());
    assertEquals(Duration.ofSeconds(9), effective.sendTimeout(), "unset: the global value");
    assertEquals(p.limits().maxLifetime(), effective.maxLifetime());
    assertEquals(p.limits().pingInterval(), effective.pingInterval());
    assertEquals(4096, p.routes().get(1).limits().maxMessageBytes(p.startup().maxMessageBytes()));
  }

  @Test
  void aRouteWithoutLimitsOrConnectionsBehavesAsBefore() throws Exception {
    GatewayPolicy p = load(HEAD + "    limits: {}\n    connections: {}\n");
    Route r = p.routes().get(0);
    assertEquals(RouteLimits.NONE, r.limits());
    assertSame(p.limits(), r.limits().over(p.limits()));
    assertEquals(RouteConnections.NONE, r.connections());
    assertEquals(RouteConnections.NONE, route(HEAD).connections());
    assertEquals(RouteLimits.NONE, route(HEAD).limits());
  }

  @Test
  void everyRouteConnectionCapParses() throws Exception {
    assertEquals(new RouteConnections(50, 2, 3, new Rate(10, Duration.ofSeconds(1), 20), Mode.MONITOR),
        route(HEAD + "    connections:\n"
            + "      max: 50\n"
            + "      perIp: { max: 2, handshakes: 10/s, burst: 20 }\n"
            + "      perSubject: { max: 3 }\n"
            + "      mode: monitor\n").connections());
    assertEquals(new RouteConnections(null, null, null, new Rate(5, Duration.ofMinutes(1), 5), Mode.ENFORCE),
        route(HEAD + "    connections: { perIp: { handshakes: 5/m } }\n").connections());
  }

  @Test
  void routeMaxMessageBytesMayNotExceedTheGlobalOne() throws Exception {
    assertEquals("9:32: routes[0].limits.maxMessageBytes: must be at most limits.maxMessageBytes, "
            + "65536 bytes (64KiB), got 131072 bytes (128KiB)",
        onlyError(HEAD + "    limits: { maxMessageBytes: 128KiB }\n"));
    assertEquals("9:32: routes[0].limits.maxMessageBytes: must be at most limits.maxMessageBytes, "
            + "1024 bytes (1KiB), got 2048 bytes (2KiB)",
        onlyError(HEAD + "    limits: { maxMessageBytes: 2KiB }\nlimits: { maxMessageBytes: 1KiB }\n"));
    assertEquals(2048, route(HEAD + "    limits: { maxMessageBytes: 2KiB }\nlimits: { maxMessageBytes: 2KiB }\n")
        .limits().maxMessageBytes().intValue(), "equal to the global one is allowed");
  }

  @Test
  void routeLimitValuesAreCheckedLikeTheGlobalOnes() throws Exception {
    assertEquals(List.of(
            "10:24: routes[0].limits.maxMessageBytes: must be between 1 byte and 67108864 bytes (64MiB), got \"0\"",
            "11:20: routes[0].limits.idleTimeout: must be greater than 0",
            "12:20: routes[0].limits.maxLifetime: invalid duration \"soon\" "
                + "(expected a number followed by ms, s, m, h or d, e.g. 30s)",
            "13:21: routes[0].limits.pingInterval: must be greater than 0",
            "14:20: routes[0].limits.sendTimeout: expected a string, got a mapping"),
        errors(HEAD + "    limits:\n"
            + "      maxMessageBytes: 0\n"
            + "      idleTimeout: 0s\n"
            + "      maxLifetime: soon\n"
            + "      pingInterval: 0ms\n"
            + "      sendTimeout: { a: 1 }\n"));
    assertEquals("9:13: routes[0].limits: expected a mapping, got \"small\"",
        onlyError(HEAD + "    limits: small\n"));
  }

  @Test
  void globalOnlyLimitsAreUnknownKeysOnARoute() throws Exception {
    String expected = " (expected one of: maxMessageBytes, idleTimeout, maxLifetime, pingInterval, sendTimeout)";
    assertEquals(List.of(
            "10:7: routes[0].limits.maxConnections: unknown key" + expected,
            "11:7: routes[0].limits.handshakeTimeout: unknown key" + expected,
            "12:7: routes[0].limits.maxControlFramesPerSecond: unknown key" + expected),
        errors(HEAD + "    limits:\n"
            + "      maxConnections: 10\n"
            + "      handshakeTimeout: 1s\n"
            + "      maxControlFramesPerSecond: 5\n"));
  }

  @Test
  void routeConnectionErrors() throws Exception {
    assertEquals(List.of(
            "10:12: routes[0].connections.max: must be between 1 and 10000000, got 0",
            "11:21: routes[0].connections.perIp.max: must be between 1 and 10000000, got -1",
            "12:26: routes[0].connections.perSubject.max: must be between 1 and 10000000, got 0",
            "13:13: routes[0].connections.mode: expected enforce or monitor, got \"warn\"",
            "14:7: routes[0].connections.global: unknown key (expected one of: max, perIp, perSubject, mode)",
            "15:7: routes[0].connections.trackedKeys: unknown key (expected one of: max, perIp, perSubject, mode)"),
        errors(HEAD + "    connections:\n"
            + "      max: 0\n"
            + "      perIp: { max: -1 }\n"
            + "      perSubject: { max: 0 }\n"
            + "      mode: warn\n"
            + "      global: { handshakes: 1/s }\n"
            + "      trackedKeys: 5000\n"));
  }

  @Test
  void routeHandshakeRateErrors() throws Exception {
    assertEquals(List.of(
            "9:41: routes[0].connections.perIp.handshakes: invalid rate \"1/fortnight\" "
                + "(expected N/s, N/m or N/h, e.g. 10/s)",
            "14:36: routes[1].connections.perIp.burst: needs handshakes (a burst belongs to a rate)"),
        errors(HEAD + "    connections: { perIp: { handshakes: 1/fortnight } }\n"
            + "  - path: /b\n    upstreams: [demo]\n" + OPEN
            + "    connections: { perIp: { burst: 5 } }\n"));
  }

  @Test
  void everyRouteDurationMustBePositive() throws Exception {
    for (String key : List.of("idleTimeout", "maxLifetime", "pingInterval", "sendTimeout")) {
      assertEquals("9:" + (17 + key.length()) + ": routes[0].limits." + key + ": must be greater than 0",
          onlyError(HEAD + "    limits: { " + key + ": 0s }\n"), key);
    }
  }

  @Test
  void routeBurstBoundsAndAConnectionsValueThatIsNoMapping() throws Exception {
    assertEquals("9:53: routes[0].connections.perIp.burst: must be between 1 and 1000000000, got 0",
        onlyError(HEAD + "    connections: { perIp: { handshakes: 1/s, burst: 0 } }\n"));
    assertEquals("9:18: routes[0].connections: expected a mapping, got \"5\"",
        onlyError(HEAD + "    connections: 5\n"));
  }
}
