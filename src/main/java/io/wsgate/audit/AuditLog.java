package io.wsgate.audit;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One JSON object per decision, written to the {@code wsgate.audit} logger. Never holds message
 * bodies, tokens or keys: callers pass only the fields below.
 */
public final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger("wsgate.audit");

  private final GatewayMetrics metrics;

  public AuditLog(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public void rejected(String requestId, String clientIp, String path, Reason reason) {
    metrics.count(reason);
    write(event("handshake.rejected")
        .put("requestId", requestId).put("clientIp", clientIp).put("path", path)
        .put("reason", reason.tag()).put("status", reason.code()));
  }

  public void accepted(String requestId, String clientIp, String route, String upstream, String origin,
                       String subject, String policyVersion) {
    metrics.accepted();
    write(event("session.accepted")
        .put("requestId", requestId).put("clientIp", clientIp).put("route", route)
        .put("upstream", upstream).put("origin", origin).put("subject", subject).put("policyVersion", policyVersion));
  }

  /** A guard or rule in monitor mode would have refused: audited and counted, traffic passes. */
  public void monitored(String requestId, String clientIp, String path, Reason reason, String rule) {
    metrics.monitored(reason);
    write(event("monitor.would_deny")
        .put("requestId", requestId).put("clientIp", clientIp).put("path", path)
        .put("reason", reason.tag()).put("rule", rule));
  }

  public void closed(String requestId, Reason reason, int clientCode, int upstreamCode, long durationMs,
                     long msgsUp, long bytesUp, long msgsDown, long bytesDown) {
    if (reason != null) {
      metrics.count(reason);
    }
    metrics.closed(reason, msgsUp, bytesUp, msgsDown, bytesDown);
    write(event("session.closed")
        .put("requestId", requestId).put("reason", reason == null ? "peer_closed" : reason.tag())
        .put("clientCloseCode", clientCode).put("upstreamCloseCode", upstreamCode)
        .put("durationMs", durationMs)
        .put("messagesToUpstream", msgsUp).put("bytesToUpstream", bytesUp)
        .put("messagesToClient", msgsDown).put("bytesToClient", bytesDown));
  }

  /** A message rule refused a message; the message body is never recorded. */
  public void messageRefused(String sessionId, String direction, Reason reason, String rule, String action,
                             boolean monitored, String subject) {
    write(event(monitored ? "message.monitor_would_refuse" : "message.refused")
        .put("requestId", sessionId).put("direction", direction).put("reason", reason.tag())
        .put("rule", rule).put("action", action).put("subject", subject));
  }

  public void reauthenticated(String sessionId, String subject, String expiresAt) {
    write(event("session.reauthenticated").put("requestId", sessionId).put("subject", subject)
        .put("expiresAt", expiresAt));
  }

  public void policyReloaded(String trigger, String fromVersion, String toVersion, int sessionsClosed) {
    metrics.reload(true);
    write(event("policy.reload").put("outcome", "ok").put("trigger", trigger)
        .put("fromVersion", fromVersion).put("policyVersion", toVersion).put("sessionsClosed", sessionsClosed));
  }

  public void policyReloadFailed(String trigger, String keptVersion, int errorCount) {
    metrics.reload(false);
    write(event("policy.reload").put("outcome", "failed").put("trigger", trigger)
        .put("policyVersion", keptVersion).put("errors", errorCount));
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

  /** Queue depth, drops and writability of the audit trail, for {@code /metrics} and {@code /ready}. */
  public AuditStatus status() {
    return AuditStatus.SYNCHRONOUS;
  }

  private static JsonObject event(String type) {
    return new JsonObject().put("ts", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()).put("event", type);
  }

  private static void write(JsonObject event) {
    LOG.info(event.encode());
  }
}
