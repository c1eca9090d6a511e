package io.wsgate.audit;

/**
 * What the admin listener asks of the audit trail: how full its queue is, how many events it had
 * to drop, and whether it can write at all ({@code /ready}). An asynchronous audit writer
 * implements this and {@link AuditLog#status()} returns it; the gauges and the readiness check
 * read it on every scrape, so a writer swapped in later is picked up without re-registering.
 */
public interface AuditStatus {
  /** The audit as it is written today: synchronously to the {@code wsgate.audit} logger, no queue of its own. */
  AuditStatus SYNCHRONOUS = new AuditStatus() {
    @Override
    public long queueDepth() {
      return 0;
    }

    @Override
    public long queueCapacity() {
      return 0;
    }

    @Override
    public long dropped() {
      return 0;
    }

    @Override
    public boolean writable() {
      return true;
    }
  };

  /** Events accepted but not yet written. */
  long queueDepth();

  /** The most events the queue holds (0: no queue). */
  long queueCapacity();

  /** Events lost since start because the queue was full or the writer failed (monotonic). */
  long dropped();

  /** False when the last write failed or the destination cannot be written: the gateway is not ready. */
  boolean writable();
}
