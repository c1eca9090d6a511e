package io.wsgate.internal;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.spi.tls.SslContextFactory;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * An engine's {@link SslContextFactory} whose contexts come out wrapped: every setting goes to the
 * engine's own factory, and each context it creates is handed to {@code wrap}. How engine options
 * ({@code SSLEngineOptions#sslContextFactory}) add behaviour to the engines Vert.x creates without
 * re-implementing the engine.
 */
public final class WrappingSslContextFactory implements SslContextFactory {
  private final SslContextFactory engine;
  private final UnaryOperator<SslContext> wrap;

  public WrappingSslContextFactory(SslContextFactory engine, UnaryOperator<SslContext> wrap) {
    this.engine = engine;
    this.wrap = wrap;
  }

  @Override
  public SslContextFactory useAlpn(boolean useAlpn) {
    engine.useAlpn(useAlpn);
    return this;
  }

  @Override
  public SslContextFactory clientAuth(ClientAuth clientAuth) {
    engine.clientAuth(clientAuth);
    return this;
  }

  @Override
  public SslContextFactory forClient(boolean forClient) {
    engine.forClient(forClient);
    return this;
  }

  @Override
  public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
    engine.keyMananagerFactory(kmf);
    return this;
  }

  @Override
  public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
    engine.trustManagerFactory(tmf);
    return this;
  }

  @Override
  public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
    engine.enabledCipherSuites(enabledCipherSuites);
    return this;
  }

  @Override
  public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
    engine.applicationProtocols(applicationProtocols);
    return this;
  }

  @Override
  public SslContextFactory serverName(String name) {
    engine.serverName(name);
    return this;
  }

  @Override
  public SslContext create() throws SSLException {
    return wrap.apply(engine.create());
  }
}
