package io.wsgate.upstream;

import io.wsgate.internal.WrappingSslContextFactory;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;

import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSessionContext;

/**
 * The JDK TLS engine for upstream clients, with the peer's name under the gateway's control. Vert.x's
 * WebSocket client names the TLS peer after the host it dials, and sends SNI only for names with a
 * dot; here every engine is created for {@code serverName} when one is set (so that name is sent as SNI
 * and is the one hostname verification checks, with no fallback to the dialled address), and always
 * sends SNI for a DNS name. One client per server name: Vert.x takes engine options per client.
 * Every TLS failure of an engine is recorded in {@link TlsFailures}.
 */
final class ServerNameEngineOptions extends JdkSSLEngineOptions {
  private final String serverName;
  private final TlsFailures failures;

  /** @param serverName null: the dialled host */
  ServerNameEngineOptions(String serverName, TlsFailures failures) {
    this.serverName = serverName;
    this.failures = failures;
  }

  @Override
  public ServerNameEngineOptions copy() {
    return new ServerNameEngineOptions(serverName, failures);
  }

  @Override
  public SslContextFactory sslContextFactory() {
    return new WrappingSslContextFactory(super.sslContextFactory(), jdk -> new Named(jdk, serverName, failures));
  }

  /** Whether {@code host} is an IP literal, which SNI never carries. */
  static boolean ipLiteral(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  /** Creates every engine for the server name, and with SNI set. */
  private static final class Named extends SslContext {
    private final SslContext context;
    private final String serverName;
    private final TlsFailures failures;

    Named(SslContext context, String serverName, TlsFailures failures) {
      this.context = context;
      this.serverName = serverName;
      this.failures = failures;
    }

    @Override
    public boolean isClient() {
      return context.isClient();
    }

    @Override
    public List<String> cipherSuites() {
      return context.cipherSuites();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
      return context.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
      return context.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
      String name = serverName != null ? serverName : peerHost;
      SSLEngine engine = context.newEngine(alloc, name, peerPort);
      if (name != null && !ipLiteral(name)) {
        try {
          SSLParameters parameters = engine.getSSLParameters();
          parameters.setServerNames(List.of(new SNIHostName(name)));
          engine.setSSLParameters(parameters);
        } catch (IllegalArgumentException e) {
          // Not a name SNI can carry (e.g. with "_"): none is sent; verification still checks it.
        }
      }
      return new RecordingEngine(engine, failures);
    }

    @Override
    public SSLSessionContext sessionContext() {
      return context.sessionContext();
    }
  }
}
