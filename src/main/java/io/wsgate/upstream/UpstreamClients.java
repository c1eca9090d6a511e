package io.wsgate.upstream;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSocket clients upstreams are dialled with: one for members verified against their own host
 * name, and one per {@code upstreamTls.serverName} (Vert.x sets the TLS engine per client, see
 * {@link ServerNameEngineOptions}). Server names come from the policy, so there are few; a client
 * is kept for the life of the listener that made it.
 */
public final class UpstreamClients {
  private static final String OWN_HOST = "";
  private final Vertx vertx;
  private final WebSocketClientOptions options;
  private final Map<String, WebSocketClient> clients = new ConcurrentHashMap<>();
  private final TlsFailures failures = new TlsFailures();

  public UpstreamClients(Vertx vertx, WebSocketClientOptions options) {
    this.vertx = vertx;
    this.options = new WebSocketClientOptions(options);
  }

  /** @param serverName null: the member's own host */
  public WebSocketClient client(String serverName) {
    return clients.computeIfAbsent(serverName == null ? OWN_HOST : serverName, name -> vertx.createWebSocketClient(
        new WebSocketClientOptions(options).setSslEngineOptions(new ServerNameEngineOptions(name.isEmpty() ? null : name, failures))));
  }

  /** TLS failures of every client's connections, by peer. */
  TlsFailures failures() {
    return failures;
  }
}
