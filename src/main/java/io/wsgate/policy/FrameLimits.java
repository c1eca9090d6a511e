package io.wsgate.policy;

import java.time.Duration;

/**
 * Per-connection bounds on frames, below the message level: what message size and message rate
 * rules cannot see because they count whole messages.
 *
 * @param controlFrames           pings and pongs a client may send, per connection (a token bucket:
 *                                {@code permits} per second, up to {@code burst} at once); beyond it: close 1008
 * @param freeFragments           fragments any message may have, whatever their size
 * @param minAverageFragmentBytes beyond {@code freeFragments}, one more fragment per this many payload bytes
 *                                so far; the first fragment beyond that: close 1008. Additive, not a
 *                                minimum average: Autobahn 9.3.1 ends 65,536 full fragments with an empty one
 */
public record FrameLimits(Rate controlFrames, int freeFragments, int minAverageFragmentBytes) {
  /**
   * Room for Autobahn|Testsuite (2.10 sends 10 pings at once; 6.x sends 1-byte fragments of short
   * texts; 9.3 sends 4 MiB in 64-byte fragments) and for any client library's keepalive, while a
   * flood is stopped within a fraction of a second.
   */
  public static final FrameLimits DEFAULT = new FrameLimits(new Rate(20, Duration.ofSeconds(1), 50), 128, 64);

  /**
   * The limits for frames from the upstream: the operator's own backend is not policed for how it
   * fragments (a server may cut a message wherever its writes fall); size and message rules still apply.
   */
  public FrameLimits forUpstream() {
    return new FrameLimits(controlFrames, Integer.MAX_VALUE, 1);
  }

  public FrameLimits {
    if (controlFrames == null || freeFragments < 1 || minAverageFragmentBytes < 1) {
      throw new IllegalArgumentException("frame limits must be positive");
    }
  }

  /**
   * Whether a message whose first {@code fragments} frames carried {@code bytes} payload bytes in all
   * has too many fragments for its size. Two comparisons, no allocation: this runs for every data frame.
   */
  public boolean tooFragmented(long fragments, long bytes) {
    return fragments > freeFragments + bytes / minAverageFragmentBytes;
  }
}
