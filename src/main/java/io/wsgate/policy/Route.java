package io.wsgate.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A WebSocket route: which request paths it takes and which upstream pool serves them.
 *
 * @param path             request path, starts with {@code /}
 * @param prefix           true: matches {@code path} and anything below it; false: exact match only
 * @param upstreams        the pool, at least one member, tried in {@code balancing}'s order with failover
 * @param forwardHeaders   lower-case names of client request headers passed to the upstream;
 *                         the single entry {@code "*"} passes every end-to-end header
 * @param upstreamCooldown how long a member that failed to connect is skipped
 * @param upstreamTls      CA, client certificate and server name for {@code wss://} members; null = the JVM
 *                         trust store, no client certificate, each member's own host name
 * @param security         the route's guards and message filters
 * @param balancing        how new sessions are spread over the pool, health checks, slow start
 * @param host             which request hosts it takes; null: any host (see {@code CompiledPolicy#match})
 * @param limits           the route's own session bounds over the global ones; {@link RouteLimits#NONE}: none
 * @param connections      the route's own connection caps, on top of the global ones; {@link RouteConnections#NONE}: none
 * @param clientCert       the client certificate the route requires (mutual TLS); null: none
 * @param listeners        the names of the listeners it is reachable through ({@code listeners:}); empty: every one
 */
public record Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
                    Duration upstreamCooldown, UpstreamTls upstreamTls, RouteSecurity security, Balancing balancing,
                    HostPattern host, RouteLimits limits, RouteConnections connections, ClientCert clientCert,
                    List<String> listeners) {
  public Route {
    upstreams = List.copyOf(upstreams);
    forwardHeaders = List.copyOf(forwardHeaders);
    balancing = balancing == null ? Balancing.DEFAULT : balancing;
    limits = limits == null ? RouteLimits.NONE : limits;
    connections = connections == null ? RouteConnections.NONE : connections;
    listeners = listeners == null ? List.of() : List.copyOf(listeners);
  }

  /** A route with none of the per-route settings: no own limits or caps, no client certificate, every listener. */
  public Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
               Duration upstreamCooldown, UpstreamTls upstreamTls, RouteSecurity security, Balancing balancing,
               HostPattern host) {
    this(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, balancing, host,
        RouteLimits.NONE, RouteConnections.NONE, null, List.of());
  }

  /** A route for any host, balanced round-robin with no health checks ({@link Balancing#DEFAULT}). */
  public Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
               Duration upstreamCooldown, UpstreamTls upstreamTls, RouteSecurity security) {
    this(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, Balancing.DEFAULT, null);
  }

  /** The CA bundle trusted for {@code wss://} members; null = the JVM trust store. */
  public Path upstreamCa() {
    return upstreamTls == null ? null : upstreamTls.ca();
  }

  /** The same route balanced another way. */
  public Route withBalancing(Balancing other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, other, host,
        limits, connections, clientCert, listeners);
  }

  /** The same route for {@code host} (null: any host). */
  public Route withHost(HostPattern other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, balancing, other,
        limits, connections, clientCert, listeners);
  }

  /** The same route dialling its {@code wss://} members with {@code other}. */
  public Route withUpstreamTls(UpstreamTls other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, other, security, balancing, host,
        limits, connections, clientCert, listeners);
  }

  /** The same route with its own {@code limits:} and {@code connections:}. */
  public Route withLimits(RouteLimits ownLimits, RouteConnections ownConnections) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, balancing, host,
        ownLimits, ownConnections, clientCert, listeners);
  }

  /** The same route requiring {@code required} (null: no client certificate). */
  public Route withClientCert(ClientCert required) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, balancing, host,
        limits, connections, required, listeners);
  }

  /** The same route reachable only through the listeners named (empty: every listener). */
  public Route withListeners(List<String> names) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, balancing, host,
        limits, connections, clientCert, names);
  }

  /** Whether a request that arrived on the listener named {@code listener} may reach this route. */
  public boolean reachableThrough(String listener) {
    return listeners.isEmpty() || listeners.contains(listener);
  }

  /**
   * What the route's own connection caps and handshake rate count under: its {@link #id()} with its
   * match kind, since an exact and a prefix route may share a path (and so an id).
   */
  public String limitScope() {
    return (prefix ? "prefix " : "exact ") + id();
  }

  /**
   * How the audit, the metrics and {@code /sessions} name the route: its path, prefixed with its
   * host pattern when it has one ({@code a.test/chat}), so that routes of two hosts never share a name.
   */
  public String id() {
    return host == null ? path : host.text() + path;
  }

  public boolean matches(String requestPath) {
    if (!prefix) {
      return requestPath.equals(path);
    }
    if (!requestPath.startsWith(path)) {
      return false;
    }
    return path.endsWith("/") || requestPath.length() == path.length() || requestPath.charAt(path.length()) == '/';
  }
}
