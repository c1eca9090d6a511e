package io.wsgate.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The name of one audit file: {@code audit-YYYY-MM-DD.jsonl} for the first file of a UTC day, then
 * {@code audit-YYYY-MM-DD.1.jsonl}, {@code .2}, ... Files sort by date, then index, which is the
 * order of the chain.
 */
public record AuditFileName(LocalDate date, int index) implements Comparable<AuditFileName> {
  private static final Pattern NAME = Pattern.compile("audit-(\\d{4}-\\d{2}-\\d{2})(?:\\.([1-9]\\d{0,8}))?\\.jsonl");
  static final Comparator<AuditFileName> ORDER = Comparator.comparing(AuditFileName::date)
      .thenComparingInt(AuditFileName::index);

  /** The name, or null when {@code fileName} is not an audit file's name. */
  public static AuditFileName parse(String fileName) {
    Matcher m = NAME.matcher(fileName);
    if (!m.matches()) {
      return null;
    }
    try {
      return new AuditFileName(LocalDate.parse(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The file that follows this one on the same day. */
  AuditFileName next() {
    return new AuditFileName(date, index + 1);
  }

  @Override
  public int compareTo(AuditFileName other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return "audit-" + date + (index == 0 ? "" : "." + index) + ".jsonl";
  }

  /** The audit files in {@code dir}, in chain order. */
  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> parse(p.getFileName().toString()) != null && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> parse(p.getFileName().toString())))
          .toList();
    }
  }

  /**
   * Expands directories to their audit files and puts everything in chain order (files whose names
   * are not audit names keep their relative order, after the others).
   */
  public static List<Path> collect(List<Path> paths) throws IOException {
    Set<Path> all = new LinkedHashSet<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        all.addAll(list(path));
      } else {
        all.add(path);
      }
    }
    List<Path> out = new ArrayList<>(all);
    out.sort(Comparator.comparing((Path p) -> parse(p.getFileName().toString()),
        Comparator.nullsLast(Comparator.naturalOrder())));
    return out;
  }
}
