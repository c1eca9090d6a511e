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
 */
public record Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
                    Duration upstreamCooldown, Path upstreamCa, RouteSecurity security) {
  public Route {
    upstreams = List.copyOf(upstreams);
    forwardHeaders = List.copyOf(forwardHeaders);
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
