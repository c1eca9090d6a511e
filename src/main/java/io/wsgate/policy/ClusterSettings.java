package io.wsgate.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code cluster:} section: the Redis store a fleet of gateways shares its limits, connection caps,
 * revocations and roll call through. Fixed at start. Without it ({@link #NONE}) the gateway keeps all
 * of that in its own process, as a single gateway always did. The password is never held here: only
 * where it is ({@code passwordEnv} or {@code passwordFile}).
 *
 * <pre>{@code
 * cluster:
 *   redis: redis://10.0.0.9:6379
 *   passwordFile: /run/secrets/redis-password
 *   nodeId: gw-a
 *   onStoreFailure: failOpen
 * }</pre>
 *
 * @param redis          where the store is; null only in {@link #NONE}
 * @param user           the Redis ACL user, or null for the default user
 * @param passwordEnv    environment variable holding the password, or null
 * @param passwordFile   file holding the password, or null (never both)
 * @param nodeId         this gateway's name in the fleet and in its audit records; null: as the audit
 *                       names the node ({@code audit.nodeId}, {@code WSGATE_NODE_ID}, the host name)
 * @param onStoreFailure what the gateway does while the store does not answer
 * @param storeTimeout   the longest one handshake waits on the store, all its calls together
 * @param leaseTtl       how long a node's connection slots outlive its last renewal (a node killed
 *                       without a word frees its slots within this)
 * @param syncPeriod     how often at most a node's view of a shared message bucket goes unsynced
 */
public record ClusterSettings(StoreEndpoint redis, String user, String passwordEnv, Path passwordFile, String nodeId,
                              OnStoreFailure onStoreFailure, Duration storeTimeout, Duration leaseTtl,
                              Duration syncPeriod) {
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofMillis(50);
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_SYNC_PERIOD = Duration.ofMillis(100);
  public static final OnStoreFailure DEFAULT_ON_STORE_FAILURE = OnStoreFailure.FAIL_OPEN;

  /** No {@code cluster:} section: one process, in-process state. */
  public static final ClusterSettings NONE = new ClusterSettings(null, null, null, null, null,
      DEFAULT_ON_STORE_FAILURE, DEFAULT_STORE_TIMEOUT, DEFAULT_LEASE_TTL, DEFAULT_SYNC_PERIOD);

  /** What the gateway does while the cluster store is down, slow or out of reach. */
  public enum OnStoreFailure {
    /** Each node falls back to its own limits, caps and revocation list; traffic continues. */
    FAIL_OPEN("failOpen"),
    /** New handshakes get 503 ({@code store_unavailable}) until the store answers; live sessions continue. */
    FAIL_CLOSED("failClosed");

    private final String policyName;

    OnStoreFailure(String policyName) {
      this.policyName = policyName;
    }

    public String policyName() {
      return policyName;
    }
  }

  public ClusterSettings {
    Objects.requireNonNull(onStoreFailure, "onStoreFailure");
    Objects.requireNonNull(storeTimeout, "storeTimeout");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(syncPeriod, "syncPeriod");
    if (passwordEnv != null && passwordFile != null) {
      throw new IllegalArgumentException("passwordEnv and passwordFile are exclusive");
    }
    if (nodeId != null && !AuditSettings.NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("nodeId " + AuditSettings.NODE_ID_RULE + ", got " + nodeId);
    }
  }

  /** A fleet member with the defaults (tests, tools). */
  public static ClusterSettings of(StoreEndpoint redis) {
    return new ClusterSettings(Objects.requireNonNull(redis, "redis"), null, null, null, null,
        DEFAULT_ON_STORE_FAILURE, DEFAULT_STORE_TIMEOUT, DEFAULT_LEASE_TTL, DEFAULT_SYNC_PERIOD);
  }

  /** True when the policy has a {@code cluster:} section. */
  public boolean enabled() {
    return redis != null;
  }

  public ClusterSettings withNodeId(String value) {
    return new ClusterSettings(redis, user, passwordEnv, passwordFile, value, onStoreFailure, storeTimeout, leaseTtl,
        syncPeriod);
  }

  public ClusterSettings withOnStoreFailure(OnStoreFailure value) {
    return new ClusterSettings(redis, user, passwordEnv, passwordFile, nodeId, value, storeTimeout, leaseTtl,
        syncPeriod);
  }

  public ClusterSettings withLeaseTtl(Duration value) {
    return new ClusterSettings(redis, user, passwordEnv, passwordFile, nodeId, onStoreFailure, storeTimeout, value,
        syncPeriod);
  }

  public ClusterSettings withStoreTimeout(Duration value) {
    return new ClusterSettings(redis, user, passwordEnv, passwordFile, nodeId, onStoreFailure, value, leaseTtl,
        syncPeriod);
  }

  /** The audit settings a fleet member writes with: {@link #nodeId} names its records unless the audit section does. */
  public AuditSettings auditNaming(AuditSettings audit) {
    if (nodeId == null || audit.nodeId() != null) {
      return audit;
    }
    return audit.withNodeId(nodeId);
  }
}
