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
 * A real gateway on a loopback port chosen by the OS, plus a separate Vert.x instance for the
 * test's own clients, trusting the test certificate with host verification on.
 */
public final class GatewayHarness implements AutoCloseable {
  public final Gateway gateway;
  public final Vertx clientVertx = Vertx.vertx();
  public final WebSocketClient client;
  private final boolean tls;

  public GatewayHarness(GatewayPolicy policy) {
    this.gateway = Await.result(Gateway.start(policy));
    this.tls = !policy.listen().plain();
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024)
        .setMaxMessageSize(64 * 1024 * 1024);
    if (tls) {
      options.setSsl(true).setTrustOptions(TestCerts.trust()).setVerifyHost(true);
    }
    this.client = clientVertx.createWebSocketClient(options);
  }

  public int port() {
    return gateway.port();
  }

  public WebSocketConnectOptions options(String uri) {
    return new WebSocketConnectOptions().setHost("localhost").setPort(port()).setURI(uri).setSsl(tls);
  }

  public Future<WebSocket> connect(String uri) {
    return client.connect(options(uri));
  }

  public Future<WebSocket> connect(WebSocketConnectOptions options) {
    return client.connect(options);
  }

  @Override
  public void close() {
    Await.result(gateway.stop());
    Await.result(clientVertx.close());
  }
}
