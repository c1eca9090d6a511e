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
 * @param upstreamCa       PEM CA bundle trusted for {@code wss://} members; null = JVM trust store
 * @param security         the route's guards and message filters
 * @param balancing        how new sessions are spread over the pool, health checks, slow start
 * @param host             which request hosts it takes; null: any host (see {@code CompiledPolicy#match})
 * @param listeners        the names of the listeners it is reachable through ({@code listeners:}); empty: every one
 */
public record Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
                    Duration upstreamCooldown, Path upstreamCa, RouteSecurity security, Balancing balancing,
                    HostPattern host, List<String> listeners) {
  public Route {
    upstreams = List.copyOf(upstreams);
    forwardHeaders = List.copyOf(forwardHeaders);
    balancing = balancing == null ? Balancing.DEFAULT : balancing;
    listeners = listeners == null ? List.of() : List.copyOf(listeners);
  }

  /** A route reachable through every listener. */
  public Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
               Duration upstreamCooldown, Path upstreamCa, RouteSecurity security, Balancing balancing,
               HostPattern host) {
    this(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, balancing, host, List.of());
  }

  /** A route for any host, balanced round-robin with no health checks ({@link Balancing#DEFAULT}). */
  public Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
               Duration upstreamCooldown, Path upstreamCa, RouteSecurity security) {
    this(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, Balancing.DEFAULT, null);
  }

  /** The same route balanced another way. */
  public Route withBalancing(Balancing other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, other, host,
        listeners);
  }

  /** The same route for {@code host} (null: any host). */
  public Route withHost(HostPattern other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, balancing, other,
        listeners);
  }

  /** The same route reachable only through the listeners named (empty: every listener). */
  public Route withListeners(List<String> names) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, balancing, host,
        names);
  }

  /** Whether a request that arrived on the listener named {@code listener} may reach this route. */
  public boolean reachableThrough(String listener) {
    return listeners.isEmpty() || listeners.contains(listener);
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
