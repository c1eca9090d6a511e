package io.wsgate.policy;

/**
 * A route's {@code connections:}: caps and a handshake rate counted for this route alone, on top of
 * (never instead of) the global {@code connections:} and {@code limits.maxConnections}. Any field may be
 * null (no such cap on this route).
 *
 * @param max              live sessions on this route
 * @param perIp            live sessions on this route per client address
 * @param perSubject       live sessions on this route per subject of an issuer
 * @param handshakesPerIp  upgrade requests to this route per client address
 * @param mode             enforce, or monitor (refusals are recorded, not made)
 */
public record RouteConnections(Integer max, Integer perIp, Integer perSubject, Rate handshakesPerIp, Mode mode) {
  public static final RouteConnections NONE = new RouteConnections(null, null, null, null, Mode.ENFORCE);
}
