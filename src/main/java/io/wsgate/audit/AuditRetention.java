package io.wsgate.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.RetentionSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which old audit files {@code audit.keepDays} / {@code audit.keepBytes} delete: the oldest first,
 * contiguously (so the rest of the chain has no hole), never the file being written. The writer
 * records the plan in the chain as an {@code audit.retention} record, forces it to disk, and only
 * then deletes, so a crash in between leaves files that should be gone rather than a gap nobody
 * explained (docs/audit.md, "Retention").
 *
 * <pre>{@code
 * AuditRetention.Plan plan = AuditRetention.plan(dir, current, today, settings.retention(), checkpointDir);
 * if (plan != null) { write(plan.record(...)); flush(); plan.delete(); }
 * }</pre>
 */
final class AuditRetention {
  static final String EVENT = "audit.retention";
  private static final Pattern CHECKPOINT_NAME = Pattern.compile("checkpoints-(\\d{4}-\\d{2}-\\d{2})\\.jsonl");

  private AuditRetention() {
  }

  /**
   * What to delete.
   *
   * @param files       the audit files to delete, oldest first
   * @param bytes       their total size
   * @param firstFile   the first file that remains: where the trail starts once they are gone
   * @param firstSeq    the {@code seq} of its header; -1 when it cannot be read
   * @param firstPrev   the {@code prev} of its header; null when it cannot be read
   * @param checkpoints checkpoint files that only seal lines of deleted files
   */
  record Plan(List<Path> files, long bytes, AuditFileName firstFile, long firstSeq, String firstPrev,
              List<Path> checkpoints) {
    /** The {@code audit.retention} record's own fields, after those of {@link AuditChain#record}. */
    JsonObject fill(JsonObject record, RetentionSettings settings) {
      JsonArray deleted = new JsonArray();
      files.forEach(f -> deleted.add(f.getFileName().toString()));
      JsonArray deletedCheckpoints = new JsonArray();
      checkpoints.forEach(f -> deletedCheckpoints.add(f.getFileName().toString()));
      return record.put("deleted", deleted).put("deletedBytes", bytes)
          .put("firstFile", firstFile.toString()).put("firstSeq", firstSeq).put("firstPrev", firstPrev)
          .put("deletedCheckpoints", deletedCheckpoints)
          .put("keepDays", settings.keepDays() == 0 ? null : settings.keepDays())
          .put("keepBytes", settings.keepBytes() == 0 ? null : settings.keepBytes());
    }
  }

  /**
   * The files to delete in {@code dir} now, or null when there are none.
   *
   * @param current       the file being written: it and every later file are kept
   * @param checkpointDir where the checkpoints are; null when there are none
   */
  static Plan plan(Path dir, AuditFileName current, LocalDate today, RetentionSettings settings, Path checkpointDir)
      throws IOException {
    if (!settings.enabled()) {
      return null;
    }
    List<Path> files = AuditFileName.list(dir);
    long total = 0;
    long[] sizes = new long[files.size()];
    for (int i = 0; i < files.size(); i++) {
      sizes[i] = Files.size(files.get(i));
      total += sizes[i];
    }
    LocalDate oldestKept = settings.keepDays() == 0 ? null : today.minusDays(settings.keepDays());
    List<Path> delete = new ArrayList<>();
    long bytes = 0;
    int i = 0;
    for (; i < files.size(); i++) {
      AuditFileName name = AuditFileName.parse(files.get(i).getFileName().toString());
      if (name.compareTo(current) >= 0) {
        break;
      }
      boolean tooOld = oldestKept != null && name.date().isBefore(oldestKept);
      boolean tooBig = settings.keepBytes() > 0 && total - bytes > settings.keepBytes();
      if (!tooOld && !tooBig) {
        break;
      }
      delete.add(files.get(i));
      bytes += sizes[i];
    }
    if (delete.isEmpty()) {
      return null;
    }
    Path first = files.get(i);
    AuditFileName firstName = AuditFileName.parse(first.getFileName().toString());
    JsonObject header = header(first);
    long firstSeq = header != null && header.getValue("seq") instanceof Number n ? n.longValue() : -1;
    String firstPrev = header != null && header.getValue("prev") instanceof String s ? s : null;
    return new Plan(List.copyOf(delete), bytes, firstName, firstSeq, firstPrev,
        checkpointsBefore(checkpointDir, firstName.date()));
  }

  /** Deletes the planned files; returns how many could not be deleted (logged by the caller). */
  static List<String> delete(Plan plan) {
    List<String> failed = new ArrayList<>();
    for (Path file : plan.files()) {
      deleteOne(file, failed);
    }
    for (Path file : plan.checkpoints()) {
      deleteOne(file, failed);
    }
    return failed;
  }

  private static void deleteOne(Path file, List<String> failed) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      failed.add(file.getFileName() + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Checkpoint files of days before the first kept file's day: a checkpoint seals a line already
   * written, so every line such a file seals is in a file of that day or earlier, all deleted.
   */
  private static List<Path> checkpointsBefore(Path checkpointDir, LocalDate firstKept) throws IOException {
    if (checkpointDir == null || !Files.isDirectory(checkpointDir)) {
      return List.of();
    }
    try (Stream<Path> listing = Files.list(checkpointDir)) {
      return listing.filter(p -> {
        Matcher m = CHECKPOINT_NAME.matcher(p.getFileName().toString());
        try {
          return m.matches() && LocalDate.parse(m.group(1)).isBefore(firstKept) && Files.isRegularFile(p);
        } catch (DateTimeException e) {
          return false; // not a checkpoint file the writer made
        }
      }).sorted().toList();
    }
  }

  /** The first line of an audit file as JSON; null when it cannot be read as a record. */
  private static JsonObject header(Path file) throws IOException {
    try (AuditLines lines = new AuditLines(file)) {
      AuditLines.Line line = lines.next();
      String text = line == null ? null : line.text();
      if (text == null) {
        return null;
      }
      try {
        return new JsonObject(text);
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
