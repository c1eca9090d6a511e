package io.wsgate.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every in-JVM gateway a test starts goes through {@link StartedGateway}, whose close checks that it
 * left nothing behind: a test that called {@code Gateway.start} itself would skip those checks.
 */
class GatewayStartsInOnePlaceTest {
  private static final Path TEST_SOURCES = Path.of("src", "test", "java");
  private static final Path THE_PLACE = TEST_SOURCES.resolve(Path.of("io", "wsgate", "testing", "StartedGateway.java"));
  /** This file, whose examples below are calls only in a string. */
  private static final Path THIS_TEST = TEST_SOURCES.resolve(Path.of("io", "wsgate", "testing",
      GatewayStartsInOnePlaceTest.class.getSimpleName() + ".java"));
  /**
   * Tests whose gateway runs in a child JVM of its own (an embedding application's main), checked by
   * what the child process does, not by this JVM's invariants.
   */
  private static final List<Path> CHILD_PROCESSES = List.of(TEST_SOURCES.resolve(Path.of("io", "wsgate",
      "TlsRenegotiationIT.java")));
  /** {@code Gateway.start(}, qualified or not, or {@code Gateway::start}; not {@code StartedGateway.start(}. */
  private static final Pattern START = Pattern.compile("(?<![\\w$])Gateway\\s*(\\.\\s*start\\s*\\(|::\\s*start\\b)");

  @Test
  void onlyStartedGatewayCallsGatewayStart() throws IOException {
    List<Path> callers;
    try (Stream<Path> files = Files.walk(TEST_SOURCES)) {
      callers = files.filter(p -> p.toString().endsWith(".java") && !p.equals(THIS_TEST) && !CHILD_PROCESSES.contains(p))
          .filter(GatewayStartsInOnePlaceTest::callsStart).toList();
    }
    assertEquals(List.of(THE_PLACE), callers,
        "start gateways in tests with StartedGateway.start(...) or new GatewayHarness(...)");
  }

  @Test
  void thePatternTellsTheCallsApart() {
    assertTrue(START.matcher("Gateway g = Await.result(Gateway.start(policy));").find());
    assertTrue(START.matcher("io.wsgate.Gateway.start(policy)").find());
    assertTrue(START.matcher("Gateway .start (policy)").find());
    assertTrue(START.matcher("policies.map(Gateway::start)").find());
    assertTrue(!START.matcher("StartedGateway.start(policy)").find());
    assertTrue(!START.matcher("gateway.stop(); Gateway.startsWith").find());
  }

  private static boolean callsStart(Path file) {
    try {
      return START.matcher(Files.readString(file)).find();
    } catch (IOException e) {
      throw new AssertionError(file + ": " + e, e);
    }
  }
}
