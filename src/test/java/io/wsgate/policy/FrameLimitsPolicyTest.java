package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code limits.maxControlFramesPerSecond}, {@code controlFrameBurst}, {@code freeFragments}, {@code minAverageFragmentBytes}. */
class FrameLimitsPolicyTest extends PolicyTestSupport {

  @Test
  void leftOutTheyDefaultToLimitsThatStopFloodsButLetAutobahnThrough() throws Exception {
    FrameLimits frames = load(PLAIN_LISTENER + ONE_ROUTE).limits().frames();
    assertEquals(FrameLimits.DEFAULT, frames);
    assertEquals(new Rate(20, Duration.ofSeconds(1), 50), frames.controlFrames());
    assertEquals(128, frames.freeFragments());
    assertEquals(64, frames.minAverageFragmentBytes());
    assertEquals(FrameLimits.DEFAULT, PolicyLoader.load(Path.of("policies")).limits().frames(), "the shipped policy");
  }

  @Test
  void everyKeyIsRead() throws Exception {
    FrameLimits frames = load(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxControlFramesPerSecond: 100\n"
        + "  controlFrameBurst: 200\n  freeFragments: 65536\n  minAverageFragmentBytes: 1KiB\n").limits().frames();
    assertEquals(new FrameLimits(new Rate(100, Duration.ofSeconds(1), 200), 65536, 1024), frames);
  }

  @Test
  void outOfRangeValuesAreErrorsNamingTheValue() throws Exception {
    assertEquals(List.of(
        "10:30: limits.maxControlFramesPerSecond: must be between 1 and 1000000, got 0",
        "11:22: limits.controlFrameBurst: must be between 1 and 1000000, got -5",
        "12:18: limits.freeFragments: must be between 1 and 1000000, got 0",
        "13:28: limits.minAverageFragmentBytes: must be between 1 byte and 67108864 bytes (64MiB), got \"0\""),
        errors(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxControlFramesPerSecond: 0\n  controlFrameBurst: -5\n"
            + "  freeFragments: 0\n  minAverageFragmentBytes: 0\n"));
  }

  @Test
  void fragmentsBeyondTheAllowanceMustAverageTheMinimum() {
    FrameLimits limits = new FrameLimits(Rate.of(1, Duration.ofSeconds(1)), 128, 64);
    assertFalse(limits.tooFragmented(128, 0), "128 empty fragments are free");
    assertFalse(limits.tooFragmented(130, 130), "128 free, and two more for 128 bytes");
    assertTrue(limits.tooFragmented(131, 131), "the 131st one-byte fragment is one too many");
    assertTrue(limits.tooFragmented(129, 0), "the 129th empty fragment is one too many");
    assertFalse(limits.tooFragmented(65536, 4L << 20), "Autobahn 9.3.1: 4 MiB in 64-byte fragments");
    assertFalse(limits.tooFragmented(65537, 4L << 20), "Autobahn 9.3.1 ends with an empty final fragment");
    assertTrue(limits.tooFragmented(65536 + 129, 4L << 20), "beyond the 128 free ones");
    assertFalse(limits.tooFragmented(1_000_000_000L, 64_000_000_000L), "no overflow on long messages");
  }

  @Test
  void theUpstreamIsNotPolicedForHowItFragments() {
    FrameLimits upstream = FrameLimits.DEFAULT.forUpstream();
    assertFalse(upstream.tooFragmented(1_000_000, 0), "a million empty fragments from the upstream");
    assertFalse(upstream.tooFragmented(1_000_000, 1_000_000), "an upstream streaming one byte per fragment");
    assertEquals(FrameLimits.DEFAULT.controlFrames(), upstream.controlFrames());
  }

  @Test
  void nonPositiveLimitsCannotBeBuilt() {
    Rate rate = Rate.of(1, Duration.ofSeconds(1));
    assertThrows(IllegalArgumentException.class, () -> new FrameLimits(null, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new FrameLimits(rate, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new FrameLimits(rate, 1, 0));
  }
}
