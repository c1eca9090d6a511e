package io.wsgate.listener;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.wsgate.GatewayServices;
import io.wsgate.Reason;
import io.wsgate.policy.NamedListener;
import io.wsgate.policy.StartupSettings;
import io.wsgate.audit.AuditedRequest;
import io.wsgate.upstream.UpstreamConnector;

import java.util.HashMap;
import java.util.Map;

/**
 * One client listener on one event loop. The gateway deploys one instance per core and per policy
 * listener on that listener's port; Vert.x spreads accepted connections across them. Each instance dials upstreams from its
 * own event loop, so a session's two sockets never cross threads.
 */
public final class ListenerVerticle extends VerticleBase {
  private final GatewayServices services;
  private final NamedListener listener;
  private final int port;
  private final Map<HttpConnection, Long> handshakeDeadlines = new HashMap<>();
  private AcceptClock acceptClock;
  private HttpServer server;

  /** An instance of the policy's first listener. */
  public ListenerVerticle(GatewayServices services, int port) {
    this(services, services.current().policy().startup().listeners().get(0), port);
  }

  public ListenerVerticle(GatewayServices services, NamedListener listener, int port) {
    this.services = services;
    this.listener = listener;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    StartupSettings startup = services.current().policy().startup();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(listener.listen().host())
        .setPort(port)
        .setMaxWebSocketFrameSize(startup.maxMessageBytes())
        .setMaxWebSocketMessageSize(startup.maxMessageBytes())
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(16384)
        .setWebSocketClosingTimeout(5)
        .setTcpNoDelay(true)
        .setUseProxyProtocol(listener.proxyProtocol())
        .setProxyProtocolTimeout(startup.handshakeTimeout().toMillis())
        .setProxyProtocolTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    long handshakeNanos = startup.handshakeTimeout().toNanos();
    if (!listener.listen().plain()) {
      ServerTls.apply(options, listener.listen().tls(),
          ClientCertRequest.of(services.current().policy().routes(), listener.name()));
      // Slowloris below HTTP: the TLS handshake must be done within the deadline that starts at
      // accept (Vert.x would wait its own 10 s); what is left of it is the request head's.
      options.setSslHandshakeTimeout(handshakeNanos);
      options.setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.NANOSECONDS);
      acceptClock = new AcceptClock(ServerTls.engine(listener.listen().tls()));
      options.setSslEngineOptions(acceptClock);
    }
    int upstreamTimeoutMs = (int) startup.upstreamConnectTimeout().toMillis();
    UpstreamConnector connector = new UpstreamConnector(vertx, new WebSocketClientOptions()
        .setMaxConnections(Integer.MAX_VALUE)
        .setMaxFrameSize(startup.maxMessageBytes())
        .setMaxMessageSize(startup.maxMessageBytes())
        .setTryUsePerMessageCompression(false)
        .setConnectTimeout(upstreamTimeoutMs)
        .setClosingTimeout(5)
        .setTcpNoDelay(true), upstreamTimeoutMs);
    UpgradeHandler upgrades = new UpgradeHandler(vertx, services, connector, listener.name());
    server = vertx.createHttpServer(options)
        .exceptionHandler(this::beforeHttp)
        .connectionHandler(connection -> startHandshakeDeadline(connection, handshakeNanos))
        .invalidRequestHandler(request -> {
          headArrived(request.connection());
          upgrades.handleUndecodable(request);
        })
        .requestHandler(request -> {
          headArrived(request.connection());
          upgrades.handle(request);
        });
    return server.listen();
  }

  private void headArrived(HttpConnection connection) {
    Long timer = handshakeDeadlines.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Slowloris defence: a connection must deliver a complete request head within
   * {@code handshakeTimeout} of being accepted, its TLS handshake included. One that does not is
   * answered 408 ({@link Reason#HANDSHAKE_TIMEOUT}, as audited) and closed.
   */
  private void startHandshakeDeadline(HttpConnection connection, long handshakeNanos) {
    long accepted = acceptClock == null ? System.nanoTime() : acceptClock.acceptedNanos(connection);
    long left = handshakeNanos - (System.nanoTime() - accepted);
    long timer = vertx.setTimer(Math.max(1, left / 1_000_000), id -> {
      if (handshakeDeadlines.remove(connection) != null) {
        services.audit().rejected(AuditedRequest.connectionOnly(connection.remoteAddress().hostAddress(), listener.name()),
            Reason.HANDSHAKE_TIMEOUT);
        RequestTimeout.answer(connection, Reason.HANDSHAKE_TIMEOUT);
      }
    });
    handshakeDeadlines.put(connection, timer);
    connection.closeHandler(v -> {
      Long pending = handshakeDeadlines.remove(connection);
      if (pending != null) {
        vertx.cancelTimer(pending);
      }
    });
  }

  /**
   * A failure before the HTTP connection exists: only a TLS handshake that ran out of time is a
   * decision of ours (audited and counted; the peer's address is not known here). Other TLS
   * failures are the client's, and Vert.x has already closed the socket.
   */
  private void beforeHttp(Throwable failure) {
    if (failure instanceof SslHandshakeTimeoutException) {
      services.audit().rejected(AuditedRequest.connectionOnly(null, listener.name()), Reason.HANDSHAKE_TIMEOUT);
    }
  }

  /** The policy listener this instance serves. */
  public NamedListener listener() {
    return listener;
  }

  public int actualPort() {
    return server.actualPort();
  }

  public HttpServer server() {
    return server;
  }

  public Future<Void> close() {
    return server.close();
  }
}
