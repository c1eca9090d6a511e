package io.wsgate;

import io.wsgate.admin.GatewayMeters;
import io.wsgate.audit.AuditLog;
import io.wsgate.limits.ConcurrencyLimiter;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.ConnectionSlots;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.token.KeySources;
import io.wsgate.session.SessionRegistry;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What every listener instance shares and what outlives a policy snapshot: the current snapshot,
 * live sessions, the global cap, per-IP and per-subject connection counts, revocations, the audit, the metrics.
 */
public final class GatewayServices {
  private final AtomicReference<CompiledPolicy> current = new AtomicReference<>();
  private final SessionRegistry sessions = new SessionRegistry();
  private final ConnectionSlots slots = new ConnectionSlots();
  private final Revocations revocations;
  private final ConcurrencyLimiter ipConnections = new ConcurrencyLimiter();
  private final ConcurrencyLimiter subjectConnections = new ConcurrencyLimiter();
  private final LimiterRegistry limiters = new LimiterRegistry();
  private final KeySources keySources;
  private final AuditLog audit;
  private final GatewayMeters meters;
  private volatile Reason drainReason;

  /** @param keySources the JWKS caches, kept across snapshots like the limiters */
  public GatewayServices(AuditLog audit, KeySources keySources, Revocations revocations) {
    this.audit = audit;
    this.keySources = keySources;
    this.revocations = revocations;
    this.meters = new GatewayMeters(audit, sessions, revocations, this::current);
  }

  public CompiledPolicy current() {
    return current.get();
  }

  /** @return the snapshot it replaced (null the first time) */
  public CompiledPolicy swap(CompiledPolicy next) {
    return current.getAndSet(next);
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  public ConnectionSlots slots() {
    return slots;
  }

  public Revocations revocations() {
    return revocations;
  }

  public ConcurrencyLimiter ipConnections() {
    return ipConnections;
  }

  public ConcurrencyLimiter subjectConnections() {
    return subjectConnections;
  }

  /** Shared rate buckets (per IP, global, per subject), kept across snapshots while their rule is unchanged. */
  public LimiterRegistry limiters() {
    return limiters;
  }

  /** JWKS caches, kept across snapshots while their issuer is unchanged. */
  public KeySources keySources() {
    return keySources;
  }

  public AuditLog audit() {
    return audit;
  }

  /** The Prometheus metrics: latency timers and views of the counters above. */
  public GatewayMeters meters() {
    return meters;
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
