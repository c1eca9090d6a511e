package io.wsgate.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket upstream that can be killed and started again on the same port, like a backend
 * process that crashes and is restarted. While up it echoes every message and streams a
 * {@code tick <n>} text to each session every 50 ms, so clients are mid-stream when it dies.
 *
 * <pre>{@code
 * RestartableUpstream up = new RestartableUpstream();
 * up.kill();      // TCP connections dropped without a close frame; the port refuses
 * up.restart();   // listening again on up.port()
 * }</pre>
 */
public final class RestartableUpstream implements AutoCloseable {
  public final Vertx vertx = Vertx.vertx();
  /** Upgrades answered, over every life of the server. */
  public final AtomicInteger upgrades = new AtomicInteger();
  /** The request URI of each upgrade answered, in order. */
  public final List<String> uris = new CopyOnWriteArrayList<>();
  private final List<ServerWebSocket> live = new CopyOnWriteArrayList<>();
  private final int port;
  private HttpServer server;

  public RestartableUpstream() {
    server = listen(0);
    port = server.actualPort();
  }

  private HttpServer listen(int port) {
    HttpServer s = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
        .setReuseAddress(true)).webSocketHandler(ws -> {
          upgrades.incrementAndGet();
          uris.add(ws.uri());
          live.add(ws);
          int[] tick = new int[1];
          long timer = vertx.setPeriodic(50, id -> ws.writeTextMessage("tick " + tick[0]++));
          ws.textMessageHandler(ws::writeTextMessage);
          ws.closeHandler(v -> {
            vertx.cancelTimer(timer);
            live.remove(ws);
          });
        });
    return Await.result(s.listen());
  }

  public int port() {
    return port;
  }

  public String url() {
    return "ws://127.0.0.1:" + port + "/";
  }

  public int liveSessions() {
    return live.size();
  }

  /** Drops every connection at the TCP level (no close frame, as when the process dies) and stops listening. */
  public void kill() {
    for (ServerWebSocket ws : live) {
      // Closed from Vert.x's own handler context, so the close goes straight to the socket: closing
      // the channel would pass through Vert.x, which says goodbye first with a 1000 close frame.
      ((WebSocketInternal) ws).channelHandlerContext().close();
    }
    Await.until("every upstream connection dropped", live::isEmpty);
    Await.result(server.close());
  }

  /** Listens again on the same port. */
  public void restart() {
    server = listen(port);
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
