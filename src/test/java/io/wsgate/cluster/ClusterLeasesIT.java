package io.wsgate.cluster;

import io.wsgate.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.wsgate.cluster.ClusterStores.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection caps across two nodes (two stores with their own node ids) on one real redis-server. */
class ClusterLeasesIT {
  private ClusterStores fleet;

  @AfterEach
  void close() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void aCapOfThreeAllowsExactlyThreeAcrossTwoNodesAndAReleaseFreesOne() throws Exception {
    fleet = new ClusterStores();
    ClusterLeases a = fleet.closeLater(new ClusterLeases(fleet.node("gw-a"), Duration.ofSeconds(5)));
    ClusterLeases b = fleet.closeLater(new ClusterLeases(fleet.node("gw-b"), Duration.ofSeconds(5)));
    String key = "subject:dev\u001falice";

    List<Optional<ClusterLeases.Lease>> taken = new ArrayList<>();
    for (ClusterLeases node : List.of(a, b, a, b, a, b)) {
      taken.add(get(node.tryAcquire(key, 3)));
    }
    assertEquals(3, taken.stream().filter(Optional::isPresent).count(), "granted: " + taken);
    assertEquals(3L, get(a.count(key)));
    assertEquals(List.of(true, true, true, false, false, false), taken.stream().map(Optional::isPresent).toList());
    assertTrue(taken.get(0).orElseThrow().member().startsWith("gw-a:"), taken.get(0).orElseThrow().member());
    assertTrue(taken.get(1).orElseThrow().member().startsWith("gw-b:"), taken.get(1).orElseThrow().member());

    get(taken.get(1).orElseThrow().release());
    get(taken.get(1).orElseThrow().release()); // a second release changes nothing
    assertEquals(2L, get(b.count(key)));
    assertTrue(get(a.tryAcquire(key, 3)).isPresent(), "the released slot is free again, for any node");
    assertFalse(get(b.tryAcquire(key, 3)).isPresent());
    assertEquals(3, a.held() + b.held());
  }

  @Test
  void renewalKeepsLeasesBeyondTheirTtl() throws Exception {
    fleet = new ClusterStores();
    Duration ttl = Duration.ofMillis(600);
    ClusterLeases a = fleet.closeLater(new ClusterLeases(fleet.node("gw-a"), ttl));
    ClusterLeases b = fleet.closeLater(new ClusterLeases(fleet.node("gw-b"), ttl));
    assertTrue(get(a.tryAcquire("global", 1)).isPresent());
    long until = System.nanoTime() + 4 * ttl.toNanos();
    while (System.nanoTime() < until) {
      assertEquals(1L, get(b.count("global")), "a renewed lease keeps counting");
      assertFalse(get(b.tryAcquire("global", 1)).isPresent());
      Thread.sleep(50); // sampling the count over four TTLs: the thing under test is that it does not change
    }
    assertEquals(0, a.lostTotal());
  }

  @Test
  void aNodeThatStopsRenewingFreesItsSlotsWithinTheTtl() throws Exception {
    fleet = new ClusterStores();
    Duration ttl = Duration.ofMillis(900);
    RedisStore storeA = fleet.node("gw-a");
    ClusterLeases a = new ClusterLeases(storeA, ttl);
    ClusterLeases b = fleet.closeLater(new ClusterLeases(fleet.node("gw-b"), ttl));
    for (int i = 0; i < 3; i++) {
      assertTrue(get(a.tryAcquire("ip:192.0.2.7", 3)).isPresent());
    }
    assertFalse(get(b.tryAcquire("ip:192.0.2.7", 3)).isPresent());

    // As kill -9: no release, no renewal, the connection gone.
    a.close();
    storeA.close();
    long died = System.nanoTime();
    Await.until("gw-b gets a slot once gw-a's leases expire", Duration.ofSeconds(5),
        () -> uncheckedAcquire(b, "ip:192.0.2.7", 3));
    long freedAfterMillis = (System.nanoTime() - died) / 1_000_000;
    assertTrue(freedAfterMillis <= ttl.toMillis() + 200, "freed after " + freedAfterMillis + " ms, ttl " + ttl);
    assertEquals(1L, get(b.count("ip:192.0.2.7")));
  }

  @Test
  void aLeaseLostWhileRedisRestartedEmptyIsPutBackByTheNextRenewal() throws Exception {
    fleet = new ClusterStores();
    RedisStore store = fleet.node("gw-a");
    ClusterLeases a = fleet.closeLater(new ClusterLeases(store, Duration.ofMillis(600)));
    assertTrue(get(a.tryAcquire("global", 10)).isPresent());
    fleet.redis.stop();
    Await.until("store down", () -> !store.health().isUp());
    fleet.redis.restart();
    Await.until("store up", Duration.ofSeconds(10), store.health()::isUp);
    Await.until("the live lease is counted again", Duration.ofSeconds(5), () -> uncheckedCount(a, "global") == 1L);
    assertEquals(1, a.lostTotal());
  }

  private static boolean uncheckedAcquire(ClusterLeases leases, String key, int max) {
    try {
      return get(leases.tryAcquire(key, max)).isPresent();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long uncheckedCount(ClusterLeases leases, String key) {
    try {
      return get(leases.count(key));
    } catch (Exception e) {
      return -1;
    }
  }
}
