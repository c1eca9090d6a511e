package io.wsgate.upstream;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.wsgate.policy.Balancing;

/**
 * One health check of one member, never blocking: a WebSocket handshake (101, then closed at once
 * with 1000) or an HTTP GET that must answer 2xx, body and all. The future fails on anything else; the caller
 * holds the deadline.
 */
final class HealthProbe {
  private final WebSocketClient webSockets;
  private final HttpClient http;

  HealthProbe(WebSocketClient webSockets, HttpClient http) {
    this.webSockets = webSockets;
    this.http = http;
  }

  /** @param ssl trust for a {@code wss://} member with a route CA; null = the JVM trust store */
  Future<Void> check(UpstreamMember member, Balancing.HealthCheck check, ClientSSLOptions ssl) {
    long timeoutMs = check.timeout().toMillis();
    try {
      if (check.type() == Balancing.HealthCheck.Type.WEBSOCKET) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(member.host()).setPort(member.port())
            .setSsl(member.tls()).setURI(check.path()).setConnectTimeout(timeoutMs).setTimeout(timeoutMs);
        if (ssl != null) {
          options.setSslOptions(ssl);
        }
        // The 101 is the answer; how fast the member acknowledges our close is not its health.
        return webSockets.connect(options).map(ws -> {
          ws.close((short) 1000, "health check");
          return null;
        });
      }
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(member.host())
          .setPort(member.port()).setSsl(member.tls()).setURI(check.path()).setConnectTimeout(timeoutMs)
          .setIdleTimeout(timeoutMs);
      if (ssl != null) {
        options.setSslOptions(ssl);
      }
      return http.request(options).compose(request -> request.send()).compose(response -> {
        int status = response.statusCode();
        return response.end().compose(v -> status / 100 == 2 ? Future.<Void>succeededFuture()
            : Future.failedFuture("HTTP " + status));
      });
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
