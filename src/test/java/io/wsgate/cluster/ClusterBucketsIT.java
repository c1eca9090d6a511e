package io.wsgate.cluster;

import io.wsgate.limits.BucketSpec;
import io.wsgate.policy.Rate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.wsgate.cluster.ClusterStores.failure;
import static io.wsgate.cluster.ClusterStores.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buckets shared through a real redis-server by two nodes: one budget, bounded waits, and the documented overshoot. */
class ClusterBucketsIT {
  private ClusterStores fleet;

  @BeforeEach
  void start() throws Exception {
    fleet = new ClusterStores();
  }

  @AfterEach
  void close() throws Exception {
    fleet.close();
  }

  @Test
  void twoNodesShareOneHandshakeBudget() throws Exception {
    BucketSpec spec = BucketSpec.of(new Rate(5, Duration.ofMinutes(1), 5));
    ClusterRateLimiter a = buckets("gw-a").rateLimiter("handshake-ip", spec, 1000);
    ClusterRateLimiter b = buckets("gw-b").rateLimiter("handshake-ip", spec, 1000);

    List<Long> waits = new ArrayList<>();
    for (ClusterRateLimiter node : List.of(a, b, a, b, a, b, a)) {
      waits.add(get(node.tryAcquire("192.0.2.7", 1)));
    }
    assertEquals(5, waits.stream().filter(w -> w == 0).count(), "waits: " + waits);
    assertTrue(waits.get(5) > TimeUnit.SECONDS.toNanos(5), "the 6th waits for a refill (12 s per token): " + waits);
    assertEquals(0L, get(a.tryAcquire("198.51.100.1", 1)), "another key has its own bucket");
    assertEquals(Long.MAX_VALUE, get(a.tryAcquire("192.0.2.7", 6)), "more than the burst never succeeds");
    assertEquals("1", fleet.redis.cli("EXISTS", "wsgate:bucket:handshake-ip:192.0.2.7"));
    long ttl = Long.parseLong(fleet.redis.cli("PTTL", "wsgate:bucket:handshake-ip:192.0.2.7"));
    assertTrue(ttl > 0 && ttl <= 70_000, "expires once full again, plus 10 s: " + ttl);
  }

  @Test
  void aHungStoreFailsHandshakeAcquisitionsWithinTheBound() throws Exception {
    ClusterRateLimiter a = buckets("gw-a")
        .rateLimiter("handshake-ip", BucketSpec.of(new Rate(5, Duration.ofSeconds(1), 5)), 1000);
    fleet.redis.freeze();
    try {
      long started = System.nanoTime();
      Throwable failure = failure(a.tryAcquire("192.0.2.7", 1));
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertInstanceOf(StoreUnavailableException.class, failure);
      assertTrue(tookMillis <= 90, "waited " + tookMillis + " ms for a hung store (bound 50 ms)");
    } finally {
      fleet.redis.thaw();
    }
  }

