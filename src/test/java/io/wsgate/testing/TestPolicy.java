package io.wsgate.testing;

import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Cidr;
import io.wsgate.policy.ClientAddresses;
import io.wsgate.policy.ClusterSettings;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Dev;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.ProbeSettings;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.policy.Security;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.FrameLimits;
import io.wsgate.policy.Limits;
import io.wsgate.policy.Listener;
import io.wsgate.policy.Route;
import io.wsgate.policy.RuntimePolicy;
import io.wsgate.policy.Shutdown;
import io.wsgate.policy.StartupSettings;
import io.wsgate.policy.Tls;
import io.wsgate.policy.UpstreamTarget;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Builds policies for tests: loopback, port 0, the test certificate, short timeouts. */
public final class TestPolicy {
  /** Tests of the core relay run without guards: any address, any Origin, anonymous. */
  public static final RouteSecurity OPEN_ROUTE = new RouteSecurity(null,
      new OriginRules(List.of("*"), true, true, Mode.ENFORCE), Auth.ANONYMOUS, MessageRules.NONE);
  public static final IpRules ANY_ADDRESS = new IpRules(List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")),
      List.of(), Mode.ENFORCE);
  private Security security = new Security(new ClientAddresses(ANY_ADDRESS, List.of()), List.of(),
      ConnectionLimits.NONE, false);
  private final List<Route> routes = new ArrayList<>();
  private int maxMessageBytes = 65536;
  private Duration idleTimeout = Duration.ofMinutes(5);
  private Duration maxLifetime = Duration.ofHours(1);
  private int maxConnections = 10_000;
  private Duration handshakeTimeout = Duration.ofSeconds(10);
  private Duration upstreamTimeout = Duration.ofSeconds(5);
  private Duration pingInterval = Duration.ofSeconds(30);
  private FrameLimits frames = FrameLimits.DEFAULT;
  private Duration sendTimeout = Limits.DEFAULT_SEND_TIMEOUT;
  private int maxReauthPerMinute = Limits.DEFAULT_MAX_REAUTH_PER_MINUTE;
  private int closeCode = 1001;
  private Duration drainWindow = Duration.ZERO;
  private Duration drainTimeout = Duration.ofSeconds(10);
  private boolean plain;
  private String host = "127.0.0.1";
  private int port;
  private boolean demoPage;
  private boolean proxyProtocol;
  private Tls tls = new Tls(TestCerts.cert(), TestCerts.key(), false);
  private AdminSettings admin = AdminSettings.DISABLED;
  private ProbeSettings probes = ProbeSettings.DISABLED;
  private Duration readinessGrace = Shutdown.DEFAULT_READINESS_GRACE;
  private AuditSettings audit = AuditSettings.LOG_ONLY;
  private String listenerName = io.wsgate.policy.NamedListener.DEFAULT_NAME;
  private final List<io.wsgate.policy.NamedListener> moreListeners = new ArrayList<>();
  private final java.util.Map<String, ClientAddresses> moreClients = new java.util.LinkedHashMap<>();

  public static TestPolicy create() {
    return new TestPolicy();
  }

  public TestPolicy route(String path, String... upstreamUrls) {
    return route(path, false, List.of("user-agent", "accept-language", "cookie", "origin"), upstreamUrls);
  }

  public TestPolicy route(String path, boolean prefix, List<String> forwardHeaders, String... upstreamUrls) {
    List<UpstreamTarget> targets = new ArrayList<>();
    for (String url : upstreamUrls) {
      targets.add(url.equals("demo") ? UpstreamTarget.embeddedDemo() : target(url));
    }
    routes.add(new Route(path, prefix, targets, forwardHeaders, Duration.ofSeconds(10), null, OPEN_ROUTE));
    return this;
  }

  /** Replaces the last route's guards and filters. */
  public TestPolicy security(RouteSecurity security) {
    Route last = routes.remove(routes.size() - 1);
    routes.add(new Route(last.path(), last.prefix(), last.upstreams(), last.forwardHeaders(), last.upstreamCooldown(),
        last.upstreamTls(), security, last.balancing(), last.host(), last.limits(), last.connections(),
        last.clientCert(), last.listeners()));
    return this;
  }

  /** Replaces the last route's balancing ({@code balance}, {@code hashOn}, {@code healthCheck}, {@code slowStart}). */
  public TestPolicy balancing(io.wsgate.policy.Balancing balancing) {
    routes.add(routes.remove(routes.size() - 1).withBalancing(balancing));
    return this;
  }

  /** Gives the last route an {@code upstreamTls:} (CA, client certificate, server name toward wss:// members). */
  public TestPolicy upstreamTls(io.wsgate.policy.UpstreamTls tls) {
    routes.add(routes.remove(routes.size() - 1).withUpstreamTls(tls));
    return this;
  }

