package io.wsgate.policy;

import java.time.Duration;

/**
 * A token-bucket rate: {@code permits} per {@code period}, bursting up to {@code burst}.
 * Written in policies as {@code "5/s"}, {@code "100/m"}, {@code "64KiB/s"} (bytes), with an
 * optional burst: {@code { rate: 5/s, burst: 10 }}.
 */
public record Rate(long permits, Duration period, long burst) {
  public Rate {
    if (permits <= 0 || burst <= 0 || period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("rate must be positive");
    }
  }

  public static Rate of(long permits, Duration period) {
    return new Rate(permits, period, permits);
  }
}