  /**
   * Two nodes hammer one subject's message rate (100/s, burst 100) for 3 s, each as fast as it can;
   * together they may pass at most {@link SyncBound#fleetBound}: 100 + 300 + 2 × 2 × (10 + 8) = 472,
   * where two unshared buckets would pass about 800.
   */
  @Test
  void twoNodesHammeringOneSubjectStayWithinTheDocumentedBound() throws Exception {
    Rate rate = new Rate(100, Duration.ofSeconds(1), 100);
    SyncBound bound = SyncBound.forRate(rate, Duration.ofMillis(100));
    assertEquals(10, bound.maxUnsyncedTokens());
    // This measures the sync bound while Redis answers. On a loaded machine a call can take longer
    // than the 50 ms default, and the node then decides alone (failOpen, tested below): a generous
    // call timeout (under Lettuce's 1 s command timeout) keeps that out of this measurement.
    ClusterMessageLimiter a = buckets("gw-a", Duration.ofMillis(900)).messageLimiter("chat", BucketSpec.of(rate), bound, 1000);
    ClusterMessageLimiter b = buckets("gw-b", Duration.ofMillis(900)).messageLimiter("chat", BucketSpec.of(rate), bound, 1000);

    Duration window = Duration.ofSeconds(3);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      long start = System.nanoTime();
      Future<long[]> fromA = pool.submit(hammer(a, start, window));
      Future<long[]> fromB = pool.submit(hammer(b, start, window));
      long[] ra = fromA.get(30, TimeUnit.SECONDS);
      long[] rb = fromB.get(30, TimeUnit.SECONDS);
      long passed = ra[0] + rb[0];
      long attempts = ra[1] + rb[1];
      long slowestMicros = Math.max(ra[2], rb[2]);
      long limit = bound.fleetBound(rate, window, 2);
      System.out.printf("message rate 100/s burst 100, 2 nodes, %d ms: passed %d of %d attempts (a %d, b %d); "
              + "bound %d, budget without overshoot %d; provisional refused a %d b %d; refused while syncing a %d b %d; local decisions a %d b %d; "
              + "slowest tryConsume %d us%n", window.toMillis(), passed, attempts, ra[0], rb[0], limit, 100 + 300,
          a.provisionalRefusedTotal(), b.provisionalRefusedTotal(), a.refusedWhileSyncingTotal(), b.refusedWhileSyncingTotal(), a.localDecisionsTotal(), b.localDecisionsTotal(),
          slowestMicros);
      assertTrue(attempts > 10 * limit, "the nodes hammered (" + attempts + " attempts)");
      assertTrue(passed <= limit, "passed " + passed + ", documented bound " + limit);
      assertTrue(passed >= 100 + 300 - 2 * 2 * bound.overshootPerNode(),
          "the shared budget is used, not starved: passed " + passed);
      assertEquals(0, a.localDecisionsTotal() + b.localDecisionsTotal(), "Redis was up: no per-node fallback");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void messageDecisionsNeverWaitForAHungStore() throws Exception {
    Rate rate = new Rate(1000, Duration.ofSeconds(1), 1000);
    ClusterMessageLimiter a = buckets("gw-a")
        .messageLimiter("chat", BucketSpec.of(rate), SyncBound.forRate(rate, Duration.ofMillis(100)), 1000);
    assertTrue(a.tryConsume("corp\u001falice"));
    fleet.redis.freeze();
    try {
      long started = System.nanoTime();
      long slowest = 0;
      int passed = 0;
      int attempts = 0;
      while (System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(300)) {
        long before = System.nanoTime();
        passed += a.tryConsume("corp\u001falice") ? 1 : 0;
        slowest = Math.max(slowest, System.nanoTime() - before);
        if (++attempts % 8 == 0) {
          Thread.sleep(0, 200_000);
        }
      }
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(slowest < TimeUnit.MILLISECONDS.toNanos(20), "slowest decision against a hung store: "
          + slowest / 1000 + " us");
      // Before the call timeout: the rest of the synced local allowance and the pending ones; after it: this
      // node's own bucket (burst 1000, 1000/s).
      long ceiling = a.bound().overshootPerNode() + 1000 + tookMillis + 1;
      assertTrue(a.localDecisionsTotal() > 0, "past the call timeout this node's own bucket decides");
      assertTrue(passed > 1000 && passed <= ceiling, "passed " + passed + " of " + attempts + ", at most " + ceiling);
    } finally {
      fleet.redis.thaw();
    }
  }

  private static Callable<long[]> hammer(ClusterMessageLimiter limiter, long start, Duration window) {
    return () -> {
      long passed = 0;
      long attempts = 0;
      long slowest = 0;
      long end = start + window.toNanos();
      long now;
      while ((now = System.nanoTime()) < end) {
        boolean ok = limiter.tryConsume("corp\u001falice");
        if (attempts >= 2000) { // past class loading and the JIT's first compilations
          slowest = Math.max(slowest, System.nanoTime() - now);
        }
        attempts++;
        if (ok) {
          passed++;
        }
        if (attempts % 8 == 0) {
          Thread.sleep(0, 200_000); // about 20k attempts per second per node: far past the rate, sparing the CPU
        }
      }
      return new long[] {passed, attempts, slowest / 1000};
    };
  }

  private ClusterBuckets buckets(String nodeId) throws Exception {
    return buckets(nodeId, null);
  }

  private ClusterBuckets buckets(String nodeId, Duration callTimeout) throws Exception {
    ClusterBuckets buckets = new ClusterBuckets(callTimeout == null ? fleet.node(nodeId) : fleet.node(nodeId, callTimeout));
    buckets.ready().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return buckets;
  }
}
