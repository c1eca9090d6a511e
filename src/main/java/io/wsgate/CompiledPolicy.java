package io.wsgate;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.filter.MessagePipeline;
import io.wsgate.filter.SubjectBuckets;
import io.wsgate.handshake.AuthorizationGuard;
import io.wsgate.handshake.ClientAddressResolver;
import io.wsgate.handshake.HandshakeGuard;
import io.wsgate.handshake.HandshakePipeline;
import io.wsgate.handshake.MonitorLog;
import io.wsgate.handshake.OriginGuard;
import io.wsgate.handshake.TokenGuard;
import io.wsgate.handshake.ClientCertGuard;
import io.wsgate.limits.BucketSpec;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.handshake.ConnectionCapGuard;
import io.wsgate.handshake.HandshakeRateGuard;
import io.wsgate.handshake.ListenerIpGuard;
import io.wsgate.handshake.RouteConnectionCapGuard;
import io.wsgate.handshake.RouteHandshakeRateGuard;
import io.wsgate.handshake.RouteIpGuard;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.NamedListener;
import io.wsgate.policy.PolicyFiles;
import io.wsgate.policy.Route;
import io.wsgate.token.TokenVerifier;
import io.wsgate.metrics.UpstreamGauges;
import io.wsgate.upstream.UpstreamMember;
import io.wsgate.upstream.UpstreamPool;
import io.wsgate.upstream.UpstreamSsl;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A policy snapshot with everything derived from it built once (pools, guard pipeline, message
 * pipelines, token verifier), so the request and message paths only read final fields. Swapped
 * whole on reload.
 */
public final class CompiledPolicy {
  private final GatewayPolicy policy;
  private final List<RoutePlan> plans;
  /** By listener name, each with the routes, address rules and resolver of that listener; the first is the default. */
  private final Map<String, ListenerView> listeners;
  private final ListenerView first;
  private final TokenVerifier tokens;
  private final BucketSpec controlFrames;
  private final BucketSpec reauth;
  private final Set<LimiterRegistry.Spec> limiters;
  private final List<PolicyFiles.Entry> files;
  private final Instant builtAt;

  /** What one listener sees of the snapshot: its routes, its guard pipeline (its own address rules), its proxies. */
  private record ListenerView(RouteTable routes, HandshakePipeline pipeline, ClientAddressResolver clientAddresses) {
  }

  private CompiledPolicy(GatewayPolicy policy, List<RoutePlan> plans, Map<String, HandshakePipeline> pipelines,
                         TokenVerifier tokens, Set<LimiterRegistry.Spec> limiters, List<PolicyFiles.Entry> files,
                         Instant builtAt) {
    this.policy = policy;
    this.limiters = limiters;
    this.files = List.copyOf(files);
    this.builtAt = builtAt;
    this.tokens = tokens;
    this.controlFrames = BucketSpec.of(policy.limits().frames().controlFrames());
    this.reauth = BucketSpec.of(policy.limits().reauth());
    this.plans = List.copyOf(plans);
    Map<String, ListenerView> views = new LinkedHashMap<>();
    for (NamedListener listener : policy.startup().listeners()) {
      String name = listener.name();
      views.put(name, new ListenerView(
          new RouteTable(plans.stream().filter(p -> p.route().reachableThrough(name)).toList()),
          pipelines.get(name),
          new ClientAddressResolver(policy.security().clients(name).trustedProxies())));
    }
    this.listeners = views;
    this.first = views.values().iterator().next();
  }

