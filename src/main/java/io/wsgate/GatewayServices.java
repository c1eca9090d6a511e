package io.wsgate;

import io.wsgate.audit.AuditLog;
import io.wsgate.session.ConnectionSlots;
import io.wsgate.session.Revocations;
import io.wsgate.session.SessionRegistry;

import java.util.concurrent.atomic.AtomicReference;

/** What every listener instance shares: the current snapshot, live sessions, the cap, the audit. */
public final class GatewayServices {
  private final AtomicReference<CompiledPolicy> current;
  private final SessionRegistry sessions = new SessionRegistry();
  private final ConnectionSlots slots = new ConnectionSlots();
  private final Revocations revocations = new Revocations();
  private final AuditLog audit;
  private volatile Reason drainReason;

  public GatewayServices(CompiledPolicy initial, AuditLog audit) {
    this.current = new AtomicReference<>(initial);
    this.audit = audit;
  }

  public CompiledPolicy current() {
    return current.get();
  }

  public void swap(CompiledPolicy next) {
    current.set(next);
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  public Revocations revocations() {
    return revocations;
  }

  public ConnectionSlots slots() {
    return slots;
  }

  public AuditLog audit() {
    return audit;
  }

  public boolean draining() {
    return drainReason != null;
  }

  /** The close reason for sessions while draining, or null when not draining. */
  public Reason drainReason() {
    return drainReason;
  }

  public void startDraining(Reason reason) {
    drainReason = reason;
  }
}
