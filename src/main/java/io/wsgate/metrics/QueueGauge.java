package io.wsgate.metrics;

/** A bounded queue as the metrics see it (the audit trail's). */
public interface QueueGauge {
  /** Items waiting. */
  long queueDepth();

  /** The most items it holds (0: no queue). */
  long queueCapacity();

  /** Items lost since start because it was full or its consumer failed (monotonic). */
  long dropped();
}
