package io.wsgate.admin;

import io.vertx.core.Future;
import io.wsgate.audit.AuditLog;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.PolicyFiles;
import io.wsgate.reload.PolicyReloader;
import io.wsgate.session.Session;

import java.time.Instant;
import java.util.List;

/**
 * What the admin API may see and do: the port {@link AdminServer} is given instead of the gateway
 * itself (which starts the admin server, so the two would depend on each other).
 */
public interface AdminOperations {
  /** The policy in force. */
  record PolicyInfo(String version, String source, Instant loadedAt, List<PolicyFiles.Entry> files,
                    List<String> issuers) {
  }

  /** What a revocation through this node came to. */
  record Revoked(int sessionsClosed, boolean sharedLater) {
  }

  /** One gateway of the fleet as it last reported itself. */
  record ClusterNode(String nodeId, String address, long sessions, String policyVersion, Instant lastHeartbeat) {
  }

  /** This node's fleet. */
  interface ClusterView {
    /** This node's id. */
    String node();

    boolean storeUp();

    /** {@code failOpen} or {@code failClosed}. */
    String onStoreFailure();

    /** The nodes heard from within the liveness window; fails when the store does not answer. */
    Future<List<ClusterNode>> liveNodes();
  }

  /** The metrics, in the Prometheus text format. */
  String scrapeMetrics();

  /** The policy in force, or null before one is loaded. */
  PolicyInfo policy();

  /** Whether the client listeners are bound and accepting (false from the moment a stop begins). */
  boolean listening();

  /** Whether a graceful stop has begun (from its first moment, readiness grace included). */
  boolean stopping();

  AuditLog audit();

  List<Session> sessions();

  /** This gateway's node id (the audit's {@code node}). */
  String node();

  /** This node's fleet; null when the policy has no {@code cluster:} section. */
  ClusterView cluster();

  /** The live session with this id, or null. */
  Session session(String id);

  /**
   * Refuses the subject's tokens until {@code until} and closes its live sessions; durable when it completes.
   *
   * @return how many sessions were closed here, and whether the fleet gets it only later (its store
   *     was out of reach); fails with {@link io.wsgate.limits.RevocationListFull}
   */
  Future<Revoked> revokeSubject(SubjectId subject, Instant until);

  /** @return whether there was a revocation to lift */
  Future<Boolean> liftRevocation(SubjectId subject);

  /** Reloads the policy now; fails when reloading is not set up. */
  Future<PolicyReloader.Result> reload(String trigger);
}
