package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code probes:} (off when absent, loopback:8081 by default) and {@code shutdown.readinessGrace}. */
class ProbesPolicyTest extends PolicyTestSupport {
  private static final String HEAD = PLAIN_LISTENER + ONE_ROUTE; // lines 1-8; listen 0.0.0.0:8443

  @Test
  void absentOrEmptyValueMeansNoProbesListener() throws Exception {
    assertEquals(ProbeSettings.DISABLED, load(HEAD).startup().probes());
    assertEquals(ProbeSettings.DISABLED, load(HEAD + "probes:\n").startup().probes());
  }

  @Test
  void presentMeansLoopback8081UnlessItSaysOtherwise() throws Exception {
    assertEquals(new ProbeSettings(true, "127.0.0.1", 8081), load(HEAD + "probes: {}\n").startup().probes());
    assertEquals(new ProbeSettings(true, "0.0.0.0", 0), load(HEAD + "probes: { host: 0.0.0.0, port: 0 }\n")
        .startup().probes());
  }

  @Test
  void badValuesAreErrorsNamingTheField() throws Exception {
    assertEquals("9:32: probes.port: must be between 0 and 65535, got 70000",
        onlyError(HEAD + "probes: { host: 0.0.0.0, port: 70000 }\n"));
    assertEquals("9:17: probes.host: invalid host \"a b\"", onlyError(HEAD + "probes: { host: \"a b\" }\n"));
    assertEquals("9:11: probes.path: unknown key (expected one of: host, port)",
        onlyError(HEAD + "probes: { path: /healthz }\n"));
  }

  @Test
  void aPortAnotherListenerBindsOnAnOverlappingAddressIsAnError() throws Exception {
    // listen binds 0.0.0.0:8443, so 8443 collides on any address.
    assertEquals("9:17: probes.port: port 8443 is listen.port too (choose another port)",
        onlyError(HEAD + "probes: { port: 8443 }\n"));
    assertEquals("10:32: probes.port: port 9090 is admin.port too (choose another port)",
        onlyError(HEAD + "admin: { port: 9090 }\nprobes: { host: 0.0.0.0, port: 9090 }\n"));
    // Different loopback addresses, or a disabled admin listener, do not collide.
    assertEquals(new ProbeSettings(true, "127.0.0.2", 9090),
        load(HEAD + "admin: { port: 9090 }\nprobes: { host: 127.0.0.2, port: 9090 }\n").startup().probes());
    assertEquals(9090, load(HEAD + "admin: { enabled: false }\nprobes: { port: 9090 }\n").startup().probes().port());
  }

  @Test
  void aReloadThatChangesTheProbesListenerIsRefused() throws Exception {
    StartupSettings before = load(HEAD + "probes: { port: 8081 }\n").startup();
    StartupSettings after = load(HEAD + "probes: { port: 8082 }\n").startup();
    assertEquals(List.of("probes"), before.differences(after));
    assertEquals(List.of(), before.differences(load(HEAD + "probes: { port: 8081 }\n# edited\n").startup()));
  }

  @Test
  void readinessGraceDefaultsToZeroAndIsBounded() throws Exception {
    assertEquals(Duration.ZERO, load(HEAD).shutdown().readinessGrace());
    Shutdown shutdown = load(HEAD + "shutdown: { readinessGrace: 5s, drainTimeout: 20s }\n").shutdown();
    assertEquals(Duration.ofSeconds(5), shutdown.readinessGrace());
    assertEquals(Duration.ofSeconds(25), shutdown.longest(), "the grace, then the drain");
    assertEquals("9:29: shutdown.readinessGrace: must be at most 10m, got 11m",
        onlyError(HEAD + "shutdown: { readinessGrace: 11m }\n"));
    assertEquals("9:29: shutdown.readinessGrace: invalid duration \"5\" (expected a number followed by ms, s, m, h or d, e.g. 30s)",
        onlyError(HEAD + "shutdown: { readinessGrace: 5 }\n"));
  }
}
