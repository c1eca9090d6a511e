package io.wsgate;

import io.wsgate.audit.AuditedRequest;
import io.wsgate.filter.Decision;
import io.wsgate.limits.Revocations;
import io.wsgate.logging.RequestLog;
import io.wsgate.metrics.SessionCounts;
import io.wsgate.policy.Direction;
import io.wsgate.session.Session;
import io.wsgate.session.SessionEvents;
import io.wsgate.token.TokenVerifier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/** Sessions' events, handled by the gateway: the session registry, the audit and the metrics. */
final class GatewaySessionEvents implements SessionEvents {
  private static final Logger LOG = LoggerFactory.getLogger(GatewaySessionEvents.class);
  private final GatewayServices services;

  GatewaySessionEvents(GatewayServices services) {
    this.services = services;
  }

  @Override
  public void started(Session session) {
    services.sessions().add(session);
    services.meters().sessionStarted(session.id(), new Counts(session));
  }

  @Override
  public void ended(Session session, Ending e) {
    services.sessions().remove(session);
    services.meters().sessionEnded(session.id(), e.reason());
    if (e.reason() == Reason.UPSTREAM_LOST) {
      RequestLog.warn(LOG, session.id(), "Upstream {} of route {} lost the session after {} ms", session.upstreamLabel(),
          session.route(), e.durationMs());
    }
    services.audit().closed(session.audited(), e.reason(), e.clientCloseCode(), e.upstreamCloseCode(), e.durationMs(),
        e.messagesToUpstream(), e.bytesToUpstream(), e.messagesToClient(), e.bytesToClient());
  }

  /** A close-action refusal is counted here by its action; the session it ends is counted by its end, as every close is. */
  @Override
  public void messageRefused(AuditedRequest who, Direction direction, Decision.Hit hit, boolean monitored,
                             boolean audited) {
    if (monitored) {
      services.audit().metrics().monitored(hit.reason());
    } else {
      services.audit().metrics().refused(hit.reason(), hit.action());
    }
    if (audited) {
      services.audit().messageRefused(who, direction, hit.reason(), hit.rule(), hit.action(), monitored);
    }
  }

  @Override
  public void reauthenticated(AuditedRequest who, Instant expiresAt) {
    services.audit().reauthenticated(who, expiresAt.toString());
  }

  @Override
  public void reauthRefused(AuditedRequest who, String why) {
    services.audit().reauthRefused(who, why);
  }

  @Override
  public TokenVerifier tokens() {
    return services.current().tokens();
  }

  @Override
  public Revocations revocations() {
    return services.revocations();
  }

  /** A session's relay counts and labels, as the metrics read them. */
  private record Counts(Session session) implements SessionCounts {
    @Override
    public String route() {
      return session.route();
    }

    @Override
    public String upstreamLabel() {
      return session.upstreamLabel();
    }

    @Override
    public long messagesToUpstream() {
      return session.messagesToUpstream();
    }

    @Override
    public long bytesToUpstream() {
      return session.bytesToUpstream();
    }

    @Override
    public long messagesToClient() {
      return session.messagesToClient();
    }

    @Override
    public long bytesToClient() {
      return session.bytesToClient();
    }
  }
}