  /**
   * Builds a snapshot; loading verification keys happens off the event loop. JWKS caches and shared
   * rate buckets come from {@code services}, which keeps them for the next snapshot while they are
   * defined the same way.
   */
  public static Future<CompiledPolicy> compile(Vertx vertx, GatewayPolicy policy, int demoPort, GatewayServices services) {
    Future<List<PolicyFiles.Entry>> files = vertx.executeBlocking(() -> PolicyFiles.of(policy), false);
    // Upstream TLS files are read for each snapshot: a reload picks up renewed client certificates.
    Future<Map<Route, UpstreamSsl>> upstreamTls = files.compose(f ->
        vertx.executeBlocking(() -> UpstreamSsl.load(policy.routes()), false));
    return upstreamTls.compose(f -> TokenVerifier.create(vertx, policy.security().issuers(), services.keySources())).map(tokens -> {
      MonitorLog monitor = (request, reason) -> services.audit().monitored(request.audited(), reason, null);
      RateLimitBackend.Uses limiters = services.limits().uses();
      ConnectionLimits connections = policy.security().connections();
      List<Route> routes = policy.routes();
      // Cheapest first; per IP before global, so an attempt its own address may not make does not
      // spend the budget every client shares. A route's own caps come after the global ones of the
      // same kind, its cap on all its sessions last (it is shared by all the route's clients).
      // Nulls (limits the policy does not set) are left out.
      // One pipeline per listener, differing only in the listener's own address rules; the other
      // guards are the same instances, so limits stay global across listeners.
      List<HandshakeGuard> shared = Arrays.asList(
          new RouteIpGuard(),
          HandshakeRateGuard.perIp(connections, limiters),
          RouteHandshakeRateGuard.of(routes, limiters, connections.maxTrackedKeys()),
          HandshakeRateGuard.global(connections, limiters),
          ConnectionCapGuard.perIp(connections, services.ipConnections()),
          RouteConnectionCapGuard.perIp(routes, services.routeConnections()),
          new OriginGuard(),
          new ClientCertGuard(services.revocations()),
          new TokenGuard(tokens, services.revocations()),
          new AuthorizationGuard(),
          ConnectionCapGuard.perSubject(connections, services.subjectConnections()),
          RouteConnectionCapGuard.perSubject(routes, services.routeConnections()),
          RouteConnectionCapGuard.perRoute(routes, services.routeConnections()));
      Map<String, HandshakePipeline> guards = new HashMap<>();
      for (NamedListener listener : policy.startup().listeners()) {
        List<HandshakeGuard> own = new ArrayList<>();
        own.add(new ListenerIpGuard(policy.security().clients(listener.name()).ipRules()));
        own.addAll(shared);
        guards.put(listener.name(), new HandshakePipeline(own, monitor));
      }
      SubjectBuckets subjects = new SubjectBuckets(limiters, policy.security().connections().maxTrackedKeys());
      List<RoutePlan> plans = new ArrayList<>();
      for (Route route : policy.routes()) {
        String name = "routes[" + (route.prefix() ? "prefix " : "exact ") + route.path()
            + (route.host() == null ? "" : " on " + route.host().text()) + "]";
        plans.add(new RoutePlan(route, new UpstreamPool(route, demoPort, services.upstreamMembers(),
            upstreamTls.result().get(route)),
            MessagePipeline.build(route.security().messages().toUpstream(), subjects, name + ".toUpstream"),
            MessagePipeline.build(route.security().messages().toClient(), subjects, name + ".toClient")));
      }
      return new CompiledPolicy(policy, plans, guards, tokens, limiters.specs(), files.result(), Instant.now());
    });
  }

  public GatewayPolicy policy() {
    return policy;
  }

  /** Each session's budget of client pings and pongs ({@code limits.maxControlFramesPerSecond}). */
  public BucketSpec controlFrames() {
    return controlFrames;
  }

  /** Each session's budget of in-band re-authentications ({@code limits.maxReauthPerMinute}). */
  public BucketSpec reauth() {
    return reauth;
  }

  /** The first listener's resolver. */
  public ClientAddressResolver clientAddresses() {
    return first.clientAddresses();
  }

  /** Who the client is on the listener named {@code listener} (its {@code clients.trustedProxies}). */
  public ClientAddressResolver clientAddresses(String listener) {
    return view(listener).clientAddresses();
  }

  /** The first listener's guards. */
  public HandshakePipeline pipeline() {
    return first.pipeline();
  }

  /** The guards of the listener named {@code listener}: its own address rules, then the shared guards. */
  public HandshakePipeline pipeline(String listener) {
    return view(listener).pipeline();
  }

  /** A name this snapshot does not have (only a listener of a policy that was refused could ask) gets the first. */
  private ListenerView view(String listener) {
    ListenerView view = listener == null ? null : listeners.get(listener);
    return view == null ? first : view;
  }

  public TokenVerifier tokens() {
    return tokens;
  }

  /** The files the policy was built from, hashed when it was built (never files holding secrets). */
  public List<PolicyFiles.Entry> files() {
    return files;
  }

  /** When this snapshot was built (loaded, validated and compiled). */
  public Instant builtAt() {
    return builtAt;
  }

  /** The shared rate limiters this snapshot uses (the rest may be forgotten once it is in force). */
  public Set<LimiterRegistry.Spec> limiters() {
    return limiters;
  }

  /** Every route's pool, for health checks and metrics. */
  public List<UpstreamPool> pools() {
    return plans.stream().map(RoutePlan::pool).toList();
  }

  /** Every member of every route, as {@code /metrics} shows it. */
  public List<UpstreamGauges.Member> upstreamGauges() {
    long now = System.nanoTime();
    List<UpstreamGauges.Member> out = new ArrayList<>();
    for (RoutePlan plan : plans) {
      for (UpstreamMember member : plan.pool().members()) {
        out.add(new UpstreamGauges.Member(plan.route().id(), plan.route().prefix() ? "prefix" : "exact",
            member.label(), member.healthy(now), member.sessions()));
      }
    }
    return out;
  }

  /**
   * The route for a request: see {@link RouteTable#match}. Null: no route.
   *
   * @param host the request's host, {@linkplain io.wsgate.policy.HostPattern#requestHost normalized}; null: none
   */
  public RoutePlan match(String host, String path) {
    return first.routes().match(host, path);
  }

  /** As {@link #match(String, String)}, among the routes reachable through the listener named {@code listener}. */
  public RoutePlan match(String listener, String host, String path) {
    return view(listener).routes().match(host, path);
  }
}
