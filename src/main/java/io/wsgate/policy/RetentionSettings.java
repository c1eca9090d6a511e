package io.wsgate.policy;

/**
 * How long audit files are kept ({@code audit.keepDays}, {@code audit.keepBytes}; docs/audit.md,
 * "Retention"). The oldest files go first, never the one being written, and every deletion is
 * recorded in the chain ({@code audit.retention}) so that {@code audit verify} knows where the trail
 * now starts.
 *
 * <pre>{@code
 * new RetentionSettings(90, 10L << 30) // keep 90 days, at most 10 GiB
 * }</pre>
 *
 * @param keepDays  files of a UTC day more than this many days before today are deleted; 0: no limit by age
 * @param keepBytes the oldest files are deleted while all audit files together exceed this; 0: no limit by size
 */
public record RetentionSettings(int keepDays, long keepBytes) {
  /** Keep everything: the default. */
  public static final RetentionSettings KEEP_ALL = new RetentionSettings(0, 0);

  public RetentionSettings {
    if (keepDays < 0) {
      throw new IllegalArgumentException("keepDays must be >= 0, got " + keepDays);
    }
    if (keepBytes < 0) {
      throw new IllegalArgumentException("keepBytes must be >= 0, got " + keepBytes);
    }
  }

  /** True when some files may be deleted. */
  public boolean enabled() {
    return keepDays > 0 || keepBytes > 0;
  }
}
