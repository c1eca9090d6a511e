package io.wsgate.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The policy in force, as {@code /metrics} reads it at each scrape. */
public interface PolicyView {
  /** Its version (the hash {@code GET /policy} shows); null before the first snapshot. */
  String version();

  /** When it was built: at start, or by the last reload that succeeded. */
  Instant loadedAt();

  /** Each route's path, as configured, with its upstream members' labels, as configured. */
  Map<String, List<String>> routes();
}
