package io.wsgate.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RetryAfterTest {
  @Test
  void roundsUpToWholeSecondsAndNeverAnswersZero() {
    assertEquals(1, RetryAfter.seconds(0));
    assertEquals(1, RetryAfter.seconds(-5));
    assertEquals(1, RetryAfter.seconds(1));
    assertEquals(1, RetryAfter.seconds(1_000_000_000L));
    assertEquals(2, RetryAfter.seconds(1_000_000_001L));
    assertEquals(3, RetryAfter.seconds(2_500_000_000L));
    assertEquals(Long.MAX_VALUE / 1_000_000_000L + 1, RetryAfter.seconds(Long.MAX_VALUE));
  }
}
