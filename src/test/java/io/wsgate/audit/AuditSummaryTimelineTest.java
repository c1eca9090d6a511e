package io.wsgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.testing.Await;
import io.wsgate.testing.Requests;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refusals over time: buckets widen until the span fits the chart, and no refusal is lost doing so. */
class AuditSummaryTimelineTest {
  @TempDir
  Path tmp;

  @Test
  void threeDaysOfRefusalsFitInAtMost48BucketsAndAddUp() throws Exception {
    Path dir = tmp.resolve("audit");
    AuditWriterTest.SetClock clock = new AuditWriterTest.SetClock("2026-11-25T00:00:00Z");
    AuditLog audit = new AuditLog(new GatewayMetrics(), AuditWriterTest.settings(dir, 1 << 20, 8192), clock);
    Instant at = Instant.parse("2026-11-25T00:00:00Z");
    int total = 0;
    for (int minute = 0; minute < 3 * 24 * 60; minute += 7) {
      clock.set(at.plusSeconds(minute * 60L).toString());
      audit.rejected(Requests.refused("r" + minute, "192.0.2.1", "/x"),
          minute % 2 == 0 ? Reason.ROUTE_NOT_FOUND : Reason.ORIGIN_DENIED);
      total++;
    }
    Await.result(audit.close());

    JsonObject over = AuditSummary.of(AuditFileName.collect(List.of(dir)), null, null, 10).toJson()
        .getJsonObject("refusalsOverTime");
    long width = over.getLong("bucketSeconds");
    assertTrue(width > 60 && Long.bitCount(width / 60) == 1, "60 s doubled: " + width);
    assertTrue(over.getJsonArray("buckets").size() <= AuditSummary.MAX_BUCKETS, over.encode());
    long sum = 0;
    for (Object o : over.getJsonArray("buckets")) {
      JsonObject bucket = (JsonObject) o;
      assertEquals(0, Instant.parse(bucket.getString("start")).getEpochSecond() % width, "aligned");
      long parts = bucket.getJsonObject("reasons").stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
      assertEquals(bucket.getLong("count"), parts);
      sum += parts;
    }
    assertEquals(total, sum);
  }
}
