package io.wsgate.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real Vert.x WebSocket upstream on its own Vert.x instance and an OS-chosen port. It echoes
 * every data frame back unchanged and records what it saw: handshake headers and URIs, frames, sockets.
 */
public final class EchoUpstream implements AutoCloseable {
  public final Vertx vertx = Vertx.vertx();
  public final BlockingQueue<MultiMap> handshakes = new LinkedBlockingQueue<>();
  /** The request URI (path and query) of each upgrade, in the order of {@link #handshakes}. */
  public final BlockingQueue<String> uris = new LinkedBlockingQueue<>();
  public final BlockingQueue<WebSocketFrame> frames = new LinkedBlockingQueue<>();
  public final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
  public final BlockingQueue<String> closes = new LinkedBlockingQueue<>();
  private final HttpServer server;

  public EchoUpstream() {
    this(List.of());
  }

  public EchoUpstream(List<String> subprotocols) {
    this(subprotocols, Duration.ZERO);
  }

  /** An echo upstream that answers each upgrade only after {@code delay}: a slow backend, for races with the client. */
  public static EchoUpstream answeringAfter(Duration delay) {
    return new EchoUpstream(List.of(), delay);
  }

  private EchoUpstream(List<String> subprotocols, Duration answerDelay) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setMaxWebSocketFrameSize(16 * 1024 * 1024).setMaxWebSocketMessageSize(64 * 1024 * 1024);
    if (!subprotocols.isEmpty()) {
      options.setWebSocketSubProtocols(subprotocols);
    }
    HttpServer created = vertx.createHttpServer(options);
    if (answerDelay.isZero()) {
      created.webSocketHandler(this::serve);
    } else {
      // The gateway may give up on the upgrade while it waits: then accept() fails and nothing is served.
      created.webSocketHandshakeHandler(handshake -> vertx.setTimer(answerDelay.toMillis(),
          t -> handshake.accept().onSuccess(this::serve)));
    }
    server = created;
    Await.result(server.listen());
  }

  private void serve(ServerWebSocket ws) {
    uris.add(ws.uri());
    handshakes.add(MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()));
    sockets.add(ws);
    ws.frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.TEXT || frame.type() == WebSocketFrameType.BINARY
          || frame.type() == WebSocketFrameType.CONTINUATION) {
        // Record a copy: writing the frame back consumes its payload.
        frames.add(copy(frame));
        ws.writeFrame(frame);
      }
    });
    ws.closeHandler(v -> closes.add(ws.closeStatusCode() + " " + ws.closeReason()));
  }

  /** Upgrades answered whose socket is still open. */
  public long openSockets() {
    return sockets.stream().filter(ws -> !ws.isClosed()).count();
  }

  private static WebSocketFrame copy(WebSocketFrame frame) {
    io.vertx.core.buffer.Buffer data = frame.binaryData().copy();
    return switch (frame.type()) {
      case TEXT -> WebSocketFrame.textFrame(data.toString(), frame.isFinal());
      case BINARY -> WebSocketFrame.binaryFrame(data, frame.isFinal());
      default -> WebSocketFrame.continuationFrame(data, frame.isFinal());
    };
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "ws://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
