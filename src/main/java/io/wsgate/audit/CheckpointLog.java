package io.wsgate.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints in a directory ({@code checkpoints-YYYY-MM-DD.jsonl}, oldest first), each line
 * parsed and, with {@link CheckpointKeys}, its signature checked. Reading stops at the first line
 * that is not a valid checkpoint, reported as {@code file:line: message}.
 *
 * <pre>{@code
 * CheckpointLog log = CheckpointLog.read(Path.of("/var/log/wsgate/audit/checkpoints"), keys);
 * if (log.problem() != null) System.err.println(log.problem());
 * }</pre>
 *
 * @param entries every checkpoint read, with where it was read
 * @param problem the first line that is not a valid checkpoint as {@code file:line: message}; null if none
 * @param signed  whether signatures were checked (a key was given)
 */
public record CheckpointLog(List<Entry> entries, String problem, boolean signed) {
  private static final Pattern NAME = Pattern.compile("checkpoints-\\d{4}-\\d{2}-\\d{2}\\.jsonl");

  /** One checkpoint and where it is: {@code checkpoints-2026-11-25.jsonl:12}. */
  public record Entry(Checkpoint checkpoint, String source) {
    /** {@code checkpoints-2026-11-25.jsonl:12 of 2026-11-25T10:01:00.000Z}. */
    String describe() {
      return source + " of " + AuditFormat.safe(checkpoint.ts());
    }
  }

  public static CheckpointLog read(Path dir, CheckpointKeys keys) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<Path> files;
    if (!Files.isDirectory(dir)) {
      return new CheckpointLog(entries, dir + ": not a directory", keys.any());
    }
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    if (files.isEmpty()) {
      return new CheckpointLog(entries, dir + ": no checkpoint files (checkpoints-YYYY-MM-DD.jsonl)", keys.any());
    }
    for (Path file : files) {
      String problem = file(file, keys, entries);
      if (problem != null) {
        return new CheckpointLog(entries, problem, keys.any());
      }
    }
    return new CheckpointLog(entries, null, keys.any());
  }

  private static String file(Path file, CheckpointKeys keys, List<Entry> entries) throws IOException {
    String name = file.getFileName().toString();
    try (AuditLines lines = new AuditLines(file)) {
      int n = 0;
      for (AuditLines.Line line = lines.next(); line != null; line = lines.next()) {
        n++;
        String where = name + ":" + n;
        if (!line.terminated()) {
          return where + ": truncated line (no newline at the end of the file)";
        }
        String text = line.text();
        if (text == null) {
          return where + ": not valid UTF-8";
        }
        Checkpoint.Signed signed;
        try {
          signed = Checkpoint.parse(text);
        } catch (IllegalArgumentException e) {
          return where + ": " + e.getMessage();
        }
        String problem = keys.problem(signed);
        if (problem != null) {
          return where + ": " + problem;
        }
        entries.add(new Entry(signed.checkpoint(), where));
      }
    }
    return null;
  }

  /** The checkpoint with the highest {@code seq} (the latest on a tie), or null when there is none. */
  Entry last() {
    Entry last = null;
    for (Entry entry : entries) {
      if (last == null || entry.checkpoint().seq() >= last.checkpoint().seq()) {
        last = entry;
      }
    }
    return last;
  }
}
