package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A route's {@code balance}, {@code hashOn}, {@code healthCheck} and {@code slowStart}. */
class BalancingPolicyTest extends PolicyTestSupport {
  /** Lines 1-7: a listener, issuer {@code dev}, and a route whose balancing lines follow (line 8 on). */
  private static final String HEAD = PLAIN_LISTENER
      + "issuers:\n"
      + "  dev: { issuer: https://idp/, audiences: [a], algorithms: [RS256], keys: { jwksUrl: https://idp/jwks } }\n"
      + "routes:\n  - path: /chat\n    upstreams: [ws://10.0.0.1:9000, ws://10.0.0.2:9000]\n"
      + "    origins: { allow: ['*'] }\n";
  private static final String TOKEN = "    auth: { issuers: [dev] }\n";
  private static final String ANONYMOUS = "    auth: { anonymous: true }\n";

  private Balancing balancing(String lines) throws Exception {
    return load(HEAD + TOKEN + lines).routes().get(0).balancing();
  }

  @Test
  void aRouteWithoutBalancingKeysIsRoundRobinWithoutChecks() throws Exception {
    assertEquals(Balancing.DEFAULT, balancing(""));
    assertEquals(new Balancing(Balancing.Strategy.ROUND_ROBIN, null, null, Duration.ZERO), Balancing.DEFAULT);
  }

  @Test
  void everyKeyIsRead() throws Exception {
    assertEquals(new Balancing(Balancing.Strategy.LEAST_CONNECTIONS, null,
            new Balancing.HealthCheck(Balancing.HealthCheck.Type.HTTP, "/healthz?deep=1", Duration.ofSeconds(5),
                Duration.ofMillis(500), 2, 3), Duration.ofSeconds(30)),
        balancing("    balance: leastConnections\n    slowStart: 30s\n    healthCheck: { type: http, path: \"/healthz?deep=1\","
            + " interval: 5s, timeout: 500ms, healthyAfter: 2, unhealthyAfter: 3 }\n"));
    assertEquals(new Balancing(Balancing.Strategy.HASH, Balancing.HashKey.SUBJECT, null, Duration.ZERO),
        balancing("    balance: hash\n    hashOn: subject\n"));
    assertEquals(Balancing.HashKey.CLIENT_IP, load(HEAD + ANONYMOUS + "    balance: hash\n    hashOn: clientIp\n")
        .routes().get(0).balancing().hashOn());
  }

  @Test
  void healthCheckDefaults() throws Exception {
    assertEquals(new Balancing.HealthCheck(Balancing.HealthCheck.Type.WEBSOCKET, "/", Duration.ofSeconds(10),
        Duration.ofSeconds(2), 1, 2), balancing("    healthCheck: {}\n").healthCheck());
    assertNull(balancing("    slowStart: 10s\n").healthCheck());
  }

  @Test
  void badValuesAreRefusedPrecisely() throws Exception {
    assertEquals("11:14: routes[0].balance: expected one of: roundRobin, leastConnections, hash, got \"random\"",
        onlyError(HEAD + TOKEN + "    balance: random\n"));
    assertEquals("7:5: routes[0].hashOn: required with balance: hash (subject or clientIp)",
        onlyError(HEAD + TOKEN + "    balance: hash\n"));
    assertEquals("12:13: routes[0].hashOn: expected subject or clientIp, got \"cookie\"",
        onlyError(HEAD + TOKEN + "    balance: hash\n    hashOn: cookie\n"));
    assertEquals("11:13: routes[0].hashOn: only applies to balance: hash",
        onlyError(HEAD + TOKEN + "    hashOn: subject\n"));
    assertEquals("12:13: routes[0].hashOn: subject needs a verified token, and this route is anonymous"
            + " (auth.anonymous: true); use clientIp",
        onlyError(HEAD + ANONYMOUS + "    balance: hash\n    hashOn: subject\n"));
    assertEquals("13:16: routes[0].slowStart: does not apply to balance: hash (a member's own keys return to it at once)",
        onlyError(HEAD + TOKEN + "    balance: hash\n    hashOn: subject\n    slowStart: 30s\n"));
    assertEquals("11:16: routes[0].slowStart: must be at most 1h, got 2h", onlyError(HEAD + TOKEN + "    slowStart: 2h\n"));
  }

  @Test
  void badHealthChecksAreRefusedPrecisely() throws Exception {
    assertEquals("11:26: routes[0].healthCheck.type: expected websocket or http, got \"tcp\"",
        onlyError(HEAD + TOKEN + "    healthCheck: { type: tcp }\n"));
    assertEquals("11:26: routes[0].healthCheck.path: must start with \"/\" and hold no whitespace, control characters"
        + " or \"#\", got \"health\"", onlyError(HEAD + TOKEN + "    healthCheck: { path: health }\n"));
    assertEquals("11:30: routes[0].healthCheck.interval: must be at least 100ms, got 50ms",
        onlyError(HEAD + TOKEN + "    healthCheck: { interval: 50ms }\n"));
    assertEquals("11:43: routes[0].healthCheck.timeout: timeout (5s) must not exceed interval (1s)",
        onlyError(HEAD + TOKEN + "    healthCheck: { interval: 1s, timeout: 5s }\n"));
    assertEquals("11:34: routes[0].healthCheck.healthyAfter: must be between 1 and 100, got 0",
        onlyError(HEAD + TOKEN + "    healthCheck: { healthyAfter: 0 }\n"));
    assertEquals("11:20: routes[0].healthCheck.bogus: unknown key (expected one of: type, path, interval, timeout,"
        + " healthyAfter, unhealthyAfter)", onlyError(HEAD + TOKEN + "    healthCheck: { bogus: 1 }\n"));
  }
}
