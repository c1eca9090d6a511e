package io.wsgate.cluster;

import io.wsgate.policy.Rate;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncBoundTest {
  private static final Duration PERIOD = Duration.ofMillis(100);

  @Test
  void aSlowRateMayAlwaysHaveEightAsksInFlightAndNoMore() {
    SyncBound bound = SyncBound.forRate(new Rate(20, Duration.ofSeconds(1), 20), PERIOD);
    assertEquals(2, bound.maxUnsyncedTokens());
    for (int asks = 0; asks < 8; asks++) {
      assertTrue(bound.mayAsk(asks, asks, 1), asks + " in flight");
    }
    assertFalse(bound.mayAsk(8, 8, 1));
    assertEquals(2 + 8, bound.overshootPerNode());
  }

  @Test
  void aFastRateMayHaveItsPeriodsWorthInFlightUpToTheAskCap() {
    SyncBound tenThousand = SyncBound.forRate(new Rate(10_000, Duration.ofSeconds(1), 10_000), PERIOD);
    assertTrue(tenThousand.mayAsk(999, 999, 1));
    assertFalse(tenThousand.mayAsk(1000, 1000, 1), "a period's worth is in flight");
    assertEquals(1000 + 1000, tenThousand.overshootPerNode());

    SyncBound million = SyncBound.forRate(new Rate(1_000_000, Duration.ofSeconds(1), 1_000_000), PERIOD);
    assertTrue(million.mayAsk(SyncBound.MAX_PENDING_ASKS - 1, SyncBound.MAX_PENDING_ASKS - 1, 1));
    assertFalse(million.mayAsk(SyncBound.MAX_PENDING_ASKS, SyncBound.MAX_PENDING_ASKS, 1), "each ask holds a future");
    assertEquals(100_000 + SyncBound.MAX_PENDING_ASKS, million.overshootPerNode());
  }

  @Test
  void aByteRateCountsTheBytesInFlightBeyondTheFirstEightMessages() {
    SyncBound bytes = SyncBound.forRate(new Rate(64 * 1024, Duration.ofSeconds(1), 64 * 1024), PERIOD);
    long perPeriod = bytes.maxUnsyncedTokens();
    assertTrue(bytes.mayAsk(7, 7 * 60_000L, 60_000), "eight messages of any size, as for any rate");
    assertFalse(bytes.mayAsk(8, 8 * 10L, perPeriod), "beyond eight, only while the bytes fit the period's worth");
    assertTrue(bytes.mayAsk(8, 8 * 10L, perPeriod - 80));
  }
}
