package io.wsgate.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts over audit records (docs/audit.md, "audit summary"): by event type, by reason within each
 * event type, sessions accepted by route, and the most frequent client IPs and subjects. The files'
 * {@code audit.file_start} headers are not counted. Reads what it can: the chain is
 * {@code audit verify}'s business; lines that are not records are counted as unreadable.
 *
 * <pre>{@code
 * AuditSummary s = AuditSummary.of(AuditFileName.collect(List.of(dir)), since, until, 10);
 * System.out.println(s.toJson().encodePrettily());
 * }</pre>
 */
public final class AuditSummary {
  static final long MIN_BUCKET_SECONDS = 60;
  /** Buckets kept while reading; beyond, they are merged pairwise, so a year of records stays small. */
  private static final int MAX_KEPT_BUCKETS = 4096;
  /** Buckets in the output, for a chart that stays readable. */
  static final int MAX_BUCKETS = 48;

  private final Instant since;
  private final Instant until;
  private final int top;
  private long records;
  private long unreadable;
  private String first;
  private String last;
  private final Map<String, Long> events = new HashMap<>();
  private final Map<String, Map<String, Long>> reasons = new HashMap<>();
  private final Map<String, Long> routes = new HashMap<>();
  private final Map<String, Long> clientIps = new HashMap<>();
  private final Map<String, Long> subjects = new HashMap<>();
  private final Map<String, Long> origins = new HashMap<>();
  /** Handshake refusals by reason, per bucket of {@link #bucketSeconds} (epoch-aligned start, in seconds). */
  private final TreeMap<Long, Map<String, Long>> refusals = new TreeMap<>();
  private long bucketSeconds = MIN_BUCKET_SECONDS;

  private AuditSummary(Instant since, Instant until, int top) {
    this.since = since;
    this.until = until;
    this.top = top;
  }

  /**
   * @param since records at or after this instant; null for no bound
   * @param until records before this instant; null for no bound
   * @param top   how many client IPs and subjects to list
   */
  public static AuditSummary of(List<Path> files, Instant since, Instant until, int top) throws IOException {
    AuditSummary summary = new AuditSummary(since, until, top);
    for (Path file : files) {
      try (AuditLines lines = new AuditLines(file)) {
        for (AuditLines.Line line = lines.next(); line != null; line = lines.next()) {
          summary.add(line);
        }
      }
    }
    return summary;
  }

  private void add(AuditLines.Line line) {
    JsonObject record;
    Instant at;
    try {
      record = new JsonObject(line.text());
      at = Instant.parse(record.getString("ts"));
    } catch (RuntimeException e) { // not JSON, not an object, no ts, a ts that is not RFC 3339
      unreadable++;
      return;
    }
    String event = record.getValue("event") instanceof String s ? s : null;
    if (event == null) {
      unreadable++;
      return;
    }
    if (AuditWriter.FILE_START.equals(event) || (since != null && at.isBefore(since))
        || (until != null && !at.isBefore(until))) {
      return;
    }
    records++;
    String ts = record.getString("ts");
    first = first == null || ts.compareTo(first) < 0 ? ts : first;
    last = last == null || ts.compareTo(last) > 0 ? ts : last;
    events.merge(event, 1L, Long::sum);
    if (record.getValue("reason") instanceof String reason) {
      reasons.computeIfAbsent(event, e -> new HashMap<>()).merge(reason, 1L, Long::sum);
    }
    if (event.equals("session.accepted") && record.getValue("route") instanceof String route) {
      routes.merge(route, 1L, Long::sum);
    }
    if (record.getValue("clientIp") instanceof String ip) {
      clientIps.merge(ip, 1L, Long::sum);
    }
    if (record.getValue("subject") instanceof String subject) {
      subjects.merge(subject, 1L, Long::sum);
    }
    if (record.getValue("origin") instanceof String origin) {
      origins.merge(origin, 1L, Long::sum);
    }
    if (event.equals("handshake.rejected") && record.getValue("reason") instanceof String reason) {
      refusals.computeIfAbsent(bucket(at.getEpochSecond(), bucketSeconds), b -> new HashMap<>())
          .merge(reason, 1L, Long::sum);
      if (refusals.size() > MAX_KEPT_BUCKETS) {
        bucketSeconds *= 2;
        TreeMap<Long, Map<String, Long>> merged = coarsen(refusals, bucketSeconds);
        refusals.clear();
        refusals.putAll(merged);
      }
    }
  }

  private static long bucket(long epochSecond, long width) {
    return Math.floorDiv(epochSecond, width) * width;
  }

  private static TreeMap<Long, Map<String, Long>> coarsen(TreeMap<Long, Map<String, Long>> buckets, long width) {
    TreeMap<Long, Map<String, Long>> out = new TreeMap<>();
    buckets.forEach((start, counts) -> {
      Map<String, Long> into = out.computeIfAbsent(bucket(start, width), b -> new HashMap<>());
      counts.forEach((reason, n) -> into.merge(reason, n, Long::sum));
    });
    return out;
  }

