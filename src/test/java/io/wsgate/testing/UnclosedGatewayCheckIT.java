package io.wsgate.testing;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * A test that forgets to close its gateway fails, and the gateway is stopped for it: runs a fixture
 * test class through the Jupiter engine, with the extensions autodetected as in every test run.
 */
class UnclosedGatewayCheckIT {

  @Test
  void aTestThatLeavesItsGatewayRunningFailsAndTheGatewayIsStopped() {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(LeavesItsGatewayRunning.class))
        .enableImplicitConfigurationParameters(true) // junit-platform.properties, as in every test run
        .execute();

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
    Event failed = results.testEvents().failed().stream().findFirst().orElseThrow();
    assertEquals("forgetsToClose", failed.getTestDescriptor().getLegacyReportingName().replace("()", ""));
    Throwable why = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).orElseThrow();
    assertTrue(why.getMessage().startsWith("the test left 1 gateway(s) running"), why.getMessage());
    assertTrue(why.getMessage().contains(LeavesItsGatewayRunning.class.getName() + ".forgetsToClose"),
        why.getMessage());
    assertNotNull(LeavesItsGatewayRunning.started);
    assertFalse(LeavesItsGatewayRunning.started.gateway().listening(), "stopped by the check");
    assertFalse(StartedGateway.open().contains(LeavesItsGatewayRunning.started));
  }

  /** Run only through the engine above (failsafe runs *IT classes, not their nested classes). */
  static class LeavesItsGatewayRunning {
    static StartedGateway started;

    @Test
    void forgetsToClose() {
      started = StartedGateway.start(TestPolicy.create().route("/chat", "ws://127.0.0.1:9/").build());
    }

    @Test
    void closes() {
      try (StartedGateway closed = StartedGateway.start(TestPolicy.create().route("/chat", "ws://127.0.0.1:9/").build())) {
        assertTrue(closed.gateway().listening());
      }
    }
  }
}
