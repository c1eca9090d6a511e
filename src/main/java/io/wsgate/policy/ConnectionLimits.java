package io.wsgate.policy;

/**
 * Handshake rates and concurrent connections per client IP, per subject and globally (Bucket4j
 * buckets in bounded caches). Any field may be null (no such limit).
 *
 * @param maxTrackedKeys bound on the number of IPs / subjects tracked at once (memory cap)
 */
public record ConnectionLimits(Rate handshakesPerIp, Integer connectionsPerIp, Integer connectionsPerSubject,
                               Rate handshakesGlobal, int maxTrackedKeys, Mode mode) {
  public static final ConnectionLimits NONE = new ConnectionLimits(null, null, null, null, 100_000, Mode.ENFORCE);
}
