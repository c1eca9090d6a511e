/**
 * State shared by a fleet of gateways, kept in Redis (standalone, Sentinel or Cluster) through one
 * Lettuce connection per node: {@link io.wsgate.cluster.RedisStore} (the connection, bounded calls,
 * health), {@link io.wsgate.cluster.ClusterBuckets} (rates, through Bucket4j's Redis backend),
 * {@link io.wsgate.cluster.ClusterLeases} (connection caps), {@link io.wsgate.cluster.ClusterRevocations}
 * (revocations, pushed by pub/sub) and {@link io.wsgate.cluster.ClusterNodes} (the live nodes).
 *
 * <p>Everything is asynchronous and bounded in time; no call blocks its caller. Futures and listeners
 * complete on Lettuce's threads: a Vert.x caller returns to its context
 * ({@code Future.fromCompletionStage(stage, context)}). Keys and channels: {@code ClusterKeys}.
 * {@link io.wsgate.fleet} wires it into the gateway, behind the {@code RateLimitBackend} seam.
 */
package io.wsgate.cluster;