  /**
   * Makes the last route require a client certificate from the CA bundle {@code ca} ({@code clientCert:});
   * with {@code identity: certificate} its auth becomes the certificate's, as the parser makes it.
   */
  public TestPolicy clientCert(Path ca, io.wsgate.policy.ClientCert.IdentityFrom identity) {
    Route last = routes.remove(routes.size() - 1);
    io.wsgate.policy.ClientCert required = new io.wsgate.policy.ClientCert(ca, List.of(NamedCerts.read(ca)), identity);
    if (required.standsForToken()) {
      RouteSecurity s = last.security();
      last = new Route(last.path(), last.prefix(), last.upstreams(), last.forwardHeaders(), last.upstreamCooldown(),
          last.upstreamTls(), new RouteSecurity(s.ipRules(), s.origins(), Auth.CLIENT_CERTIFICATE, s.messages()),
          last.balancing(), last.host(), last.limits(), last.connections(), null, last.listeners());
    }
    routes.add(last.withClientCert(required));
    return this;
  }

  /** Gives the last route a {@code host:} pattern ({@code a.test}, {@code *.c.test}). */
  public TestPolicy onHost(String pattern) {
    Route last = routes.remove(routes.size() - 1);
    routes.add(last.withHost(io.wsgate.policy.HostPattern.parse(pattern)));
    return this;
  }

  /** Gives the last route its own {@code limits:} and {@code connections:} ({@code NONE}: none). */
  public TestPolicy routeLimits(io.wsgate.policy.RouteLimits limits, io.wsgate.policy.RouteConnections connections) {
    Route last = routes.remove(routes.size() - 1);
    routes.add(last.withLimits(limits, connections));
    return this;
  }

  public TestPolicy clients(IpRules rules, List<Cidr> trustedProxies) {
    security = new Security(new ClientAddresses(rules, trustedProxies), security.issuers(),
        security.connections(), security.recheckOnReload());
    return this;
  }

  public TestPolicy clientAddresses(ClientAddresses addresses) {
    security = new Security(addresses, security.issuers(), security.connections(), security.recheckOnReload());
    return this;
  }

  public TestPolicy issuers(List<io.wsgate.policy.Issuer> issuers) {
    security = new Security(security.clients(), issuers, security.connections(), security.recheckOnReload());
    return this;
  }

  public TestPolicy connections(ConnectionLimits limits) {
    security = new Security(security.clients(), security.issuers(), limits, security.recheckOnReload());
    return this;
  }

  public TestPolicy cooldown(Duration cooldown) {
    Route last = routes.remove(routes.size() - 1);
    routes.add(new Route(last.path(), last.prefix(), last.upstreams(), last.forwardHeaders(), cooldown, last.upstreamTls(),
        last.security(), last.balancing(), last.host(), last.limits(), last.connections(), last.clientCert(),
        last.listeners()));
    return this;
  }

  private static UpstreamTarget target(String url) {
    java.net.URI uri = java.net.URI.create(url);
    boolean tls = uri.getScheme().equals("wss");
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? null : uri.getRawPath();
    return new UpstreamTarget(url, false, tls, uri.getHost(), uri.getPort(), path);
  }

  public TestPolicy maxMessageBytes(int bytes) {
    this.maxMessageBytes = bytes;
    return this;
  }

  public TestPolicy idleTimeout(Duration d) {
    this.idleTimeout = d;
    return this;
  }

  public TestPolicy maxLifetime(Duration d) {
    this.maxLifetime = d;
    return this;
  }

  public TestPolicy maxConnections(int n) {
    this.maxConnections = n;
    return this;
  }

  public TestPolicy handshakeTimeout(Duration d) {
    this.handshakeTimeout = d;
    return this;
  }

  public TestPolicy upstreamTimeout(Duration d) {
    this.upstreamTimeout = d;
    return this;
  }

  public TestPolicy pingInterval(Duration d) {
    this.pingInterval = d;
    return this;
  }

  public TestPolicy sendTimeout(Duration d) {
    this.sendTimeout = d;
    return this;
  }

  public TestPolicy maxReauthPerMinute(int n) {
    this.maxReauthPerMinute = n;
    return this;
  }

  public TestPolicy frames(FrameLimits limits) {
    this.frames = limits;
    return this;
  }

  public TestPolicy shutdown(int code, Duration window, Duration timeout) {
    this.closeCode = code;
    this.drainWindow = window;
    this.drainTimeout = timeout;
    return this;
  }

