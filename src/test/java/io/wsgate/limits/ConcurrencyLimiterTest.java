package io.wsgate.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {
  @Test
  void allowsUpToMaxThenRefusesUntilOneIsReleased() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter();

    assertTrue(limiter.tryAcquire("10.0.0.1", 2));
    assertTrue(limiter.tryAcquire("10.0.0.1", 2));
    assertFalse(limiter.tryAcquire("10.0.0.1", 2));
    assertTrue(limiter.tryAcquire("10.0.0.2", 2), "other keys are counted apart");

    limiter.release("10.0.0.1");
    assertTrue(limiter.tryAcquire("10.0.0.1", 2));
    assertEquals(2, limiter.count("10.0.0.1"));
  }

  @Test
  void keysWithoutLiveConnectionsAreRemoved() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter();

    limiter.tryAcquire("a", 5);
    limiter.tryAcquire("a", 5);
    limiter.tryAcquire("b", 5);
    assertEquals(2, limiter.trackedKeys());

    limiter.release("a");
    limiter.release("a");
    limiter.release("b");
    assertEquals(0, limiter.trackedKeys());
    assertEquals(0, limiter.count("a"));
  }

  @Test
  void refusedAttemptsLeaveNothingBehind() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter();

    assertFalse(limiter.tryAcquire("a", 0));
    assertEquals(0, limiter.trackedKeys());
  }

  @Test
  void extraReleaseNeverGoesNegative() {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter();

    limiter.release("never-acquired");
    limiter.tryAcquire("a", 1);
    limiter.release("a");
    limiter.release("a");

    assertEquals(0, limiter.trackedKeys());
    assertTrue(limiter.tryAcquire("a", 1));
    assertFalse(limiter.tryAcquire("a", 1));
  }

  @Test
  void concurrentAcquiresNeverExceedMaxAndBalancedReleasesEmptyTheMap() throws Exception {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter();
    int threads = 8;
    int max = 3;
    AtomicInteger live = new AtomicInteger();
    AtomicInteger worst = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 20_000; i++) {
            String key = "k" + (i % 4);
            if (limiter.tryAcquire(key, max)) {
              if (key.equals("k0")) {
                worst.accumulateAndGet(live.incrementAndGet(), Math::max);
                live.decrementAndGet();
              }
              limiter.release(key);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertTrue(worst.get() <= max, "at most " + max + " at once, saw " + worst.get());
    assertEquals(0, limiter.trackedKeys());
  }
}
