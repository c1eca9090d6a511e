package io.wsgate.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bucket4j.Bucket;
import io.wsgate.policy.Rate;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BucketSpecTest {
  @Test
  void timeToFillIsBurstOverRate() {
    assertEquals(Duration.ofSeconds(2).toNanos(),
        BucketSpec.of(new Rate(5, Duration.ofSeconds(1), 10)).nanosToFill());
    assertEquals(Duration.ofMillis(200).toNanos(), BucketSpec.of(Rate.of(3, Duration.ofMillis(200))).nanosToFill());
    // Rounded up, and never below a millisecond.
    assertEquals(333_333_334L, BucketSpec.of(new Rate(3, Duration.ofSeconds(1), 1)).nanosToFill());
    assertEquals(1_000_000L, BucketSpec.of(new Rate(1_000_000, Duration.ofSeconds(1), 1)).nanosToFill());
    assertEquals(Long.MAX_VALUE, BucketSpec.of(new Rate(1, Duration.ofDays(365 * 100), Long.MAX_VALUE / 2))
        .nanosToFill());
  }

  @Test
  void bucketsStartFullAtTheBurst() {
    Bucket bucket = BucketSpec.of(new Rate(1, Duration.ofMinutes(1), 3)).newConfinedBucket();

    assertTrue(bucket.tryConsume(3));
    assertFalse(bucket.tryConsume(1));
  }

  @Test
  void rateBucket4jCannotRepresentIsRefusedUpFront() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BucketSpec.of(new Rate(2_000_000_000L, Duration.ofSeconds(1), 10)));
    assertTrue(e.getMessage().contains("2000000000"), e.getMessage());
  }
}
