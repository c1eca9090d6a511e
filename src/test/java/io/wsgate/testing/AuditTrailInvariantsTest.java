package io.wsgate.testing;

import io.wsgate.audit.AuditedRequest;
import io.wsgate.Reason;
import io.wsgate.audit.AuditLog;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.AuditSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit half of the wire tests' closing checks, on trails written by the real audit writer. */
class AuditTrailInvariantsTest {
  @TempDir
  Path tmp;

  private Path trail(Consumer<AuditLog> records) {
    Path dir = tmp.resolve("audit");
    AuditLog audit = new AuditLog(new GatewayMetrics(), new AuditSettings(dir, AuditSettings.DEFAULT_ROTATE_BYTES, 64,
        Duration.ofMillis(20), AuditSettings.OnFailure.FAIL_CLOSED, null, null, false));
    records.accept(audit);
    Await.result(audit.close());
    return dir;
  }

  private static AuditedRequest who(String id) {
    return new AuditedRequest(id, "127.0.0.1", null, null, "/chat", "/chat", null, null);
  }

  private static void accepted(AuditLog audit, String id) {
    audit.accepted(who(id), "ws://127.0.0.1:1/", "v1");
  }

  private static void closed(AuditLog audit, String id) {
    audit.closed(who(id), Reason.SHUTDOWN, 1001, 1001, 5, 0, 0, 0, 0);
  }

  @Test
  void aBalancedIntactTrailPasses() {
    Path dir = trail(audit -> {
      accepted(audit, "a");
      accepted(audit, "b");
      audit.rejected(who("c"), Reason.ORIGIN_DENIED);
      closed(audit, "b");
      closed(audit, "a");
    });
    assertEquals(List.of(), AuditTrailInvariants.violations(dir, null));
  }

  @Test
  void aSessionNeverClosedIsReported() {
    Path dir = trail(audit -> {
      accepted(audit, "ghost");
      accepted(audit, "b");
      closed(audit, "b");
    });
    assertEquals(List.of("1 session.accepted with no session.closed (requestId ghost)"),
        AuditTrailInvariants.violations(dir, null));
  }

  @Test
  void aCloseWithoutAnAcceptAndADoubleCloseAreReported() {
    Path dir = trail(audit -> {
      accepted(audit, "a");
      closed(audit, "a");
      closed(audit, "a");
      closed(audit, "stranger");
    });
    assertEquals(List.of("1 more than one session.closed for one session (requestId a)",
        "1 session.closed with no session.accepted (requestId stranger)"), AuditTrailInvariants.violations(dir, null));
  }

  @Test
  void aBrokenChainIsReportedAsAuditVerifyWould() throws Exception {
    Path dir = trail(audit -> {
      accepted(audit, "a");
      closed(audit, "a");
    });
    Path file = Files.list(dir).findFirst().orElseThrow();
    Files.writeString(file, Files.readString(file).replace("\"/chat\"", "\"/admin\""), StandardCharsets.UTF_8);
    List<String> violations = AuditTrailInvariants.violations(dir, null);
    assertEquals(1, violations.size(), violations::toString);
    assertTrue(violations.get(0).startsWith("audit verify: ") && violations.get(0).endsWith(":3: hash mismatch"),
        violations.get(0));
  }

  @Test
  void noTrailAtAllIsReported() {
    assertEquals(List.of("no audit file in " + tmp.resolve("none")),
        AuditTrailInvariants.violations(tmp.resolve("none"), null));
  }
}
