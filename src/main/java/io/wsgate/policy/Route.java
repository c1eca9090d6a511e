package io.wsgate.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A WebSocket route: which request paths it takes and which upstream pool serves them.
 *
 * @param path             request path, starts with {@code /}
 * @param prefix           true: matches {@code path} and anything below it; false: exact match only
 * @param upstreams        the pool, at least one member, tried round-robin with failover
 * @param forwardHeaders   lower-case names of client request headers passed to the upstream;
 *                         the single entry {@code "*"} passes every end-to-end header
 * @param upstreamCooldown how long a member that failed to connect is skipped
 * @param upstreamCa       PEM CA bundle trusted for {@code wss://} members; null = JVM trust store
 * @param security         the route's guards and message filters
 * @param host             which request hosts it takes; null: any host (see {@code CompiledPolicy#match})
 */
public record Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
                    Duration upstreamCooldown, Path upstreamCa, RouteSecurity security, HostPattern host) {
  public Route {
    upstreams = List.copyOf(upstreams);
    forwardHeaders = List.copyOf(forwardHeaders);
  }

  /** A route for any host. */
  public Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
               Duration upstreamCooldown, Path upstreamCa, RouteSecurity security) {
    this(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, null);
  }

  /** The same route for {@code host} (null: any host). */
  public Route withHost(HostPattern host) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamCa, security, host);
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
