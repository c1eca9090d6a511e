package io.wsgate;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.wsgate.admin.AdminServer;
import io.wsgate.admin.ProbeServer;
import io.wsgate.admin.Readiness;
import io.wsgate.audit.AuditLog;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.listener.CertificateReloader;
import io.wsgate.listener.ListenerVerticle;
import io.wsgate.listener.ServerTls;
import io.wsgate.reload.PolicyReloader;
import io.wsgate.session.SessionRecheck;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.NamedListener;
import io.wsgate.policy.ProbeSettings;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.policy.Shutdown;
import io.wsgate.policy.Tls;
import io.wsgate.session.Session;
import io.wsgate.admin.AdminOperations;
import io.wsgate.cluster.ClusterNodes;
import io.wsgate.fleet.Fleet;
import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.LocalRevocationUpdates;
import io.wsgate.limits.RevocationListFull;
import io.wsgate.limits.RevocationUpdates;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.ClusterSettings;

import java.time.Instant;
import io.wsgate.token.KeySources;
import io.wsgate.upstream.HealthChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wires one policy snapshot to the listeners and owns start and graceful stop. The admin listener
 * (when the policy has an {@code admin:} section) starts after the client listeners.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.start(PolicyLoader.load(Path.of("policies"))).await();
 * int port = gateway.port();
 * gateway.stop().await();
 * }</pre>
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final long CERT_CHECK_INTERVAL_MS = 2000;
  /** Where revocations are kept, in the audit directory, so that they outlive a restart. */
  public static final String REVOCATIONS_FILE = "revocations.json";

  private final Vertx vertx;
  private final GatewayServices services;
  private final List<ListenerVerticle> listeners = new CopyOnWriteArrayList<>();
  private final DemoUpstream demo;
  /** This node's fleet; null when the policy has no {@code cluster:} section. */
  private final Fleet fleet;
  private final HealthChecks health;
  /** The TLS listeners' certificate reloaders, by listener name. */
  private final Map<String, CertificateReloader> certificates = new ConcurrentHashMap<>();
  /** Each listener's bound port, by name; set on an event loop, read by any thread. */
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();
  private PolicyReloader reloader;
  private AdminServer admin;
  private ProbeServer probes;
  private volatile boolean listening;
  /** From the first moment of {@link #stop()}: readiness goes DOWN before the listeners stop accepting. */
  private volatile boolean stopRequested;
  private Future<Void> stopping;

  private Gateway(Vertx vertx, GatewayServices services, DemoUpstream demo, Fleet fleet) {
    this.vertx = vertx;
    this.services = services;
    this.demo = demo;
    this.fleet = fleet;
    this.health = new HealthChecks(vertx);
  }

  /** Starts a gateway on its own Vert.x instance with one event loop per core. */
  public static Future<Gateway> start(GatewayPolicy policy) {
    if (!"true".equalsIgnoreCase(ServerTls.refuseClientRenegotiation())) {
      LOG.warn("-D{}={}: TLS 1.2 clients may renegotiate, each time a full handshake at the gateway's expense",
          ServerTls.REJECT_RENEGOTIATION, System.getProperty(ServerTls.REJECT_RENEGOTIATION));
    }
    try {
      DevMaterial.generate(policy);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    ClusterSettings cluster = policy.cluster();
    AuditLog audit;
    try {
      audit = new AuditLog(new GatewayMetrics(), cluster.auditNaming(policy.audit()));
    } catch (IllegalStateException e) {
      return Future.failedFuture(new IllegalStateException("audit: " + e.getMessage()));
    }
    if (!audit.healthy()) {
      LOG.error("The audit trail in {} cannot be written: {}", policy.audit().dir(),
          audit.acceptsNewSessions() ? "records are lost until it can (onFailure: failOpen)"
              : "new sessions are refused with 503 until it can (onFailure: failClosed)");
    }
    Revocations revocations;
    try {
      // Revoked subjects are subjects tracked: connections.trackedKeys bounds them too (read at start).
      int max = policy.security().connections().maxTrackedKeys();
      revocations = policy.audit().dir() == null ? new Revocations(max)
          : Revocations.load(policy.audit().dir().resolve(REVOCATIONS_FILE), max);
    } catch (java.io.IOException e) {
      audit.close();
      return Future.failedFuture(new IllegalStateException("revocations: " + e.getMessage()));
    }
    Fleet fleet = null;
    if (cluster.enabled()) {
      try {
        fleet = Fleet.open(cluster, audit.node(), revocations,
            (up, cause) -> audit.clusterStore(up, cause, cluster.onStoreFailure().policyName()));
      } catch (IllegalStateException | IllegalArgumentException e) {
        audit.close();
        return Future.failedFuture(new IllegalStateException("cluster: " + e.getMessage()));
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    // epoll where its native library loads (Linux), NIO elsewhere: fewer syscalls and copies per message.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores).setPreferNativeTransport(true));
    audit.startSyslog(vertx);
    Fleet member = fleet;
    for (NamedListener listener : policy.startup().listeners()) {
      Tls tls = listener.listen().tls();
      if (tls == null) {
        continue;
      }
      // The same check as policy check and certificate renewal: a key that is not the certificate's
      // would load without complaint and fail every handshake.
      java.util.Optional<String> problem = Preflight.tlsProblem(vertx, tls);
      if (problem.isPresent()) {
        String field = policy.startup().field(listener) + ".tls";
        return leave(vertx, member).eventually(vertx::close).eventually(audit::close)
            .transform(v -> Future.failedFuture(new IllegalStateException(field + ": " + problem.get())));
      }
    }
    boolean needsDemo = policy.routes().stream().anyMatch(r -> r.upstreams().stream().anyMatch(u -> u.demo()));
    RevocationUpdates updates = fleet == null ? new LocalRevocationUpdates(vertx, revocations) : fleet.revocations();
    GatewayServices services = new GatewayServices(audit, KeySources.live(vertx, java.time.Clock.systemUTC()), revocations,
        fleet == null ? new LocalRateLimitBackend() : fleet.limits(), updates);
    if (fleet != null) {
      services.meters().fleet(fleet);
      fleet.closeSessionsWith(subject -> closeSessions(services, subject));
    }
    Future<Void> ready = fleet == null ? Future.succeededFuture() : fleet.ready(vertx);
    return ready.compose(v -> needsDemo ? DemoUpstream.start(vertx, "127.0.0.1", 0) : Future.<DemoUpstream>succeededFuture())
        .compose(upstream -> {
          int demoPort = upstream == null ? 0 : upstream.port();
          return CompiledPolicy.compile(vertx, policy, demoPort, services).compose(compiled -> {
            services.swap(compiled);
            Gateway gateway = new Gateway(vertx, services, upstream, member);
            gateway.health.apply(compiled.pools());
            return gateway.listen(policy, cores).compose(v -> gateway.startAdmin(policy.admin()))
                .compose(v -> gateway.startProbes(policy.startup().probes())).map(gateway);
          });
        }).onFailure(failure -> leave(vertx, member).eventually(vertx::close).eventually(audit::close)
            .onComplete(ar -> services.meters().close()));
  }

  private static Future<Void> leave(Vertx vertx, Fleet fleet) {
    return fleet == null ? Future.succeededFuture() : fleet.close(vertx).otherwiseEmpty();
  }

  private Future<Void> listen(GatewayPolicy policy, int instances) {
    Future<Void> all = Future.succeededFuture();
    for (NamedListener listener : policy.startup().listeners()) {
      all = all.compose(v -> listen(policy, listener, instances));
    }
    return all.onSuccess(v -> {
      listening = true;
      if (fleet != null) {
        String address = Fleet.advertisedAddress(policy.listen().host(), port());
        fleet.startRollCall(vertx, () -> new ClusterNodes.NodeStatus(address, services.sessions().size(),
            services.current().policy().version()));
      }
    });
  }

  /** Binds one policy listener: {@code instances} verticles sharing its port, and its certificate reloader. */
  private Future<Void> listen(GatewayPolicy policy, NamedListener listener, int instances) {
    // Vert.x shares one listening socket among instances bound to the same host and port; a
    // negative port asks for one OS-chosen port shared by all servers given that same negative port
    // (plain 0 would not share). Each listener has its own, or two listeners on port 0 of one host
    // would end up on one socket.
    int index = policy.startup().listeners().indexOf(listener);
    int bindPort = listener.listen().port() == 0 ? -(index + 1) : listener.listen().port();
    String named = policy.startup().field(listener) + " (" + listener.name() + ")";
    return deploy(listener, bindPort, instances).recover(failure -> Future.failedFuture(new IllegalStateException(
        named + ": cannot listen on " + listener.listen().host() + ":" + listener.listen().port() + ": "
            + failure.getMessage(), failure))).compose(v -> {
      List<ListenerVerticle> own = verticles(listener.name());
      int port = own.get(0).actualPort();
      boolean shared = own.stream().allMatch(l -> l.actualPort() == port);
      if (!shared) {
        return Future.failedFuture(new IllegalStateException(named + ": listener instances did not share one port"));
      }
      ports.put(listener.name(), port);
      return Future.<Void>succeededFuture();
    }).compose(v -> {
      LOG.info("wsgate listening on {}://{}:{} (listener {}, policy {}, {} event loops, {} transport)",
          listener.listen().plain() ? "ws" : "wss", listener.listen().host(), ports.get(listener.name()),
          listener.name(), policy.version(), instances, vertx.isNativeTransportEnabled() ? "epoll" : "NIO");
      if (listener.listen().plain()) {
        return Future.<Void>succeededFuture();
      }
      CertificateReloader reloader = new CertificateReloader(vertx, listener.listen().tls(), policy.routes(),
          listener.name(), () -> servers(listener.name()), policy.startup().field(listener) + ".tls");
      certificates.put(listener.name(), reloader);
      return reloader.start(CERT_CHECK_INTERVAL_MS);
    });
  }

  /** The admin listener comes up after the client listeners (and goes down after them). */
  private Future<Void> startAdmin(AdminSettings settings) {
    if (!settings.enabled()) {
      return Future.succeededFuture();
    }
    return AdminServer.start(vertx, new GatewayAdminOperations(this, services), settings).onSuccess(server -> {
      admin = server;
      LOG.info("wsgate admin on http://{}:{} ({})", settings.host(), server.port(),
          settings.tokenRequired() ? "bearer token required" : "loopback, no token");
    }).mapEmpty();
  }

  /** The probes listener comes up last, so a first 200 from /ready means everything is up. */
  private Future<Void> startProbes(ProbeSettings settings) {
    if (!settings.enabled()) {
      return Future.succeededFuture();
    }
    return ProbeServer.start(vertx, new Readiness(new GatewayAdminOperations(this, services)), settings)
        .onSuccess(server -> {
          probes = server;
          LOG.info("wsgate probes on http://{}:{} (GET /health, GET /ready; no token)", settings.host(), server.port());
        }).mapEmpty();
  }

  private Future<Void> deploy(NamedListener listener, int bindPort, int instances) {
    return vertx.deployVerticle(() -> {
      ListenerVerticle verticle = new ListenerVerticle(services, listener, bindPort);
      listeners.add(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(instances)).mapEmpty();
  }

  private List<ListenerVerticle> verticles(String listener) {
    return listeners.stream().filter(l -> l.listener().name().equals(listener)).toList();
  }

  private List<HttpServer> servers(String listener) {
    return verticles(listener).stream().map(ListenerVerticle::server).toList();
  }

  /** {@link #watchPolicy(long, UnaryOperator)} without command-line overrides. */
  public Future<Void> watchPolicy(long pollMs) {
    return watchPolicy(pollMs, UnaryOperator.identity());
  }

  /**
   * Accept {@link #reload(String)} requests and, unless the policy says {@code reload.watch: false},
   * watch the policy source for changes. A reload swaps the snapshot for new sessions; one that
   * changes a startup setting ({@link io.wsgate.policy.StartupSettings}) is refused whole.
   *
   * @param overrides what the command line changed in the policy the gateway started with
   *                  ({@code --listen}), applied to every reloaded policy before it is compared
   */
  public Future<Void> watchPolicy(long pollMs, UnaryOperator<GatewayPolicy> overrides) {
    GatewayPolicy running = services.current().policy();
    reloader = new PolicyReloader(vertx, running.source(), services,
        () -> overrides.apply(PolicyLoader.load(running.source())), this::compile,
        new PolicyReloader.ReloadListener() {
          @Override
          public void reloaded(CompiledPolicy previous, CompiledPolicy next, String trigger) {
            int closed = SessionRecheck.apply(next, services.sessions().snapshot());
            services.audit().policyReloaded(trigger, previous.policy().version(), next.policy().version(), closed);
            services.keySources().retainOnly(next.policy().security().issuers());
            services.limits().retainOnly(next.limiters());
            health.apply(next.pools());
            services.upstreamMembers().retainOnly(next.pools());
          }

          @Override
          public void failed(String trigger, String errors) {
            services.audit().policyReloadFailed(trigger, services.current().policy().version(),
                (int) errors.lines().count());
            // A snapshot that failed half-built may have opened caches nothing uses.
            services.keySources().retainOnly(services.current().policy().security().issuers());
            services.limits().retainOnly(services.current().limiters());
          }

          @Override
          public void refused(String trigger, String refusedVersion, List<String> fields) {
            services.audit().policyReloadRefused(trigger, services.current().policy().version(), refusedVersion, fields);
          }
        });
    return reloader.start(pollMs, running.startup().watch());
  }

  /**
   * Refuse the subject's tokens until {@code until} and close its live sessions (1008); kept on disk
   * (next to the audit) and, in a fleet, in the store (which closes its sessions on every node) before
   * the future completes.
   *
   * @return how many sessions were closed here; fails with {@link RevocationListFull} when the list is full
   */
  public Future<Integer> revokeSubject(SubjectId subject, Instant until) {
    return revoke(subject, until).map(AdminOperations.Revoked::sessionsClosed);
  }

  /** As {@link #revokeSubject}, also saying whether the fleet's store has it yet. */
  Future<AdminOperations.Revoked> revoke(SubjectId subject, Instant until) {
    return services.revocationUpdates().revoke(subject, until).compose(outcome -> {
      if (outcome == RevocationUpdates.Outcome.LIST_FULL) {
        return Future.failedFuture(new RevocationListFull(services.revocations().capacity()));
      }
      // The list is changed first, so a session that registers now judges itself (SessionRecheck.lateDecision).
      return Future.succeededFuture(new AdminOperations.Revoked(closeSessions(services, subject),
          outcome == RevocationUpdates.Outcome.APPLIED_HERE_SHARED_LATER));
    });
  }

  /** Closes this node's live sessions that a revocation of {@code subject} covers (1008). @return how many */
  private static int closeSessions(GatewayServices services, SubjectId subject) {
    int closed = 0;
    for (Session session : services.sessions().snapshot()) {
      if (session.subjectId() != null && subject.covers(session.subjectId())) {
        session.close(Reason.SUBJECT_REVOKED);
        closed++;
      }
    }
    return closed;
  }

  /** Lifts a revocation early (everywhere, in a fleet). @return whether there was one */
  public Future<Boolean> liftRevocation(SubjectId subject) {
    return services.revocationUpdates().lift(subject);
  }

  /** This node's fleet, or null when the policy has no {@code cluster:} section. */
  public Fleet fleet() {
    return fleet;
  }

  /**
   * Reload the policy now (SIGHUP, the admin API); requires {@link #watchPolicy(long)}.
   *
   * @return what the reload did; fails when reloading was never set up
   */
  public Future<PolicyReloader.Result> reload(String trigger) {
    return reloader == null ? Future.failedFuture(new IllegalStateException("policy reloading is not set up"))
        : reloader.reload(trigger);
  }

  private Future<CompiledPolicy> compile(GatewayPolicy policy) {
    boolean needsDemo = policy.routes().stream().anyMatch(r -> r.upstreams().stream().anyMatch(u -> u.demo()));
    if (needsDemo && demo == null) {
      return Future.failedFuture("routes use the demo upstream, which was not started: restart required");
    }
    return vertx.executeBlocking(() -> {
      DevMaterial.generateIssuerKeys(policy);
      return policy;
    }, false).compose(p -> CompiledPolicy.compile(vertx, p, demo == null ? 0 : demo.port(), services))
        .compose(compiled -> serveCertificates(policy).map(compiled));
  }

  /**
   * A reload's certificates are loaded last, once all else compiled, and before its routes are in
   * force: a host's route never goes live without its certificate, and a pair that cannot be served
   * fails the reload whole.
   */
  private Future<Void> serveCertificates(GatewayPolicy policy) {
    Future<Void> all = Future.succeededFuture();
    for (NamedListener listener : policy.startup().listeners()) {
      CertificateReloader reloader = certificates.get(listener.name());
      Tls tls = listener.listen().tls();
      if (reloader != null && tls != null) {
        all = all.compose(v -> reloader.serve(tls, policy.routes()));
      }
    }
    return all;
  }

  /** The first listener's port ({@code listen.port}, or the first of {@code listeners}). */
  public int port() {
    return ports.getOrDefault(services.current().policy().startup().listeners().get(0).name(), 0);
  }

  /**
   * The port of the listener named {@code listener}.
   *
   * @throws IllegalArgumentException when the policy has no such listener
   */
  public int port(String listener) {
    Integer port = ports.get(listener);
    if (port == null) {
      throw new IllegalArgumentException("no listener named " + listener + " (listeners: " + ports.keySet() + ")");
    }
    return port;
  }

  /** The admin listener's port, or -1 when the policy has no (enabled) {@code admin:} section. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** The probes listener's port, or -1 when the policy has no {@code probes:} section. */
  public int probesPort() {
    return probes == null ? -1 : probes.port();
  }

  /**
   * True while the client listeners are bound and accepting: from start until the drain begins (at
   * {@link #stop()}, or once its readiness grace is over).
   */
  public boolean listening() {
    return listening;
  }

  /** True from the first moment of {@link #stop()}, readiness grace included. */
  public boolean stopping() {
    return stopRequested;
  }

  public GatewayServices services() {
    return services;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful stop. First the policy's readiness grace ({@code shutdown.readinessGrace}): {@code /ready}
   * answers 503 while new upgrades are still accepted, so load balancers take this node out before
   * it refuses anyone. Then the drain: refuse new upgrades (503, so a load balancer retries
   * elsewhere), close live sessions with the policy's close code spread evenly over the drain window
   * (so clients do not all reconnect at once), wait for them up to the drain timeout, then close
   * the listeners. The admin and probes listeners close last, so {@code /ready} (503 from the first
   * moment) and {@code /metrics} stay reachable throughout.
   * Vert.x's own server shutdown is not used for the drain: once it starts, it holds every close
   * until its timeout and then sends 1000, losing the code we chose. Last, once no event loop can
   * audit anything more, the audit trail is drained and forced to disk.
   */
  public synchronized Future<Void> stop() {
    if (stopping != null) {
      return stopping;
    }
    Shutdown shutdown = services.current().policy().shutdown();
    stopRequested = true;
    health.stop();
    certificates.values().forEach(CertificateReloader::stop);
    if (reloader != null) {
      reloader.stop();
    }
    long graceMs = shutdown.readinessGrace().toMillis();
    Promise<Void> graceOver = Promise.promise();
    if (graceMs == 0) {
      graceOver.complete();
    } else {
      LOG.info("Stopping: /ready answers 503 for {} ms before the drain; new upgrades are still accepted", graceMs);
      vertx.setTimer(graceMs, id -> graceOver.complete());
    }
    stopping = graceOver.future().compose(v -> drain(shutdown));
    return stopping;
  }

  private Future<Void> drain(Shutdown shutdown) {
    listening = false;
    long drainTimeoutMs = shutdown.drainTimeout().toMillis();
    Reason reason = shutdown.closeCode() == 1012 ? Reason.SHUTDOWN_RESTART : Reason.SHUTDOWN;
    services.startDraining(reason);
    List<Session> live = services.sessions().snapshot();
    LOG.info("Stopping: draining {} sessions over {} ms (close {})", live.size(), shutdown.drainWindow().toMillis(),
        reason.code());
    long windowMs = shutdown.drainWindow().toMillis();
    for (int i = 0; i < live.size(); i++) {
      Session session = live.get(i);
      long delay = 1 + (windowMs * i) / Math.max(1, live.size());
      vertx.setTimer(delay, id -> session.close(reason));
    }
    Promise<Void> drained = Promise.promise();
    awaitDrain(drained, System.nanoTime() + drainTimeoutMs * 1_000_000L);
    return drained.future()
        .compose(v -> Future.join(listeners.stream().map(ListenerVerticle::close).toList()).otherwiseEmpty())
        .compose(v -> services.keySources().close().otherwiseEmpty())
        .compose(v -> demo == null ? Future.succeededFuture() : demo.close())
        .compose(v -> admin == null ? Future.<Void>succeededFuture() : admin.close().otherwiseEmpty())
        .compose(v -> probes == null ? Future.<Void>succeededFuture() : probes.close().otherwiseEmpty())
        .eventually(() -> leave(vertx, fleet))
        .eventually(() -> vertx.close())
        .eventually(() -> services.audit().close())
        .onComplete(ar -> services.meters().close())
        .mapEmpty();
  }

  /**
   * Polls for the last session to end, by one-shot timers: a periodic timer cancelled from its own
   * handler can throw in Vert.x 5.0 when the handler runs before {@code setPeriodic} returned to a
   * caller on another thread (a loaded machine), and the stop then never completed.
   */
  private void awaitDrain(Promise<Void> drained, long deadlineNanos) {
    vertx.setTimer(20, id -> {
      if (services.sessions().size() == 0 || System.nanoTime() > deadlineNanos) {
        drained.tryComplete();
      } else {
        awaitDrain(drained, deadlineNanos);
      }
    });
  }
}
