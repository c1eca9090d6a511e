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
 * @param clientCert       the client certificate the route requires (mutual TLS); null: none
 */
public record Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
                    Duration upstreamCooldown, Path upstreamCa, RouteSecurity security, Balancing balancing,
                    HostPattern host, ClientCert clientCert) {
  public Route {
    upstreams = List.copyOf(upstreams);
    forwardHeaders = List.copyOf(forwardHeaders);
    balancing = balancing == null ? Balancing.DEFAULT : balancing;
  }

  /** A route without a client certificate requirement. */
  public Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
               Duration upstreamCooldown, Path upstreamCa, RouteSecurity security, Balancing balancing,
               HostPattern host) {
    this(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, balancing, host, null);
  }

  /** A route for any host, balanced round-robin with no health checks ({@link Balancing#DEFAULT}). */
  public Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
               Duration upstreamCooldown, Path upstreamCa, RouteSecurity security) {
    this(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, Balancing.DEFAULT, null);
  }

  /** The same route balanced another way. */
  public Route withBalancing(Balancing other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, other, host,
        clientCert);
  }

  /** The same route for {@code host} (null: any host). */
  public Route withHost(HostPattern other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, balancing, other,
        clientCert);
  }

  /** The same route requiring {@code required} (null: no client certificate). */
  public Route withClientCert(ClientCert required) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, balancing, host,
        required);
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
