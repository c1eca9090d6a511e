package io.wsgate.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the {@code routes:} list. */
final class RouteSection {
  static final List<String> KEYS = keys(List.of("path", "match", "upstreams", "forwardHeaders", "upstreamCooldown",
      "upstreamCa", "upstreamTls", "clients", "origins", "auth", "messages", "host", "limits", "connections",
      "clientCert", "listeners"), BalancingSection.KEYS);
  static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(10);
  static final String DEFAULT_MATCH = "exact";

  private final NodeReader reader;
  private final RouteSecuritySection security;
  private final int globalMaxMessageBytes;
  private final UpstreamTlsSection upstreamTls;
  private final PolicyPaths paths;
  private final List<NamedListener> listeners;

  /**
   * @param globalMaxMessageBytes {@code limits.maxMessageBytes}, which a route's own may not exceed
   * @param listeners             the policy's listeners, which routes may name ({@code routes[].listeners})
   */
  RouteSection(NodeReader reader, PolicyPaths paths, int globalMaxMessageBytes, List<NamedListener> listeners) {
    this.reader = reader;
    this.security = new RouteSecuritySection(reader, paths);
    this.globalMaxMessageBytes = globalMaxMessageBytes;
    this.upstreamTls = new UpstreamTlsSection(paths);
    this.paths = paths;
    this.listeners = List.copyOf(listeners);
  }

