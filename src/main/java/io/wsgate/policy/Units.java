package io.wsgate.policy;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The policy's duration ({@code 500ms 30s 5m 24h 2d}) and byte size ({@code 65536 64KiB 1MiB}) syntax. */
final class Units {
  // At most 9 digits keeps every product below Long.MAX_VALUE without overflow checks.
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,9})(KiB|MiB)?");
  private static final Pattern RATE = Pattern.compile("([0-9]{1,9})/(s|m|h)");
  private static final Pattern BYTE_RATE = Pattern.compile("([0-9]{1,9})(KiB|MiB)?/(s|m|h)");

  static final String DURATION_SYNTAX = "expected a number followed by ms, s, m, h or d, e.g. 30s";
  static final String SIZE_SYNTAX = "expected a number of bytes, optionally followed by KiB or MiB, e.g. 64KiB";
  static final String RATE_SYNTAX = "expected N/s, N/m or N/h, e.g. 10/s";
  static final String BYTE_RATE_SYNTAX = "expected bytes per s, m or h, e.g. 65536/s, 64KiB/s or 1MiB/s";

  /** An amount per period, as written; the amount may be 0 (the caller reports that). */
  record PerPeriod(long amount, Duration period) {
  }

  private Units() {
  }

  static Optional<Duration> parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    });
  }

  static Optional<Long> parseSize(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2);
    return Optional.of(unit == null ? n : unit.equals("KiB") ? n << 10 : n << 20);
  }

  /** {@code N/s}, {@code N/m}, {@code N/h}; with {@code bytes}, N may also carry KiB or MiB. */
  static Optional<PerPeriod> parseRate(String text, boolean bytes) {
    Matcher m = (bytes ? BYTE_RATE : RATE).matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    if (bytes && m.group(2) != null) {
      n = m.group(2).equals("KiB") ? n << 10 : n << 20;
    }
    Duration period = switch (m.group(bytes ? 3 : 2)) {
      case "s" -> Duration.ofSeconds(1);
      case "m" -> Duration.ofMinutes(1);
      default -> Duration.ofHours(1);
    };
    return Optional.of(new PerPeriod(n, period));
  }

  /** Renders a byte count as bytes, with the exact KiB/MiB equivalent when there is one. */
  static String formatSize(long bytes) {
    String exact = bytes > 0 && bytes % (1 << 20) == 0 ? bytes / (1 << 20) + "MiB"
        : bytes > 0 && bytes % (1 << 10) == 0 ? bytes / (1 << 10) + "KiB" : null;
    return bytes + (bytes == 1 ? " byte" : " bytes") + (exact == null ? "" : " (" + exact + ")");
  }

  /** A byte count as a policy writes it: {@code 100MiB}, {@code 64KiB}, or plain bytes. */
  static String compactSize(long bytes) {
    return bytes > 0 && bytes % (1 << 20) == 0 ? bytes / (1 << 20) + "MiB"
        : bytes > 0 && bytes % (1 << 10) == 0 ? bytes / (1 << 10) + "KiB" : Long.toString(bytes);
  }

  /** Renders a duration in the policy syntax, using the largest exact unit. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
