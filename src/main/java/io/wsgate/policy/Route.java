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
 */
public record Route(String path, boolean prefix, List<UpstreamTarget> upstreams, List<String> forwardHeaders,
                    Duration upstreamCooldown, UpstreamTls upstreamTls, RouteSecurity security, Balancing balancing,
                    HostPattern host) {
  public Route {
    upstreams = List.copyOf(upstreams);
    forwardHeaders = List.copyOf(forwardHeaders);
    balancing = balancing == null ? Balancing.DEFAULT : balancing;
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
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, other, host);
  }

  /** The same route for {@code host} (null: any host). */
  public Route withHost(HostPattern other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, upstreamTls, security, balancing, other);
  }

  /** The same route dialling its {@code wss://} members with {@code other}. */
  public Route withUpstreamTls(UpstreamTls other) {
    return new Route(path, prefix, upstreams, forwardHeaders, upstreamCooldown, other, security, balancing, host);
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
