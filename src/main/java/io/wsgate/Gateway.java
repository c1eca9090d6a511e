package io.wsgate;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.wsgate.audit.AuditLog;
import io.wsgate.audit.GatewayMetrics;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.demo.DevCertificate;
import io.wsgate.handshake.HandshakePipeline;
import io.wsgate.listener.CertificateReloader;
import io.wsgate.listener.ListenerVerticle;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.Shutdown;
import io.wsgate.policy.Tls;
import io.wsgate.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wires one policy snapshot to the listeners and owns start and graceful stop.
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

  private final Vertx vertx;
  private final GatewayServices services;
  private final List<ListenerVerticle> listeners = new CopyOnWriteArrayList<>();
  private final DemoUpstream demo;
  private CertificateReloader certificates;
  private int port;
  private Future<Void> stopping;

  private Gateway(Vertx vertx, GatewayServices services, DemoUpstream demo) {
    this.vertx = vertx;
    this.services = services;
    this.demo = demo;
  }

  /** Starts a gateway on its own Vert.x instance with one event loop per core. */
  public static Future<Gateway> start(GatewayPolicy policy) {
    Tls tls = policy.listen().tls();
    if (tls != null && tls.devCertificate() && DevCertificate.ensure(tls.cert(), tls.key())) {
      LOG.warn("Generated a self-signed DEVELOPMENT certificate at {}: browsers will warn, never use it in production",
          tls.cert());
    }
    if (tls != null && tls.devCertificate()) {
      LOG.warn("Serving the DEVELOPMENT certificate {} (SHA-256 {})", tls.cert(), DevCertificate.fingerprintSha256(tls.cert()));
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores));
    boolean needsDemo = policy.routes().stream().anyMatch(r -> r.upstreams().stream().anyMatch(u -> u.demo()));
    Future<DemoUpstream> demo = needsDemo ? DemoUpstream.start(vertx, "127.0.0.1", 0) : Future.succeededFuture();
    return demo.compose(upstream -> {
      int demoPort = upstream == null ? 0 : upstream.port();
      AuditLog audit = new AuditLog(new GatewayMetrics());
      CompiledPolicy compiled = new CompiledPolicy(policy, demoPort, new HandshakePipeline(List.of()));
      Gateway gateway = new Gateway(vertx, new GatewayServices(compiled, audit), upstream);
      return gateway.listen(policy, cores).map(gateway);
    }).onFailure(failure -> vertx.close());
  }

  private Future<Void> listen(GatewayPolicy policy, int instances) {
    // Vert.x shares one listening socket among instances bound to the same host and port; a
    // negative port asks for one OS-chosen port shared by all of them (plain 0 would not share).
    int bindPort = policy.listen().port() == 0 ? -1 : policy.listen().port();
    return deploy(bindPort, instances).compose(v -> {
      port = listeners.get(0).actualPort();
      boolean shared = listeners.stream().allMatch(l -> l.actualPort() == port);
      return shared ? Future.succeededFuture()
          : Future.failedFuture(new IllegalStateException("listener instances did not share one port"));
    }).compose(v -> {
      LOG.info("wsgate listening on {}://{}:{} (policy {}, {} event loops)",
          policy.listen().plain() ? "ws" : "wss", policy.listen().host(), port, policy.version(), instances);
      if (policy.listen().plain()) {
        return Future.succeededFuture();
      }
      certificates = new CertificateReloader(vertx, policy.listen().tls(), this::servers);
      return certificates.start(CERT_CHECK_INTERVAL_MS);
    });
  }

  private Future<Void> deploy(int bindPort, int instances) {
    return vertx.deployVerticle(() -> {
      ListenerVerticle verticle = new ListenerVerticle(services, bindPort);
      listeners.add(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(instances)).mapEmpty();
  }

  private List<HttpServer> servers() {
    return listeners.stream().map(ListenerVerticle::server).toList();
  }

  public int port() {
    return port;
  }

  public GatewayServices services() {
    return services;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Graceful stop: refuse new upgrades and stop accepting, close live sessions with the policy's
   * close code spread evenly over the drain window (so clients do not all reconnect at once),
   * wait for them up to the drain timeout, then release everything.
   */
  public synchronized Future<Void> stop() {
    if (stopping != null) {
      return stopping;
    }
    Shutdown shutdown = services.current().policy().shutdown();
    services.startDraining();
    if (certificates != null) {
      certificates.stop();
    }
    long drainTimeoutMs = shutdown.drainTimeout().toMillis();
    List<Future<Void>> unbinds = listeners.stream().map(l -> l.shutdown(drainTimeoutMs)).toList();
    Reason reason = Reason.shutdown(shutdown.closeCode());
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
    long deadline = System.nanoTime() + drainTimeoutMs * 1_000_000L;
    vertx.setPeriodic(20, id -> {
      if (services.sessions().size() == 0 || System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        drained.tryComplete();
      }
    });
    stopping = drained.future()
        .compose(v -> Future.join(unbinds).otherwiseEmpty())
        .compose(v -> demo == null ? Future.succeededFuture() : demo.close())
        .eventually(() -> vertx.close())
        .mapEmpty();
    return stopping;
  }
}
