package io.wsgate.audit;

import io.wsgate.metrics.QueueGauge;

/**
 * What the admin listener asks of the audit trail: how full its queue is, how many events it had
 * to drop, and whether it can write at all ({@code /ready}). An asynchronous audit writer
 * ({@link AuditWriter}) backs it; the gauges and the readiness check read it on every scrape.
 */
public interface AuditStatus extends QueueGauge {

  /** False when the last write failed or the destination cannot be written: the gateway is not ready. */
  boolean writable();
}