  /** @param issuers the top-level issuers, which routes name */
  List<Route> read(MappingReader top, List<Issuer> issuers) {
    List<String> listenerNames = listeners.stream().map(NamedListener::name).toList();
    top.requireKey("routes", "required (at least one route)");
    List<Node> items = top.sequence("routes");
    if (items == null) {
      return List.of();
    }
    if (items.isEmpty()) {
      top.error("routes", "must contain at least one route");
    }
    List<Route> routes = new ArrayList<>();
    Map<String, Node> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      MappingReader m = reader.mapping(items.get(i), "routes[" + i + "]", KEYS);
      Route route = route(m, issuers).withListeners(listeners(m, listenerNames));
      checkClientCertListeners(m, route);
      if (route.path() != null) {
        String match = route.prefix() ? "prefix" : "exact";
        String host = route.host() == null ? "" : " on host " + route.host().text();
        Node first = seen.putIfAbsent(match + " " + route.path() + host, m.position("path"));
        if (first != null) {
          m.error("path", "duplicate route " + NodeReader.quote(route.path()) + " (" + match + host
              + "), first defined at line " + first.getStartMark().map(mk -> mk.getLine() + 1).orElse(0));
        }
      }
      routes.add(route);
    }
    return routes;
  }

  private Route route(MappingReader m, List<Issuer> issuers) {
    m.requireKey("path", "required");
    String path = m.string("path", null);
    String pathProblem = path == null ? null : pathProblem(path);
    if (pathProblem != null) {
      m.error("path", pathProblem);
    }
    String match = m.string("match", DEFAULT_MATCH);
    if (!match.equals("exact") && !match.equals("prefix")) {
      m.error("match", "expected exact or prefix, got " + NodeReader.quote(match));
    }
    List<UpstreamTarget> upstreams = upstreams(m);
    List<String> forwardHeaders = forwardHeaders(m);
    Duration cooldown = m.duration("upstreamCooldown", DEFAULT_COOLDOWN);
    UpstreamTls tls = upstreamTls.read(m, upstreams);
    ClientCertSection.Parsed clientCert = ClientCertSection.read(m, paths);
    RouteSecurity routeSecurity = security.read(m, issuers, clientCert.certificateIdentity());
    Balancing balancing = BalancingSection.read(m, routeSecurity.auth());
    return new Route(pathProblem == null ? path : null, match.equals("prefix"), upstreams, forwardHeaders,
        cooldown, tls, routeSecurity, balancing, host(m)).withLimits(RouteLimitsSection.limits(m, globalMaxMessageBytes),
        RouteLimitsSection.connections(m)).withClientCert(clientCert.clientCert());
  }

  /** A plain ws:// listener sees no client certificate: a {@code clientCert} route must not be reachable through one. */
  private void checkClientCertListeners(MappingReader m, Route route) {
    if (route.clientCert() == null) {
      return;
    }
    for (NamedListener listener : listeners) {
      if (listener.listen().plain() && route.reachableThrough(listener.name())) {
        m.error("clientCert", listeners.size() == 1
            ? "needs a TLS listener (listen.tls): a plain ws:// listener sees no client certificate"
            : "needs TLS listeners: listener " + NodeReader.quote(listener.name())
                + " is plain ws:// and sees no client certificate (name the TLS ones in this route's listeners)");
        return;
      }
    }
  }

  private static List<String> keys(List<String> own, List<String> balancing) {
    List<String> all = new ArrayList<>(own);
    all.addAll(balancing);
    return List.copyOf(all);
  }

  /** {@code listeners:}, names of the policy's listeners; empty (every listener) when absent or invalid. */
  private static List<String> listeners(MappingReader m, List<String> known) {
    if (!m.has("listeners")) {
      return List.of();
    }
    List<MappingReader.StringItem> items = m.strings("listeners");
    if (items == null) {
      return List.of();
    }
    if (items.isEmpty() && m.sequence("listeners").isEmpty()) {
      m.error("listeners", "must name at least one listener (leave listeners out for every listener)");
    }
    List<String> names = new ArrayList<>();
    for (MappingReader.StringItem item : items) {
      if (known != null && !known.contains(item.value())) {
        m.reader().error(item.node(), item.field(), "unknown listener " + NodeReader.quote(item.value())
            + " (the policy's listeners: " + String.join(", ", known) + ")");
      } else if (names.contains(item.value())) {
        m.reader().error(item.node(), item.field(), "duplicate listener " + NodeReader.quote(item.value()));
      } else {
        names.add(item.value());
      }
    }
    return names;
  }

  /** {@code host:}; null (any host) when absent or invalid (reported). */
  private static HostPattern host(MappingReader m) {
    String text = m.string("host", null);
    if (text == null) {
      return null;
    }
    try {
      return HostPattern.parse(text);
    } catch (IllegalArgumentException e) {
      m.error("host", e.getMessage());
      return null;
    }
  }

  private static String pathProblem(String path) {
    if (!path.startsWith("/")) {
      return "must start with \"/\", got " + NodeReader.quote(path);
    }
    if (path.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      return "must not contain whitespace or control characters, got " + NodeReader.quote(path);
    }
    if (path.contains("?") || path.contains("#")) {
      return "must not contain \"?\" or \"#\" (a route matches the path only), got " + NodeReader.quote(path);
    }
    return null;
  }

  private List<UpstreamTarget> upstreams(MappingReader m) {
    m.requireKey("upstreams", "required (demo, or ws:// / wss:// URLs)");
    List<Node> items = m.sequence("upstreams");
    if (items == null) {
      return List.of();
    }
    if (items.isEmpty()) {
      m.error("upstreams", "must list at least one upstream");
    }
    List<UpstreamTarget> targets = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String field = m.field("upstreams") + "[" + i + "]";
      String text = reader.string(items.get(i), field);
      if (text == null) {
        continue;
      }
      try {
        targets.add(UpstreamTargets.parse(text));
      } catch (IllegalArgumentException e) {
        reader.error(items.get(i), field, e.getMessage());
      }
    }
    return targets;
  }

  private List<String> forwardHeaders(MappingReader m) {
    if (!m.has("forwardHeaders")) {
      return HeaderNames.DEFAULT_FORWARD;
    }
    List<Node> items = m.sequence("forwardHeaders");
    if (items == null) {
      return HeaderNames.DEFAULT_FORWARD;
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      String field = m.field("forwardHeaders") + "[" + i + "]";
      String text = reader.string(item, field);
      if (text == null) {
        continue;
      }
      try {
        String name = HeaderNames.validate(text);
        if (name.equals(HeaderNames.ALL) && items.size() > 1) {
          reader.error(item, field, "\"*\" must be the only entry");
        } else if (names.contains(name)) {
          reader.error(item, field, "duplicate header name " + NodeReader.quote(name));
        } else {
          names.add(name);
        }
      } catch (IllegalArgumentException e) {
        reader.error(item, field, e.getMessage());
      }
    }
    return names;
  }
}
