package io.wsgate.cluster;

import io.wsgate.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.wsgate.cluster.ClusterStores.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node heartbeats through a real redis-server: the live list, its contents, and nodes leaving. */
class ClusterNodesIT {
  private ClusterStores fleet;

  @AfterEach
  void close() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void liveNodesListsEachNodesRecordAndItsChanges() throws Exception {
    fleet = new ClusterStores();
    AtomicLong sessionsA = new AtomicLong(2);
    ClusterNodes a = fleet.closeLater(ClusterNodes.start(fleet.node("gw-a"),
        () -> new ClusterNodes.NodeStatus("10.0.0.5:8443", sessionsA.get(), "v1"), Duration.ofMillis(200), Duration.ofSeconds(1)));
    ClusterNodes b = fleet.closeLater(ClusterNodes.start(fleet.node("gw-b"),
        () -> new ClusterNodes.NodeStatus("10.0.0.6:8443", 5, "v2"), Duration.ofMillis(200), Duration.ofSeconds(1)));

    Await.until("both nodes listed", () -> ids(a).equals(List.of("gw-a", "gw-b")));
    List<ClusterNodes.NodeRecord> live = get(b.liveNodes());
    ClusterNodes.NodeRecord first = live.get(0);
    assertEquals("10.0.0.5:8443", first.address());
    assertEquals("v1", first.policyVersion());
    assertTrue(Duration.between(first.lastHeartbeat(), Instant.now()).abs().toMillis() < 2000, first.toString());
    assertTrue(ClusterNodes.policyVersionsDiffer(live), "v1 and v2 differ");

    sessionsA.set(7);
    Await.until("the next heartbeat carries the new session count",
        () -> sessions(b, "gw-a") == 7);
  }

  @Test
  void aSilentNodeDropsOutAfterTheLivenessWindowAndAStoppedOneAtOnce() throws Exception {
    fleet = new ClusterStores();
    ClusterNodes a = ClusterNodes.start(fleet.node("gw-a"), () -> new ClusterNodes.NodeStatus("a:1", 0, "v1"),
        Duration.ofMillis(200), Duration.ofSeconds(1));
    ClusterNodes b = fleet.closeLater(ClusterNodes.start(fleet.node("gw-b"), () -> new ClusterNodes.NodeStatus("b:1", 0, "v1"),
        Duration.ofMillis(200), Duration.ofSeconds(1)));
    ClusterNodes c = ClusterNodes.start(fleet.node("gw-c"), () -> new ClusterNodes.NodeStatus("c:1", 0, "v1"),
        Duration.ofMillis(200), Duration.ofSeconds(1));
    Await.until("three nodes listed", () -> ids(b).size() == 3);
    assertFalse(ClusterNodes.policyVersionsDiffer(get(b.liveNodes())));

    a.stopHeartbeats();
    long silent = System.nanoTime();
    c.close();
    Await.until("gw-c gone at once", Duration.ofMillis(500), () -> !ids(b).contains("gw-c"));
    Await.until("gw-a gone after the liveness window", Duration.ofSeconds(3), () -> !ids(b).contains("gw-a"));
    long goneAfterMillis = (System.nanoTime() - silent) / 1_000_000;
    assertTrue(goneAfterMillis >= 700, "a node listed for the liveness window after its last heartbeat, was " + goneAfterMillis);
    assertEquals(List.of("gw-b"), ids(b));
  }

  private static List<String> ids(ClusterNodes nodes) {
    try {
      return get(nodes.liveNodes()).stream().map(ClusterNodes.NodeRecord::nodeId).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long sessions(ClusterNodes nodes, String nodeId) {
    try {
      return get(nodes.liveNodes()).stream().filter(n -> n.nodeId().equals(nodeId)).findFirst().orElseThrow().sessions();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