  /** {@code shutdown.readinessGrace}: how long /ready answers 503 before a stop refuses upgrades. */
  public TestPolicy readinessGrace(Duration grace) {
    this.readinessGrace = grace;
    return this;
  }

  /** The probes listener; off unless a test asks (e.g. {@code ProbeSettings.loopback(0)}). */
  public TestPolicy probes(ProbeSettings settings) {
    this.probes = settings;
    return this;
  }

  public TestPolicy plain() {
    this.plain = true;
    return this;
  }

  /** A listener address other than 127.0.0.1 (another loopback address a test client insists on). */
  public TestPolicy host(String host) {
    this.host = host;
    return this;
  }

  /** A fixed listener port instead of one the OS picks (for policies that must name their own origin). */
  public TestPolicy port(int port) {
    this.port = port;
    return this;
  }

  /** Expect a PROXY protocol header on every connection ({@code listen.clients.proxyProtocol}). */
  public TestPolicy proxyProtocol() {
    this.proxyProtocol = true;
    return this;
  }

  /** Names the listener the other setters describe, the first one ({@code listeners[0].name}). */
  public TestPolicy listenerName(String name) {
    this.listenerName = name;
    return this;
  }

  /**
   * A listener after the first ({@code listeners[i]}), on an OS-chosen port.
   *
   * @param tls null: a plain ws:// listener
   */
  public TestPolicy listener(String name, String host, Tls tls, ClientAddresses clients) {
    return listener(name, host, 0, tls, clients);
  }

  /** As {@link #listener(String, String, Tls, ClientAddresses)}, on a fixed port. */
  public TestPolicy listener(String name, String host, int port, Tls tls, ClientAddresses clients) {
    moreListeners.add(new io.wsgate.policy.NamedListener(name, new Listener(host, port, tls), false));
    moreClients.put(name, clients);
    return this;
  }

  /** Makes the last route reachable only through the listeners named ({@code routes[i].listeners}). */
  public TestPolicy onListeners(String... names) {
    routes.add(routes.remove(routes.size() - 1).withListeners(List.of(names)));
    return this;
  }

  public TestPolicy demoPage() {
    this.demoPage = true;
    return this;
  }

  public TestPolicy tls(Path cert, Path key) {
    this.tls = new Tls(cert, key, false, tls.engine());
    return this;
  }

  /** Several certificates chosen by SNI ({@code listen.tls.certificates}); the first is the default. */
  public TestPolicy certificates(List<Tls.Pair> pairs) {
    this.tls = tls.withCertificates(pairs);
    return this;
  }

  /** The TLS implementation of the listener (default: {@link Tls#DEFAULT_ENGINE}). */
  public TestPolicy tlsEngine(Tls.Engine engine) {
    this.tls = new Tls(tls.certificates(), tls.devCertificate(), engine);
    return this;
  }

  /** The admin listener; off unless a test asks (e.g. {@code AdminSettings.loopback(0)}). */
  public TestPolicy admin(AdminSettings settings) {
    this.admin = settings;
    return this;
  }

  public TestPolicy audit(AuditSettings settings) {
    this.audit = settings;
    return this;
  }

  /** Hash-chained audit files in {@code dir}, flushed every 50 ms, fail-closed, unsigned. */
  public TestPolicy auditTo(Path dir) {
    return audit(new AuditSettings(dir, AuditSettings.DEFAULT_ROTATE_BYTES, 1024, Duration.ofMillis(50),
        AuditSettings.OnFailure.FAIL_CLOSED, null, null, false));
  }

  public GatewayPolicy build() {
    Listener first = new Listener(host, port, plain ? null : tls);
    List<io.wsgate.policy.NamedListener> listeners = new ArrayList<>();
    listeners.add(new io.wsgate.policy.NamedListener(listenerName, first, proxyProtocol));
    listeners.addAll(moreListeners);
    StartupSettings startup = new StartupSettings(first, proxyProtocol,
        maxMessageBytes, handshakeTimeout, upstreamTimeout, true, admin, audit, ClusterSettings.NONE, probes, listeners);
    java.util.Map<String, ClientAddresses> clients = new java.util.LinkedHashMap<>(moreClients);
    clients.put(listenerName, security.clients());
    Security all = new Security(security.clients(), security.issuers(), security.connections(),
        security.recheckOnReload(), security.closeRemovedRoutes(), clients);
    return new GatewayPolicy("test", Path.of("."), startup, new RuntimePolicy(routes,
        new Limits(idleTimeout, maxLifetime, maxConnections, pingInterval, frames, sendTimeout, maxReauthPerMinute),
        new Shutdown(closeCode, drainWindow, drainTimeout, readinessGrace), new Dev(demoPage), all));
  }
}
