package io.wsgate.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.wsgate.Gateway;
import io.wsgate.policy.GatewayPolicy;

/**
 * A real gateway on a loopback port chosen by the OS ({@link StartedGateway}: closing the harness
 * stops it and checks that it left nothing behind), plus a separate Vert.x instance for the test's
 * own clients, trusting the test certificate with host verification on.
 */
public final class GatewayHarness implements AutoCloseable {
  public final Gateway gateway;
  public final Vertx clientVertx = Vertx.vertx();
  public final WebSocketClient client;
  private final StartedGateway started;
  private final GatewayPolicy policy;
  private final boolean tls;

  public GatewayHarness(GatewayPolicy policy) {
    this(StartedGateway.start(policy), policy);
  }

  private GatewayHarness(StartedGateway started, GatewayPolicy policy) {
    this.started = started;
    this.gateway = started.gateway();
    this.policy = policy;
    this.tls = policy.startup().listeners().stream().anyMatch(l -> !l.listen().plain());
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024)
        .setMaxMessageSize(64 * 1024 * 1024);
    if (tls) {
      options.setSsl(true).setTrustOptions(TestCerts.trust()).setVerifyHost(true);
    }
    this.client = clientVertx.createWebSocketClient(options);
  }

  /** A gateway whose audit stays log-only, for a test of that trail itself ({@link StartedGateway#startLogOnly}). */
  public static GatewayHarness logOnlyAudit(GatewayPolicy policy) {
    return new GatewayHarness(StartedGateway.startLogOnly(policy), policy);
  }

  public StartedGateway started() {
    return started;
  }

  /** See {@link StartedGateway#auditTrailBrokenOnPurpose(String)}. */
  public void auditTrailBrokenOnPurpose(String why) {
    started.auditTrailBrokenOnPurpose(why);
  }

  /** The first listener's port. */
  public int port() {
    return gateway.port();
  }

  /** The port of the listener named {@code listener} ({@code listeners:}). */
  public int port(String listener) {
    return gateway.port(listener);
  }

  /** Options for the first listener. */
  public WebSocketConnectOptions options(String uri) {
    return options(policy.startup().listeners().get(0).name(), uri);
  }

  /**
   * Options for the listener named {@code listener}: its port, TLS when it is a TLS listener, and its
   * address (as {@code localhost}, which the test certificate names, when that is 127.0.0.1 or a wildcard).
   */
  public WebSocketConnectOptions options(String listener, String uri) {
    io.wsgate.policy.Listener listen = policy.startup().listener(listener).listen();
    String host = java.util.Set.of("127.0.0.1", "0.0.0.0", "::").contains(listen.host()) ? "localhost" : listen.host();
    return new WebSocketConnectOptions().setHost(host).setPort(port(listener)).setURI(uri).setSsl(!listen.plain());
  }

  public Future<WebSocket> connect(String uri) {
    return client.connect(options(uri));
  }

  public Future<WebSocket> connect(WebSocketConnectOptions options) {
    return client.connect(options);
  }

  /** Stops the gateway, closes the test's clients, then fails if the gateway left anything behind. */
  @Override
  public void close() {
    try {
      started.close();
    } finally {
      Await.result(clientVertx.close());
    }
  }
}