  /**
   * Handshake refusals by reason over time: the buckets that have any, each {@code bucketSeconds}
   * wide (60 s, doubled until the span fits in {@value #MAX_BUCKETS} buckets), oldest first.
   */
  private JsonObject refusalsOverTime() {
    long width = bucketSeconds;
    TreeMap<Long, Map<String, Long>> buckets = refusals;
    while (!buckets.isEmpty() && (buckets.lastKey() - buckets.firstKey()) / width + 1 > MAX_BUCKETS) {
      width *= 2;
      buckets = coarsen(refusals, width);
    }
    JsonArray out = new JsonArray();
    buckets.forEach((start, counts) -> out.add(new JsonObject()
        .put("start", AuditChain.timestamp(Instant.ofEpochSecond(start)))
        .put("count", counts.values().stream().mapToLong(Long::longValue).sum())
        .put("reasons", counts(counts))));
    return new JsonObject().put("bucketSeconds", width).put("buckets", out);
  }

  public long records() {
    return records;
  }

  /**
   * <pre>{@code
   * {"records": 12, "from": "...", "to": "...", "unreadable": 0,
   *  "events": {"session.accepted": 5, ...}, "reasons": {"handshake.rejected": {"origin_denied": 2}},
   *  "routes": {"/chat": 5}, "topClientIps": [{"value": "203.0.113.9", "count": 7}], "topSubjects": [...]}
   * }</pre>
   * Maps are ordered by count (highest first), then by name.
   */
  public JsonObject toJson() {
    JsonObject byReason = new JsonObject();
    new TreeMap<>(reasons).forEach((event, counts) -> byReason.put(event, counts(counts)));
    return new JsonObject()
        .put("records", records)
        .put("from", first)
        .put("to", last)
        .put("unreadable", unreadable)
        .put("events", counts(events))
        .put("reasons", byReason)
        .put("routes", counts(routes))
        .put("topClientIps", topList(clientIps))
        .put("topSubjects", topList(subjects))
        .put("topOrigins", topList(origins))
        .put("refusalsOverTime", refusalsOverTime());
  }

  /** The same as {@link #toJson()}, as aligned text; values a client chose are quoted when not plain. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(records).append(records == 1 ? " record" : " records");
    if (first != null) {
      out.append(", ").append(first).append(" .. ").append(last);
    }
    if (unreadable > 0) {
      out.append(" (").append(unreadable).append(" unreadable lines skipped)");
    }
    out.append('\n');
    section(out, "events", ordered(events));
    List<Map.Entry<String, Long>> reasonRows = new ArrayList<>();
    new TreeMap<>(reasons).forEach((event, counts) -> ordered(counts)
        .forEach(e -> reasonRows.add(Map.entry(event + " " + AuditFormat.safe(e.getKey()), e.getValue()))));
    section(out, "reasons", reasonRows);
    section(out, "sessions accepted by route", safeKeys(ordered(routes)));
    section(out, "top client IPs", safeKeys(ordered(clientIps).stream().limit(top).toList()));
    section(out, "top subjects", safeKeys(ordered(subjects).stream().limit(top).toList()));
    section(out, "top origins", safeKeys(ordered(origins).stream().limit(top).toList()));
    return out.toString();
  }

  private static void section(StringBuilder out, String title, List<Map.Entry<String, Long>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    out.append(title).append(":\n");
    int width = rows.stream().mapToInt(e -> e.getKey().length()).max().orElse(0);
    for (Map.Entry<String, Long> row : rows) {
      out.append("  ").append(row.getKey()).append(" ".repeat(width - row.getKey().length() + 2))
          .append(row.getValue()).append('\n');
    }
  }

  private static List<Map.Entry<String, Long>> safeKeys(List<Map.Entry<String, Long>> rows) {
    return rows.stream().map(e -> Map.entry(AuditFormat.safe(e.getKey()), e.getValue())).toList();
  }

  private static List<Map.Entry<String, Long>> ordered(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .toList();
  }

  private static JsonObject counts(Map<String, Long> counts) {
    Map<String, Object> out = new LinkedHashMap<>();
    ordered(counts).forEach(e -> out.put(e.getKey(), e.getValue()));
    return new JsonObject(out);
  }

  private JsonArray topList(Map<String, Long> counts) {
    JsonArray out = new JsonArray();
    ordered(counts).stream().limit(top)
        .forEach(e -> out.add(new JsonObject().put("value", e.getKey()).put("count", e.getValue())));
    return out;
  }

  /** {@code 2026-11-25T10:00:00Z} (any RFC 3339 instant), or a UTC day {@code 2026-11-25} meaning its start. */
  public static Instant parseTime(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        try {
          return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e3) {
          throw new IllegalArgumentException("expected an RFC 3339 time (2026-11-25T10:00:00Z) or a UTC day"
              + " (2026-11-25), got " + AuditFormat.safe(text));
        }
      }
    }
  }
}
