package io.wsgate.cluster;

/**
 * Every Redis key and channel wsgate uses, in one place, all under {@code wsgate:}. Keys that one
 * script touches together share a hash tag ({@code {nodes}}) so that they live in one Redis Cluster
 * slot; every other script touches a single key.
 */
final class ClusterKeys {
  static final String PREFIX = "wsgate:";
  /** Hash: {@link io.wsgate.limits.SubjectId#key()} → revoked until (epoch milliseconds). */
  static final String REVOCATIONS = PREFIX + "revocations";
  /**
   * String: a random id written when the revocation hash is first used. Missing, or another than a
   * node last saw, means Redis lost its data (or was replaced) since: nodes then re-publish what they know.
   */
  static final String REVOCATIONS_EPOCH = PREFIX + "revocations:epoch";
  /** Pub/sub channel announcing every revoke and lift. */
  static final String REVOCATION_EVENTS = PREFIX + "revocations:events";
  /** Hash: node id → the node's record (JSON). */
  static final String NODE_RECORDS = PREFIX + "{nodes}:records";
  /** Sorted set: node id scored by its last heartbeat (Redis server time, milliseconds). */
  static final String NODE_HEARTBEATS = PREFIX + "{nodes}:heartbeats";

  private ClusterKeys() {
  }

  /** A Bucket4j bucket: {@code wsgate:bucket:<rule-id>:<key>}. */
  static String bucket(String ruleId, String key) {
    return PREFIX + "bucket:" + ruleId + ":" + key;
  }

  /** A concurrency cap's leases: {@code wsgate:lease:<key>}, e.g. {@code wsgate:lease:ip:192.0.2.7}. */
  static String lease(String key) {
    return PREFIX + "lease:" + key;
  }
}
