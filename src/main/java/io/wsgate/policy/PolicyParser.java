package io.wsgate.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.Node;

/** Turns a composed {@code gateway.yaml} node tree into a {@link GatewayPolicy}, reporting into a {@link NodeReader}. */
final class PolicyParser {
  static final List<String> TOP_KEYS =
      List.of("listen", "listeners", "issuers", "connections", "routes", "limits", "shutdown", "reload", "dev", "admin", "audit",
          "cluster", "probes");
  static final List<String> LIMIT_KEYS = List.of("maxMessageBytes", "idleTimeout", "maxLifetime", "maxConnections",
      "handshakeTimeout", "upstreamConnectTimeout", "pingInterval", "maxControlFramesPerSecond", "controlFrameBurst",
      "freeFragments", "minAverageFragmentBytes", "sendTimeout", "maxReauthPerMinute");
  static final List<String> SHUTDOWN_KEYS = List.of("closeCode", "drainWindow", "drainTimeout", "readinessGrace");
  /** The longest readiness grace: a load balancer that needs more than this to notice is not checking. */
  static final Duration MAX_READINESS_GRACE = Duration.ofMinutes(10);
  static final List<String> DEV_KEYS = List.of("demoPage");
  static final List<String> RELOAD_KEYS = List.of("recheckSessions", "removedRoutes", "watch");

  static final int MAX_MESSAGE_BYTES_LIMIT = 64 << 20;
  static final Limits DEFAULT_LIMITS = Limits.DEFAULT;
  static final Shutdown DEFAULT_SHUTDOWN = new Shutdown(1001, Duration.ofSeconds(5), Duration.ofSeconds(30));

  private final NodeReader reader;
  private final PolicyPaths paths;
  private final Function<String, String> env;

  /** @param env environment variables (HMAC secrets named by {@code hmacSecretEnv} are checked, never kept) */
  PolicyParser(NodeReader reader, PolicyPaths paths, Function<String, String> env) {
    this.reader = reader;
    this.paths = paths;
    this.env = env;
  }

  /** Always returns a policy; it is only valid if the reader recorded no errors. */
  GatewayPolicy parse(Node root, String version, Path source) {
    MappingReader top = reader.mapping(root, "", TOP_KEYS);
    ListenersSection.Read listeners = new ListenersSection(reader, paths).read(top);
    List<Issuer> issuers = new IssuersSection(reader, paths, env).read(top);
    ConnectionLimits connections = ConnectionsSection.read(top);
    MappingReader limitSection = top.mapping("limits", LIMIT_KEYS);
    int maxMessageBytes =
        limitSection.size("maxMessageBytes", StartupSettings.DEFAULT_MAX_MESSAGE_BYTES, 1, MAX_MESSAGE_BYTES_LIMIT);
    List<Route> routes = new RouteSection(reader, paths, maxMessageBytes, listeners.listeners()).read(top, issuers);
    Limits limits = limits(limitSection);
    Shutdown shutdown = shutdown(top.mapping("shutdown", SHUTDOWN_KEYS));
    MappingReader reload = top.mapping("reload", RELOAD_KEYS);
    boolean recheck = reload.bool("recheckSessions", false);
    boolean closeRemoved = removedRoutes(reload);
    Dev dev = new Dev(top.mapping("dev", DEV_KEYS).bool("demoPage", false));
    AdminSettings admin = new AdminSection(paths, env).read(top);
    AuditSettings audit = new AuditSection(paths, env).read(top);
    ClusterSettings cluster = new ClusterSection(paths, env).read(top, audit);
    ProbeSettings probes = ProbesSection.read(top, listeners.listeners(), admin);
    StartupSettings startup = new StartupSettings(listeners.first().listen(), listeners.first().proxyProtocol(),
        maxMessageBytes,
        limitSection.positiveDuration("handshakeTimeout", StartupSettings.DEFAULT_HANDSHAKE_TIMEOUT),
        limitSection.positiveDuration("upstreamConnectTimeout", StartupSettings.DEFAULT_UPSTREAM_CONNECT_TIMEOUT),
        reload.bool("watch", StartupSettings.DEFAULT_WATCH), admin, audit, cluster, probes, listeners.listeners());
    RuntimePolicy runtime = new RuntimePolicy(routes, limits, shutdown, dev,
        new Security(listeners.firstClients(), issuers, connections, recheck, closeRemoved, listeners.clients()));
    return new GatewayPolicy(version, source, startup, runtime);
  }

  /** {@code reload.removedRoutes}: {@code close} (default) or {@code keep}; true means close. */
  private static boolean removedRoutes(MappingReader reload) {
    return !reload.choice("removedRoutes", List.of("close", "keep"), "close").equals("keep");
  }

  private static Limits limits(MappingReader m) {
    Limits d = DEFAULT_LIMITS;
    return new Limits(
        m.positiveDuration("idleTimeout", d.idleTimeout()),
        m.positiveDuration("maxLifetime", d.maxLifetime()),
        m.integer("maxConnections", d.maxConnections(), 1, 10_000_000),
        m.positiveDuration("pingInterval", d.pingInterval()),
        frames(m, d.frames()),
        m.positiveDuration("sendTimeout", d.sendTimeout()),
        m.integer("maxReauthPerMinute", d.maxReauthPerMinute(), 1, 10_000));
  }

  private static FrameLimits frames(MappingReader m, FrameLimits d) {
    int perSecond = m.integer("maxControlFramesPerSecond", (int) d.controlFrames().permits(), 1, 1_000_000);
    int burst = m.integer("controlFrameBurst", (int) d.controlFrames().burst(), 1, 1_000_000);
    return new FrameLimits(new Rate(perSecond, Duration.ofSeconds(1), burst),
        m.integer("freeFragments", d.freeFragments(), 1, 1_000_000),
        m.size("minAverageFragmentBytes", d.minAverageFragmentBytes(), 1, MAX_MESSAGE_BYTES_LIMIT));
  }

  private static Shutdown shutdown(MappingReader m) {
    Shutdown d = DEFAULT_SHUTDOWN;
    int closeCode = m.integer("closeCode", d.closeCode(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    if (closeCode != 1001 && closeCode != 1012) {
      m.error("closeCode", "must be 1001 (going away) or 1012 (service restart), got " + closeCode);
    }
    Duration window = m.duration("drainWindow", d.drainWindow());
    Duration timeout = m.positiveDuration("drainTimeout", d.drainTimeout());
    if (timeout.compareTo(window) < 0) {
      if (m.has("drainTimeout")) {
        m.error("drainTimeout", "must be at least drainWindow (" + Units.format(window) + "), got "
            + Units.format(timeout));
      } else {
        m.error("drainWindow", "must not exceed drainTimeout (" + Units.format(timeout) + "), got "
            + Units.format(window));
      }
    }
    Duration grace = m.duration("readinessGrace", d.readinessGrace());
    if (grace.compareTo(MAX_READINESS_GRACE) > 0) {
      m.error("readinessGrace", "must be at most " + Units.format(MAX_READINESS_GRACE) + ", got " + Units.format(grace));
    }
    return new Shutdown(closeCode, window, timeout, grace);
  }
}
