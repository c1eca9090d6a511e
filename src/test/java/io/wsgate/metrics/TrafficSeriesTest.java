package io.wsgate.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrafficSeriesTest {
  private static final long MINUTE = 60_000_000_000L;

  @Test
  void pairsBeyondTheCapAreCountedAsOther() {
    TrafficSeries series = new TrafficSeries();
    for (int i = 0; i < TrafficSeries.MAX_PAIRS; i++) {
      assertEquals("/r" + i, series.open("/r" + i, "ws://u/").route);
    }
    assertEquals(TrafficSeries.MAX_PAIRS, series.all().size(), "no \"other\" before it is needed");
    RouteTraffic beyond = series.open("/one-too-many", "ws://u/");
    assertEquals(TrafficSeries.OTHER, beyond.route);
    assertEquals(TrafficSeries.OTHER, beyond.upstream);
    assertSame(beyond, series.open("/and-another", "ws://v/"));
    assertEquals(2, beyond.active.sum());
    assertEquals(TrafficSeries.MAX_PAIRS + 1, series.all().size());
    assertSame(series.open("/r7", "ws://u/"), series.open("/r7", "ws://u/"), "an existing pair is still used");
  }

  @Test
  void configuredPairsExistAtZeroWithinTheCap() {
    TrafficSeries series = new TrafficSeries();
    Map<String, List<String>> many = IntStream.range(0, TrafficSeries.MAX_PAIRS + 20).boxed()
        .collect(Collectors.toMap(i -> "/r" + i, i -> List.of("ws://u/")));
    series.sync(many, 0);
    assertEquals(TrafficSeries.MAX_PAIRS, series.all().size());
    assertTrue(series.all().stream().allMatch(t -> t.active.sum() == 0));
  }

  @Test
  void aRemovedRouteIsDroppedOnlyAfterRetentionWithNoLiveSession() {
    TrafficSeries series = new TrafficSeries();
    Map<String, List<String>> before = Map.of("/gone", List.of("ws://u/"), "/kept", List.of("ws://u/"));
    series.sync(before, 0);
    RouteTraffic gone = series.open("/gone", "ws://u/");
    Map<String, List<String>> after = Map.of("/kept", List.of("ws://u/"));

    long reload = 5 * MINUTE;
    assertEquals(List.of(), series.sync(after, reload), "kept while it has a live session");
    assertEquals(List.of(), series.sync(after, reload + 20 * MINUTE), "still live");
    gone.closed(null);
    assertEquals(List.of(gone), series.sync(after, reload + 20 * MINUTE));
    assertFalse(series.all().contains(gone));

    // A freed slot is free again, and a route removed without sessions waits out the retention.
    RouteTraffic idle = series.open("/idle", "ws://u/");
    idle.closed(null);
    long second = reload + 30 * MINUTE;
    series.sync(Map.of(), second);
    assertTrue(series.all().contains(idle), "retained right after the reload");
    assertTrue(series.sync(Map.of(), second + TrafficSeries.RETENTION.toNanos() - 1).isEmpty());
    assertEquals(2, series.sync(Map.of(), second + TrafficSeries.RETENTION.toNanos()).size(), "/idle and /kept");
  }

  @Test
  void aRouteConfiguredAgainBeforeRetentionKeepsItsCounts() {
    TrafficSeries series = new TrafficSeries();
    RouteTraffic chat = series.open("/chat", "ws://u/");
    chat.messagesToUpstream.add(5);
    chat.closed(null);
    series.sync(Map.of(), 0);
    series.sync(Map.of("/chat", List.of("ws://u/")), 5 * MINUTE);
    assertTrue(series.sync(Map.of("/chat", List.of("ws://u/")), 60 * MINUTE).isEmpty());
    assertSame(chat, series.open("/chat", "ws://u/"));
    assertEquals(5, chat.messagesToUpstream.sum());
  }
}
