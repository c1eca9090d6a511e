package io.wsgate;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.fleet.Fleet;
import io.wsgate.admin.AdminOperations;
import io.wsgate.audit.AuditLog;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.Issuer;
import io.wsgate.reload.PolicyReloader;
import io.wsgate.session.Session;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
    List<String> issuers = new java.util.ArrayList<>(current.policy().security().issuers().stream().map(Issuer::name)
        .toList());
    // Sessions a client certificate authenticated carry this issuer: the admin API may name it (revocation).
    if (current.policy().routes().stream().anyMatch(r -> r.clientCert() != null && r.clientCert().standsForToken())) {
      issuers.add(io.wsgate.policy.ClientCert.ISSUER);
    }
    return new PolicyInfo(current.policy().version(), String.valueOf(current.policy().source()), current.builtAt(),
        current.files(), List.copyOf(issuers));
  }

  @Override
  public boolean listening() {
    return gateway.listening();
  }

  @Override
  public boolean stopping() {
    return gateway.stopping();
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
  public Future<Revoked> revokeSubject(SubjectId subject, Instant until) {
    return gateway.revoke(subject, until);
  }

  @Override
  public String node() {
    return services.audit().node();
  }

  @Override
  public ClusterView cluster() {
    Fleet fleet = gateway.fleet();
    if (fleet == null) {
      return null;
    }
    return new ClusterView() {
      @Override
      public String node() {
        return fleet.node();
      }

      @Override
      public boolean storeUp() {
        return fleet.storeUp();
      }

      @Override
      public String onStoreFailure() {
        return fleet.settings().onStoreFailure().policyName();
      }

      @Override
      public Future<List<ClusterNode>> liveNodes() {
        Context context = Vertx.currentContext();
        CompletableFuture<List<ClusterNode>> nodes = fleet.liveNodesNow().thenApply(list -> list.stream()
            .map(n -> new ClusterNode(n.nodeId(), n.address(), n.sessions(), n.policyVersion(), n.lastHeartbeat()))
            .toList());
        return context == null ? Future.fromCompletionStage(nodes) : Future.fromCompletionStage(nodes, context);
      }
    };
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
