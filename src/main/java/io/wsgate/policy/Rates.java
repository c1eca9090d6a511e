package io.wsgate.policy;

import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the policy's rate syntax ({@code 10/s}, {@code 100/m}, {@code 64KiB/s}) into {@link Rate}s. */
final class Rates {
  static final long MAX_BURST = 1_000_000_000L;

  private Rates() {
  }

  /** The rate in {@code key}, bursting up to its own amount; null when absent or bad (reported). */
  static Rate read(MappingReader m, String key, boolean bytes) {
    return m.has(key) ? read(m.reader(), m.value(key), m.field(key), bytes) : null;
  }

  /** The rate written at {@code node}, bursting up to its own amount; null when bad (reported). */
  static Rate read(NodeReader reader, Node node, String field, boolean bytes) {
    String text = reader.string(node, field);
    if (text == null) {
      return null;
    }
    Optional<Units.PerPeriod> rate = Units.parseRate(text, bytes);
    if (rate.isEmpty()) {
      reader.error(node, field, "invalid rate " + NodeReader.quote(text) + " ("
          + (bytes ? Units.BYTE_RATE_SYNTAX : Units.RATE_SYNTAX) + ")");
      return null;
    }
    if (rate.get().amount() == 0) {
      reader.error(node, field, "must be greater than 0, got " + NodeReader.quote(text));
      return null;
    }
    return Rate.of(rate.get().amount(), rate.get().period());
  }

  /**
   * {@code rate} with the burst in {@code burstKey} when one is written; reports a burst written
   * without its rate ({@code rateKey}).
   */
  static Rate withBurst(MappingReader m, Rate rate, String rateKey, String burstKey) {
    if (!m.has(burstKey)) {
      return rate;
    }
    int burst = m.integer(burstKey, 0, 1, MAX_BURST);
    if (!m.has(rateKey)) {
      m.error(burstKey, "needs " + rateKey + " (a burst belongs to a rate)");
      return rate;
    }
    return rate == null || burst == 0 ? rate : new Rate(rate.permits(), rate.period(), burst);
  }
}
