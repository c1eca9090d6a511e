package io.wsgate.metrics;

import io.wsgate.Reason;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves live sessions' message and byte counts into the {@code (route, upstream)} counters while
 * they run, not only when they end. The relay keeps counting in its own plain fields and nothing on
 * the message path changes: at each scrape, {@link #flush()} adds what every live session relayed
 * since the last flush; a session's end adds the rest. Each session's flushed marks are guarded by
 * its own lock, taken at scrape time and once at its end, so nothing is counted twice.
 */
final class LiveTraffic {
  private final TrafficSeries series;
  private final Map<String, Flushed> live = new ConcurrentHashMap<>();

  LiveTraffic(TrafficSeries series) {
    this.series = series;
  }

  void started(String id, SessionCounts counts) {
    live.put(id, new Flushed(counts, series.open(counts.route(), counts.upstreamLabel())));
  }

  /** @param reason null when a peer closed normally */
  void ended(String id, Reason reason) {
    Flushed flushed = live.remove(id);
    if (flushed != null) {
      flushed.end(reason);
    }
  }

  void flush() {
    live.values().forEach(Flushed::flush);
  }

  /** What of one session's counts has been added to its pair's counters. */
  private static final class Flushed {
    private final SessionCounts counts;
    private final RouteTraffic traffic;
    private long messagesToUpstream;
    private long bytesToUpstream;
    private long messagesToClient;
    private long bytesToClient;
    private boolean ended;

    Flushed(SessionCounts counts, RouteTraffic traffic) {
      this.counts = counts;
      this.traffic = traffic;
    }

    synchronized void flush() {
      if (!ended) {
        addNew();
      }
    }

    synchronized void end(Reason reason) {
      if (!ended) {
        ended = true;
        addNew();
        traffic.closed(reason);
      }
    }

    // Off the session's event loop a count may read a little behind; the end, on that loop, adds the rest.
    private void addNew() {
      long m = counts.messagesToUpstream();
      if (m > messagesToUpstream) {
        traffic.messagesToUpstream.add(m - messagesToUpstream);
        messagesToUpstream = m;
      }
      long b = counts.bytesToUpstream();
      if (b > bytesToUpstream) {
        traffic.bytesToUpstream.add(b - bytesToUpstream);
        bytesToUpstream = b;
      }
      m = counts.messagesToClient();
      if (m > messagesToClient) {
        traffic.messagesToClient.add(m - messagesToClient);
        messagesToClient = m;
      }
      b = counts.bytesToClient();
      if (b > bytesToClient) {
        traffic.bytesToClient.add(b - bytesToClient);
        bytesToClient = b;
      }
    }
  }
}
