package io.wsgate.audit;

import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ReloadOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.Direction;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * One JSON object per decision, sealed into the hash chain and written by one background thread
 * ({@link AuditWriter}) to the audit files, or to the {@code wsgate.audit} logger when the policy has
 * no {@code audit:} section. The methods only enqueue: they never block an event loop. Never holds
 * message bodies, tokens or keys: callers pass only the fields below. Every event type and field
 * is documented in {@code docs/audit.md}; keep it in step.
 *
 * <pre>{@code
 * AuditLog audit = new AuditLog(new GatewayMetrics(), policy.audit());
 * if (!audit.acceptsNewSessions()) { ... 503 audit_unavailable ... }
 * audit.close().await(); // on stop: drains the queue and forces the file
 * }</pre>
 */
public final class AuditLog {
  private final GatewayMetrics metrics;
  private final AuditSettings settings;
  private final AuditWriter writer;
  private final Clock clock;
  private final AuditStatus status;
  private final String node;

  /** Records go to the {@code wsgate.audit} logger only ({@link AuditSettings#LOG_ONLY}). */
  public AuditLog(GatewayMetrics metrics) {
    this(metrics, AuditSettings.LOG_ONLY);
  }

  /**
   * Opens the audit trail the settings describe and starts its writer thread.
   *
   * @throws IllegalStateException when the HMAC key cannot be read or is too short
   */
  public AuditLog(GatewayMetrics metrics, AuditSettings settings) {
    this(metrics, settings, Clock.systemUTC());
  }

  /** As {@link #AuditLog(GatewayMetrics, AuditSettings)}, with the clock that stamps records (tests). */
  public AuditLog(GatewayMetrics metrics, AuditSettings settings, Clock clock) {
    this(metrics, settings, clock, System::getenv);
  }

  /**
   * As {@link #AuditLog(GatewayMetrics, AuditSettings, Clock)}, reading {@value NodeId#ENV} from {@code env}.
   *
   * @throws IllegalStateException when the HMAC key cannot be read, or the node id from the environment is invalid
   */
  public AuditLog(GatewayMetrics metrics, AuditSettings settings, Clock clock, Function<String, String> env) {
    this.metrics = metrics;
    this.settings = settings;
    this.clock = clock;
    this.node = NodeId.resolve(settings.nodeId(), env);
    this.writer = AuditWriter.start(settings, node, metrics, clock);
    this.status = new AuditStatus() {
      @Override
      public long queueDepth() {
        return writer.queueDepth();
      }

      @Override
      public long queueCapacity() {
        return writer.queueCapacity();
      }

      @Override
      public long dropped() {
        return metrics.auditDrops();
      }

      @Override
      public boolean writable() {
        return writer.healthy();
      }
    };
  }

  /** The {@code node} of every record: which gateway this is ({@link NodeId}). */
  public String node() {
    return node;
  }

  public AuditSettings settings() {
    return settings;
  }

  /**
   * True while every record is being kept: the queue has not overflowed within the last flush
   * interval and the files can be written.
   */
  public boolean healthy() {
    return writer.healthy();
  }

  /**
   * False when new sessions must be refused because of the audit trail: it is not
   * {@linkplain #healthy() healthy} and the policy says {@code onFailure: failClosed}.
   */
  public boolean acceptsNewSessions() {
    return settings.onFailure() == AuditSettings.OnFailure.FAIL_OPEN || writer.healthy();
  }

  /**
   * Starts the {@code audit.syslog} copy on one of {@code vertx}'s event loops (records written
   * before are queued, up to its queue size); does nothing without {@code audit.syslog}.
   */
  public void startSyslog(io.vertx.core.Vertx vertx) {
    writer.startSyslog(vertx);
  }

  /** The audit file being written; null without an {@code audit.dir} or while writes fail. */
  public Path currentFile() {
    return writer.currentFile();
  }

