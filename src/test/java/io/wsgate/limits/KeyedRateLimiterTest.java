package io.wsgate.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsgate.policy.Rate;
import io.wsgate.testing.Await;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {
  /** Burst 2, then one per 200 ms. */
  private static final Rate TWO_THEN_SLOW = new Rate(1, Duration.ofMillis(200), 2);

  @Test
  void allowsTheBurstThenSaysHowLongToWaitThenRecovers() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(TWO_THEN_SLOW, 100);

    assertEquals(0, limiter.tryAcquire("10.0.0.1", 1));
    assertEquals(0, limiter.tryAcquire("10.0.0.1", 1));
    long wait = limiter.tryAcquire("10.0.0.1", 1);

    assertTrue(wait > 0 && wait <= Duration.ofMillis(200).toNanos(), "wait " + wait);
    assertEquals(1, RetryAfter.seconds(wait));
    Await.until("the bucket refills", Duration.ofSeconds(5), () -> limiter.tryAcquire("10.0.0.1", 1) == 0);
  }

  @Test
  void keysHaveIndependentBuckets() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(TWO_THEN_SLOW, 100);

    limiter.tryAcquire("a", 2);
    assertTrue(limiter.tryAcquire("a", 1) > 0);
    assertEquals(0, limiter.tryAcquire("b", 2));
  }

  @Test
  void requestLargerThanTheBurstCanNeverSucceed() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(TWO_THEN_SLOW, 100);

    assertEquals(Long.MAX_VALUE, limiter.tryAcquire("a", 3));
    assertEquals(0, limiter.estimatedSize(), "no bucket made for a hopeless request");
    assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("a", 0));
  }

  @Test
  void idleKeysAreForgottenOnceTheirBucketWouldBeFullAgain() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(new Rate(1, Duration.ofMillis(100), 1), 100);
    for (int i = 0; i < 50; i++) {
      limiter.tryAcquire("10.0.0." + i, 1);
    }
    limiter.cleanUp();
    assertEquals(50, limiter.estimatedSize());

    Await.until("idle buckets expire", Duration.ofSeconds(5), () -> {
      limiter.cleanUp();
      return limiter.estimatedSize() == 0;
    });
  }

  @Test
  void rejectsNonPositiveMaxKeys() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KeyedRateLimiter(TWO_THEN_SLOW, 0));
    assertTrue(e.getMessage().contains("maxKeys"), e.getMessage());
  }

  /**
   * A flood from a million distinct addresses (one attempt each, every one of them allowed) must
   * leave at most about maxKeys buckets behind, whatever the rate's period: memory is bounded by
   * configuration, not by the attacker.
   */
  @Test
  void millionDistinctKeysKeepMemoryBounded() {
    int maxKeys = 10_000;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long baseline = retainedHeap(memory);

    // A long period: nothing expires during the test, only the size bound can keep it small.
    KeyedRateLimiter limiter = new KeyedRateLimiter(Rate.of(5, Duration.ofMinutes(10)), maxKeys);
    StringBuilder key = new StringBuilder(16);
    for (int i = 0; i < 1_000_000; i++) {
      key.setLength(0);
      key.append(10).append('.').append((i >>> 16) & 0xff).append('.').append((i >>> 8) & 0xff).append('.')
          .append(i & 0xff);
      assertEquals(0, limiter.tryAcquire(key.toString(), 1));
    }
    limiter.cleanUp();

    assertTrue(limiter.estimatedSize() <= maxKeys, "estimated size " + limiter.estimatedSize());
    long retained = retainedHeap(memory) - baseline;
    Reference.reachabilityFence(limiter);
    assertTrue(retained < 64L * 1024 * 1024, "retained " + retained / 1024 + " KiB for " + maxKeys + " keys");
  }

  private static long retainedHeap(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
