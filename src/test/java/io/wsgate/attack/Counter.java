package io.wsgate.attack;

import io.wsgate.metrics.GatewayMeters;
import io.wsgate.Reason;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One Prometheus series (or the sum of a selector's series) as the gateway exports it ({@code GatewayMeters.scrape()}, what
 * {@code /metrics} serves), read before an attack so that the test can check it moved by exactly
 * the expected amount.
 */
record Counter(GatewayHarness harness, String series, double before) {

  /** The series that counts {@code reason}: refused handshakes, or sessions ended for it. */
  static Counter of(GatewayHarness harness, Reason reason) {
    return of(harness, reason.kind() == Reason.Kind.HTTP
        ? "wsgate_handshakes_total{outcome=\"rejected\",reason=\"" + reason.tag() + "\"}"
        : "wsgate_sessions_closed_total{reason=\"" + reason.tag() + "\"}");
  }

  /** Messages a {@code drop} rule refused for {@code reason}. */
  static Counter drops(GatewayHarness harness, Reason reason) {
    return of(harness, "wsgate_message_refusals_total{action=\"drop\",reason=\"" + reason.tag() + "\"}");
  }

  static Counter accepted(GatewayHarness harness) {
    return of(harness, "wsgate_handshakes_total{outcome=\"accepted\",reason=\"none\"}");
  }

  static Counter of(GatewayHarness harness, String series) {
    return new Counter(harness, series, value(harness, series));
  }

  void movedBy(long expected) {
    Await.until(series + " moved by " + expected, () -> value(harness, series) >= before + expected);
    assertEquals(before + expected, value(harness, series), series);
  }

  /**
   * The sum of the series the selector matches (a session's close is counted under its route and
   * upstream too); a series that is not (yet) exported reads as 0.
   */
  private static double value(GatewayHarness harness, String series) {
    String text = harness.gateway.services().meters().scrape();
    return new AdminClient.Metrics(text, AdminClient.samples(text)).sum(series);
  }
}
