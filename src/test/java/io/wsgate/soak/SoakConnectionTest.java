package io.wsgate.soak;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The soak's per-connection checks really count what they claim to. */
class SoakConnectionTest {
  private final SoakConnection connection = new SoakConnection(7, new DeliveryLatency());

  private void broadcasts(long... seqs) {
    for (long seq : seqs) {
      connection.onText("b " + seq + " " + System.nanoTime());
    }
  }

  @Test
  void consecutiveBroadcastsFromAnyFirstSequenceAreClean() {
    broadcasts(41, 42, 43, 44);
    assertEquals(41, connection.firstSeq);
    assertEquals(4, connection.received);
    assertEquals(0, connection.lost);
    assertEquals(0, connection.reordered);
  }

  @Test
  void aGapCountsEveryMissingBroadcast() {
    broadcasts(1, 2, 5, 6);
    assertEquals(2, connection.lost);
    assertEquals(0, connection.reordered);
  }

  @Test
  void anOlderOrRepeatedBroadcastIsReordered() {
    broadcasts(1, 3, 2, 3);
    assertEquals(1, connection.lost);
    assertEquals(2, connection.reordered);
  }

  @Test
  void echoesMustComeBackInTheOrderSent() {
    connection.onText("e 7 0");
    connection.onText("e 7 2");
    connection.onText("e 7 1");
    assertEquals(3, connection.echoesReceived);
    assertEquals(2, connection.echoesOutOfOrder);
  }

  @Test
  void latencyPercentilesComeFromTheRecordedBuckets() {
    DeliveryLatency latency = new DeliveryLatency();
    latency.start();
    for (int i = 0; i < 99; i++) {
      latency.record(1_000_000);
    }
    latency.record(500_000_000);
    assertEquals(1.1, latency.percentileMs(50), 1e-9);
    assertEquals(1.1, latency.percentileMs(99), 1e-9);
    assertEquals(500.1, latency.percentileMs(100), 1e-9);
  }
}