  /**
   * Writes every record enqueued so far, forces the file to disk and stops the writer thread.
   * Records enqueued afterwards are counted as dropped. Idempotent.
   */
  public Future<Void> close() {
    return Future.fromCompletionStage(writer.close());
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** A handshake was refused: who asked for what (never a token), the reason and the status sent. */
  public void rejected(AuditedRequest who, Reason reason) {
    metrics.count(reason);
    write(request(event("handshake.rejected"), who).put("reason", reason.tag()).put("status", reason.code()));
  }

  /** A handshake passed every check and the upstream accepted it. */
  public void accepted(AuditedRequest who, String upstream, String policyVersion) {
    metrics.accepted();
    write(request(event("session.accepted"), who).put("upstream", upstream).put("policyVersion", policyVersion));
  }

  /** A guard or rule in monitor mode would have refused: audited and counted, traffic passes. */
  public void monitored(AuditedRequest who, Reason reason, String rule) {
    metrics.monitored(reason);
    write(request(event("monitor.would_deny"), who).put("reason", reason.tag()).put("rule", rule));
  }

  /** @param reason why the gateway ended the session; null when a peer closed it normally */
  public void closed(AuditedRequest who, Reason reason, int clientCode, int upstreamCode, long durationMs,
                     long msgsUp, long bytesUp, long msgsDown, long bytesDown) {
    if (reason != null) {
      metrics.count(reason);
    }
    metrics.closed(reason, msgsUp, bytesUp, msgsDown, bytesDown);
    write(session(event("session.closed"), who).put("reason", reason == null ? "peer_closed" : reason.tag())
        .put("clientCloseCode", clientCode).put("upstreamCloseCode", upstreamCode)
        .put("durationMs", durationMs)
        .put("messagesToUpstream", msgsUp).put("bytesToUpstream", bytesUp)
        .put("messagesToClient", msgsDown).put("bytesToClient", bytesDown));
  }

  /** A message rule refused a message; the message body is never recorded. */
  public void messageRefused(AuditedRequest who, Direction direction, Reason reason, String rule, Action action,
                             boolean monitored) {
    write(session(event(monitored ? "message.monitor_would_refuse" : "message.refused"), who)
        .put("direction", direction.key()).put("reason", reason.tag()).put("rule", rule).put("action", action.tag()));
  }

  public void reauthenticated(AuditedRequest who, String expiresAt) {
    write(session(event("session.reauthenticated"), who).put("expiresAt", expiresAt));
  }

  /**
   * A re-authentication was refused and the session is closing (its {@code session.closed} follows).
   *
   * @param why the check the fresh token failed: a handshake reason tag, or {@code subject_changed}
   */
  public void reauthRefused(AuditedRequest who, String why) {
    write(session(event("session.reauth_refused"), who).put("why", why));
  }

  public void policyReloaded(String trigger, String fromVersion, String toVersion, int sessionsClosed) {
    metrics.reload(ReloadOutcome.OK);
    write(event("policy.reload").put("outcome", ReloadOutcome.OK.tag()).put("trigger", trigger)
        .put("fromVersion", fromVersion).put("policyVersion", toVersion).put("sessionsClosed", sessionsClosed));
  }

  public void policyReloadFailed(String trigger, String keptVersion, int errorCount) {
    metrics.reload(ReloadOutcome.FAILED);
    write(event("policy.reload").put("outcome", ReloadOutcome.FAILED.tag()).put("trigger", trigger)
        .put("policyVersion", keptVersion).put("errors", errorCount));
  }

  /**
   * A reload was refused whole: the new policy changes settings fixed at start.
   *
   * @param fields the policy fields that differ, e.g. {@code listen.port}, {@code audit}
   */
  public void policyReloadRefused(String trigger, String keptVersion, String refusedVersion, List<String> fields) {
    metrics.reload(ReloadOutcome.REFUSED);
    write(event("policy.reload").put("outcome", ReloadOutcome.REFUSED.tag()).put("trigger", trigger)
        .put("policyVersion", keptVersion).put("refusedVersion", refusedVersion)
        .put("startupFields", new io.vertx.core.json.JsonArray(List.copyOf(fields))));
  }

  /**
   * An operator used the admin API. Never holds the admin token.
   *
   * @param action   what was asked, e.g. {@code session.kill}, {@code subject.revoke}, {@code sessions.list}
   * @param target   what it was asked of (session id, subject, path), or null
   * @param remoteIp the admin client's address
   * @param outcome  {@code ok}, {@code not_found}, {@code bad_request}, {@code unauthorized}, {@code forbidden}
   */
  public void adminAction(String action, String target, String remoteIp, String outcome) {
    write(event("admin.action").put("action", action).put("target", target).put("remoteIp", remoteIp)
        .put("outcome", outcome));
  }

  /**
   * The cluster store went down or came back up, as this node sees it.
   *
   * @param up             whether it answers now
   * @param cause          why it is down (the client's message: hosts and commands, never credentials);
   *                       null when up
   * @param onStoreFailure what the node does meanwhile: {@code failOpen} or {@code failClosed}
   */
  public void clusterStore(boolean up, String cause, String onStoreFailure) {
    write(event("cluster.store").put("state", up ? "up" : "down").put("cause", cause)
        .put("onStoreFailure", onStoreFailure));
  }

  /** Queue depth, drops and writability of the audit trail, for {@code /metrics} and {@code /ready}. */
  public AuditStatus status() {
    return status;
  }

  private JsonObject event(String type) {
    return AuditChain.record(node, clock.instant(), type);
  }

  /** The fields of a handshake record that say who asked for what. */
  private static JsonObject request(JsonObject event, AuditedRequest who) {
    JsonObject out = session(event, who).put("path", who.path()).put("host", who.host()).put("origin", who.origin())
        .put("userAgent", who.userAgent());
    if (who.sni() != null) {
      out.put("sni", who.sni());
    }
    if (who.clientCert() != null) {
      out.put("clientCert", new JsonObject().put("subject", who.clientCert().subject())
          .put("sha256", who.clientCert().sha256()));
    }
    return out;
  }

  /** The fields every record of a session repeats, so that none needs its {@code session.accepted}. */
  private static JsonObject session(JsonObject event, AuditedRequest who) {
    event.put("requestId", who.requestId()).put("clientIp", who.clientIp()).put("subject", who.subject())
        .put("issuer", who.issuer()).put("route", who.route());
    // Every record of the gateway has it; only a record made outside a listener (tests, tools) has not.
    return who.listener() == null ? event : event.put("listener", who.listener());
  }

  private void write(JsonObject event) {
    writer.write(event);
  }
}
