package io.wsgate.metrics;

import io.wsgate.Reason;
import io.wsgate.policy.Action;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-process counters of every decision. Sessions count their own messages and add them here
 * once, when they close, so the per-message path touches no shared counter.
 */
public final class GatewayMetrics {
  private final Map<Reason, LongAdder> outcomes = new EnumMap<>(Reason.class);
  private final Map<Reason, LongAdder> monitored = new EnumMap<>(Reason.class);
  private final Map<Reason, LongAdder> closes = new EnumMap<>(Reason.class);
  private final Map<Action, Map<Reason, LongAdder>> refusals = new EnumMap<>(Action.class);
  private final LongAdder peerCloses = new LongAdder();
  private final LongAdder accepted = new LongAdder();
  private final Map<ReloadOutcome, LongAdder> reloads = new EnumMap<>(ReloadOutcome.class);
  private final LongAdder closed = new LongAdder();
  private final LongAdder messagesToUpstream = new LongAdder();
  private final LongAdder messagesToClient = new LongAdder();
  private final LongAdder bytesToUpstream = new LongAdder();
  private final LongAdder bytesToClient = new LongAdder();
  private final LongAdder auditDrops = new LongAdder();
  private volatile LastReload lastReload;
  private final LongAdder syslogDrops = new LongAdder();
  private volatile boolean syslogConnected;

  public GatewayMetrics() {
    for (Reason reason : Reason.values()) {
      outcomes.put(reason, new LongAdder());
      monitored.put(reason, new LongAdder());
      closes.put(reason, new LongAdder());
    }
    for (Action action : Action.values()) {
      Map<Reason, LongAdder> byReason = new EnumMap<>(Reason.class);
      for (Reason reason : Reason.values()) {
        byReason.put(reason, new LongAdder());
      }
      refusals.put(action, byReason);
    }
    for (ReloadOutcome outcome : ReloadOutcome.values()) {
      reloads.put(outcome, new LongAdder());
    }
  }

  public void count(Reason reason) {
    outcomes.get(reason).increment();
  }

  public void monitored(Reason reason) {
    monitored.get(reason).increment();
  }

  /** How often a monitor-mode guard or rule would have refused for this reason. */
  public long monitoredTotal(Reason reason) {
    return monitored.get(reason).sum();
  }

  public long outcomes(Reason reason) {
    return outcomes.get(reason).sum();
  }

  public void reload(ReloadOutcome outcome) {
    reloads.get(outcome).increment();
    lastReload = new LastReload(outcome, System.currentTimeMillis());
  }

  /** How the last reload ended and when (epoch ms); null before the first. */
  public LastReload lastReload() {
    return lastReload;
  }

  /** The last reload's outcome and when it ended. */
  public record LastReload(ReloadOutcome outcome, long epochMillis) {
  }

  public long reloads(ReloadOutcome outcome) {
    return reloads.get(outcome).sum();
  }

  /** Reloads that succeeded ({@code true}) or failed ({@code false}; refusals are counted apart). */
  public long reloads(boolean ok) {
    return reloads(ok ? ReloadOutcome.OK : ReloadOutcome.FAILED);
  }

  public void accepted() {
    accepted.increment();
  }

  public long acceptedTotal() {
    return accepted.sum();
  }

  /**
   * An enforced message rule refused a message. Each decision counts once in {@link #outcomes}: a
   * drop here, a close when the session it ends is {@linkplain #closed counted}.
   */
  public void refused(Reason reason, Action action) {
    refusals.get(action).get(reason).increment();
    if (action == Action.DROP) {
      count(reason);
    }
  }

  /** Messages refused for this reason by enforced rules with this action. */
  public long refusals(Reason reason, Action action) {
    return refusals.get(action).get(reason).sum();
  }

  /**
   * A session ended; its message counts are added here once.
   *
   * @param reason why the gateway ended it, or null when a peer closed it normally
   */
  public void closed(Reason reason, long msgsUp, long bytesUp, long msgsDown, long bytesDown) {
    (reason == null ? peerCloses : closes.get(reason)).increment();
    closed.increment();
    messagesToUpstream.add(msgsUp);
    bytesToUpstream.add(bytesUp);
    messagesToClient.add(msgsDown);
    bytesToClient.add(bytesDown);
  }

  public long closedTotal() {
    return closed.sum();
  }

  /** Sessions ended for this reason; null: ended by a peer's normal close. */
  public long closes(Reason reason) {
    return (reason == null ? peerCloses : closes.get(reason)).sum();
  }

  public long bytesToUpstream() {
    return bytesToUpstream.sum();
  }

  public long bytesToClient() {
    return bytesToClient.sum();
  }

  public long messagesToUpstream() {
    return messagesToUpstream.sum();
  }

  public long messagesToClient() {
    return messagesToClient.sum();
  }

  /** An audit record was lost: the audit queue was full, or it could not be written before the stop. */
  public void auditDropped(long records) {
    auditDrops.add(records);
  }

  /** Audit records lost since start (the {@code audit drops} metric). */
  public long auditDrops() {
    return auditDrops.sum();
  }

  /** A record's syslog copy was not sent: its queue was full (the record itself is in the files). */
  public void syslogDropped(long records) {
    syslogDrops.add(records);
  }

  /** Syslog copies dropped since start ({@code wsgate_audit_syslog_dropped_total}). */
  public long syslogDrops() {
    return syslogDrops.sum();
  }

  /** For {@code /ready}'s {@code auditSyslog}, shown there but not a readiness check. */
  public void syslogConnected(boolean connected) {
    syslogConnected = connected;
  }

  /** Whether the syslog receiver is connected now (false without {@code audit.syslog}). */
  public boolean syslogConnected() {
    return syslogConnected;
  }
}
