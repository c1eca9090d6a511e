package io.wsgate.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The driver's command line: {@code --name value} pairs, all optional. */
record SoakOptions(int connections, Duration duration, long intervalMs, int echoEverySeconds, int rampPerSecond,
    int sampleSeconds, Path jar, Path work, List<String> gatewayJvm) {

  static SoakOptions parse(String[] args) {
    int connections = 8000;
    Duration duration = Duration.ofMinutes(5);
    long intervalMs = 1000;
    int echoEvery = 10;
    int ramp = 500;
    Integer sample = null;
    Path jar = Path.of("target/wsgate.jar");
    Path work = Path.of("target/soak");
    // A fixed, pre-touched heap: its pages are resident from the start, so RSS growth during the soak
    // is memory outside the heap (direct buffers, metaspace, threads), and a heap leak shows in the live heap.
    List<String> jvm = List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--connections" -> connections = Integer.parseInt(v);
        case "--duration" -> duration = duration(v);
        case "--interval" -> intervalMs = duration(v).toMillis();
        case "--echo-every" -> echoEvery = (int) duration(v).toSeconds();
        case "--ramp" -> ramp = Integer.parseInt(v);
        case "--sample-every" -> sample = (int) duration(v).toSeconds();
        case "--jar" -> jar = Path.of(v);
        case "--work" -> work = Path.of(v);
        case "--gateway-jvm" -> jvm = v.isBlank() ? List.of() : Arrays.asList(v.trim().split("\\s+"));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("option without a value: " + args[args.length - 1]);
    }
    int sampleSeconds = (int) Math.max(1, Math.min(sample != null ? sample : 30, duration.toSeconds() / 4));
    return new SoakOptions(connections, duration, intervalMs, Math.max(1, echoEvery), ramp, sampleSeconds,
        jar.toAbsolutePath(), work.toAbsolutePath(), jvm);
  }

  /** {@code 500ms}, {@code 30s}, {@code 5m}. */
  static Duration duration(String v) {
    if (v.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    }
    long n = Long.parseLong(v.substring(0, v.length() - 1));
    return switch (v.charAt(v.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("duration needs ms, s, m or h: " + v);
    };
  }
}
