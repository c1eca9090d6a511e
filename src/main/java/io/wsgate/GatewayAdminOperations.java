package io.wsgate;

import io.vertx.core.Future;
import io.wsgate.admin.AdminOperations;
import io.wsgate.audit.AuditLog;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.Issuer;
import io.wsgate.reload.PolicyReloader;
import io.wsgate.session.Session;

import java.time.Instant;
import java.util.List;

/** The admin API's view of one gateway. */
final class GatewayAdminOperations implements AdminOperations {
  private final Gateway gateway;
  private final GatewayServices services;

  GatewayAdminOperations(Gateway gateway, GatewayServices services) {
    this.gateway = gateway;
    this.services = services;
  }

  @Override
  public String scrapeMetrics() {
    return services.meters().scrape();
  }

  @Override
  public PolicyInfo policy() {
    CompiledPolicy current = services.current();
    if (current == null) {
      return null;
    }
    return new PolicyInfo(current.policy().version(), String.valueOf(current.policy().source()), current.builtAt(),
        current.files(), current.policy().security().issuers().stream().map(Issuer::name).toList());
  }

  @Override
  public boolean listening() {
    return gateway.listening();
  }

  @Override
  public AuditLog audit() {
    return services.audit();
  }

  @Override
  public List<Session> sessions() {
    return services.sessions().snapshot();
  }

  @Override
  public Session session(String id) {
    return services.sessions().get(id);
  }

  @Override
  public Future<Integer> revokeSubject(SubjectId subject, Instant until) {
    return gateway.revokeSubject(subject, until);
  }

  @Override
  public Future<Boolean> liftRevocation(SubjectId subject) {
    return gateway.liftRevocation(subject);
  }

  @Override
  public Future<PolicyReloader.Result> reload(String trigger) {
    return gateway.reload(trigger);
  }
}
