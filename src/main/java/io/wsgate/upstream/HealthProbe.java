package io.wsgate.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.wsgate.policy.Balancing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One health check of one member, never blocking: a WebSocket handshake (101, then closed at once
 * with 1000) or an HTTP GET that must answer 2xx, body and all. The future fails on anything else; the caller
 * holds the deadline. A {@code wss://} member is checked with its route's TLS (CA, client certificate,
 * server name), as sessions dial it.
 */
final class HealthProbe {
  private static final String OWN_HOST = "";
  private final Vertx vertx;
  private final UpstreamClients webSockets;
  private final HttpClientOptions httpOptions;
  private final Map<String, HttpClient> http = new ConcurrentHashMap<>();

  HealthProbe(Vertx vertx, UpstreamClients webSockets, HttpClientOptions httpOptions) {
    this.vertx = vertx;
    this.webSockets = webSockets;
    this.httpOptions = httpOptions;
  }

  Future<Void> check(UpstreamMember member, Balancing.HealthCheck check, UpstreamSsl ssl) {
    long timeoutMs = check.timeout().toMillis();
    try {
      if (check.type() == Balancing.HealthCheck.Type.WEBSOCKET) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(member.host()).setPort(member.port())
            .setSsl(member.tls()).setURI(check.path()).setConnectTimeout(timeoutMs).setTimeout(timeoutMs);
        if (member.tls()) {
          options.setSslOptions(ssl.options());
        }
        // The 101 is the answer; how fast the member acknowledges our close is not its health.
        return webSockets.client(member.tls() ? ssl.serverName() : null).connect(options).map(ws -> {
          ws.close((short) 1000, "health check");
          return null;
        });
      }
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(member.host())
          .setPort(member.port()).setSsl(member.tls()).setURI(check.path()).setConnectTimeout(timeoutMs)
          .setIdleTimeout(timeoutMs);
      if (member.tls()) {
        options.setSslOptions(ssl.options());
      }
      return http(member.tls() ? ssl.serverName() : null).request(options).compose(request -> request.send())
          .compose(response -> {
            int status = response.statusCode();
            return response.end().compose(v -> status / 100 == 2 ? Future.<Void>succeededFuture()
                : Future.failedFuture("HTTP " + status));
          });
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private HttpClient http(String serverName) {
    return http.computeIfAbsent(serverName == null ? OWN_HOST : serverName, name -> vertx.createHttpClient(
        new HttpClientOptions(httpOptions).setSslEngineOptions(new ServerNameEngineOptions(name.isEmpty() ? null : name, webSockets.failures()))));
  }
}
