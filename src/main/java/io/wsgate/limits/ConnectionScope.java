package io.wsgate.limits;

/** What a connection cap counts by. */
public enum ConnectionScope {
  /** Every session of the gateway ({@code limits.maxConnections}), under the one key {@link #GLOBAL_KEY}. */
  GLOBAL,
  /** Sessions per client address ({@code connections.perIp.max}). */
  PER_IP,
  /** Sessions per subject of an issuer ({@code connections.perSubject.max}). */
  PER_SUBJECT,
  /**
   * A route's own caps ({@code routes[].connections}): keys start with the route's
   * {@link io.wsgate.policy.Route#limitScope()} and say what they count (the route, an address, a subject).
   */
  PER_ROUTE;

  public static final String GLOBAL_KEY = "*";
}
