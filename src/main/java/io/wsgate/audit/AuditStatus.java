package io.wsgate.audit;

/**
 * What the admin listener asks of the audit trail: how full its queue is, how many events it had
 * to drop, and whether it can write at all ({@code /ready}). An asynchronous audit writer
 * ({@link AuditWriter}) backs it; the gauges and the readiness check read it on every scrape.
 */
public interface AuditStatus {

  /** Events accepted but not yet written. */
  long queueDepth();

  /** The most events the queue holds (0: no queue). */
  long queueCapacity();

  /** Events lost since start because the queue was full or the writer failed (monotonic). */
  long dropped();

  /** False when the last write failed or the destination cannot be written: the gateway is not ready. */
  boolean writable();
}
