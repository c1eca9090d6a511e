package io.wsgate;

import io.wsgate.admin.GatewayMeters;
import io.wsgate.audit.AuditLog;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.limits.ConnectionScope;
import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.Revocations;
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
  private final Revocations revocations;
  private final RateLimitBackend limits;
  private final KeySources keySources;
  private final AuditLog audit;
  private final GatewayMeters meters;
  private volatile Reason drainReason;

  /** @param keySources the JWKS caches, kept across snapshots like the limiters */
  public GatewayServices(AuditLog audit, KeySources keySources, Revocations revocations) {
    this(audit, keySources, revocations, new LocalRateLimitBackend());
  }

  /** @param limits where rate buckets and connection counts live (this process, or a shared store) */
  public GatewayServices(AuditLog audit, KeySources keySources, Revocations revocations, RateLimitBackend limits) {
    this.audit = audit;
    this.limits = limits;
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

  /** The global cap's count ({@code limits.maxConnections}), under {@link ConnectionScope#GLOBAL_KEY}. */
  public ConnectionCounter slots() {
    return limits.connections(ConnectionScope.GLOBAL);
  }

  /** Sessions (and handshakes past the cap check) counted against {@code limits.maxConnections} now. */
  public int globalConnections() {
    return slots().count(ConnectionScope.GLOBAL_KEY);
  }

  public Revocations revocations() {
    return revocations;
  }

  public ConnectionCounter ipConnections() {
    return limits.connections(ConnectionScope.PER_IP);
  }

  public ConnectionCounter subjectConnections() {
    return limits.connections(ConnectionScope.PER_SUBJECT);
  }

  /** Rate buckets (per IP, global, per subject) and connection counts, kept across snapshots while their rule is unchanged. */
  public RateLimitBackend limits() {
    return limits;
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
