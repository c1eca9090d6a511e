package io.wsgate.listener;

import io.wsgate.internal.VertxInternals;
import io.wsgate.internal.WrappingSslContextFactory;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;

import javax.net.ssl.SSLEngine;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * When a TLS connection was accepted, so that one {@code handshakeTimeout} covers the TLS handshake
 * and the request head together. Vert.x tells a listener about a connection only once its TLS
 * handshake is done; Netty's {@link SslHandler} is created when the TCP connection is accepted, so
 * these engine options (wrapping the JDK's or OpenSSL's) stamp each handler as its context creates it, and {@link #acceptedNanos}
 * finds the stamp of a connection's handler. Plain connections are announced at accept.
 *
 * <pre>{@code
 * AcceptClock clock = new AcceptClock(new OpenSSLEngineOptions());
 * options.setSslEngineOptions(clock);                    // before the server is created
 * long accepted = clock.acceptedNanos(connection);       // in connectionHandler
 * }</pre>
 */
final class AcceptClock extends SSLEngineOptions {
  /**
   * One table for every instance: Vert.x makes its own copies of engine options, and not only
   * through {@link #copy()}. Handlers are weak keys, so the table holds no more than live handlers.
   */
  private static final Map<SslHandler, Long> STAMPS = Collections.synchronizedMap(new WeakHashMap<>());

  private final SSLEngineOptions engine;

  /** @param engine the TLS engine that does the work (JDK or OpenSSL) */
  AcceptClock(SSLEngineOptions engine) {
    this.engine = engine;
  }

  @Override
  public AcceptClock copy() {
    return new AcceptClock(engine.copy());
  }

  /** {@link System#nanoTime()} when the connection was accepted; now when it is not a stamped TLS connection. */
  long acceptedNanos(HttpConnection connection) {
    SslHandler ssl = VertxInternals.channel(connection).pipeline().get(SslHandler.class);
    Long stamp = ssl == null ? null : STAMPS.remove(ssl);
    return stamp == null ? System.nanoTime() : stamp;
  }

  @Override
  public SslContextFactory sslContextFactory() {
    return new WrappingSslContextFactory(engine.sslContextFactory(), Stamping::new);
  }

  private final class Stamping extends DelegatingSslContext {
    Stamping(SslContext context) {
      super(context);
    }

    @Override
    protected void initEngine(SSLEngine engine) {
    }

    @Override
    protected void initHandler(SslHandler handler) {
      STAMPS.put(handler, System.nanoTime());
    }
  }
}
