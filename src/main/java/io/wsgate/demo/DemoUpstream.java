package io.wsgate.demo;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.wsgate.internal.VertxInternals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded demo upstream: the seed tutorial's Node {@code ws} broadcast server, on Vert.x.
 *
 * <p>On connect a client gets {@link #WELCOME}. For each message M it sends every other open client
 * {@code BROADCAST_PREFIX + M}, then replies to the sender {@code ACK_PREFIX + M}. Binary messages are
 * treated as the seed treats them: Node's template string decodes the Buffer as UTF-8 (invalid bytes
 * become U+FFFD) and the replies are text. Text messages must be valid UTF-8, else close 1007.
 *
 * <p>Bounded: a message (all fragments together) over {@link #MAX_MESSAGE_BYTES} closes the
 * connection with 1009. A broadcast to a client whose write queue is full is dropped and counted; a
 * sender whose own write queue is full is not read from until it drains. Accepts any path; plain HTTP
 * requests get 426.
 */
public final class DemoUpstream {

  public static final String WELCOME = "欢迎来到 WebSocket 服务器!";
  public static final String BROADCAST_PREFIX = "客户端说: ";
  public static final String ACK_PREFIX = "服务器已收到你的消息: ";
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private static final long CLOSE_GRACE_MILLIS = 2_000;

  private final Vertx vertx;
  private final HttpServer server;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong droppedBroadcasts = new AtomicLong();

  private DemoUpstream(Vertx vertx) {
    this.vertx = vertx;
    HttpServerOptions options = new HttpServerOptions()
        .setMaxWebSocketFrameSize(MAX_MESSAGE_BYTES)
        .setMaxWebSocketMessageSize(MAX_MESSAGE_BYTES);
    this.server = vertx.createHttpServer(options)
        .webSocketHandler(ws -> connections.add(new Connection(ws)))
        .requestHandler(request -> request.response().setStatusCode(426).end("Upgrade Required"));
  }

  /** Listens on {@code host:port}; port 0 lets the OS choose (see {@link #port()}). */
  public static Future<DemoUpstream> start(Vertx vertx, String host, int port) {
    DemoUpstream upstream = new DemoUpstream(vertx);
    return upstream.server.listen(port, host).map(listening -> upstream);
  }

  public int port() {
    return server.actualPort();
  }

  /** Broadcasts dropped so far because the receiving client was not reading fast enough. */
  public long droppedBroadcasts() {
    return droppedBroadcasts.get();
  }

  /**
   * Closes every client with 1001 and stops listening. Completes when all connections are gone, within
   * a few seconds even if some client has stopped reading.
   */
  public Future<Void> close() {
    List<Future<Void>> closing = connections.stream()
        .map(Connection::shutDown)
        .toList();
    return server.close().compose(stopped -> Future.all(closing)).mapEmpty();
  }

  private void broadcast(Connection sender, String message) {
    String broadcast = BROADCAST_PREFIX + message;
    for (Connection other : connections) {
      if (other == sender || other.ws.isClosed()) {
        continue;
      }
      if (other.ws.writeQueueFull()) {
        droppedBroadcasts.incrementAndGet();
      } else {
        other.ws.writeTextMessage(broadcast);
      }
    }
  }

  /** One client: reassembles its fragmented messages under the size cap. */
  private final class Connection {
    private final ServerWebSocket ws;
    private final Context context;
    private Buffer partial;
    private boolean partialIsText;
    private boolean closing;
    private long abortTimer = -1;
    private final Promise<Void> closed = Promise.promise();

    Connection(ServerWebSocket ws) {
      this.ws = ws;
      this.context = vertx.getOrCreateContext(); // the event loop this connection's handlers run on
      ws.frameHandler(this::onFrame);
      ws.exceptionHandler(this::onException);
      ws.closeHandler(end -> onClosed());
      ws.writeTextMessage(WELCOME);
    }

    private void onFrame(WebSocketFrame frame) {
      if (closing) {
        return;
      }
      if (frame.isText() || frame.isBinary()) {
        partial = Buffer.buffer();
        partialIsText = frame.isText();
      } else if (!frame.isContinuation() || partial == null) {
        return; // ping, pong and close are answered by Vert.x itself
      }
      Buffer data = frame.binaryData();
      if (partial.length() + data.length() > MAX_MESSAGE_BYTES) {
        close(1009, "Message too big");
        return;
      }
      partial.appendBuffer(data);
      if (frame.isFinal()) {
        Buffer payload = partial;
        partial = null;
        deliver(payload);
      }
    }

    private void deliver(Buffer payload) {
      String message;
      if (partialIsText) {
        try {
          message = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload.getBytes())).toString();
        } catch (CharacterCodingException e) {
          close(1007, "Invalid UTF-8");
          return;
        }
      } else {
        message = payload.toString(StandardCharsets.UTF_8);
      }
      broadcast(this, message);
      ws.writeTextMessage(ACK_PREFIX + message);
      if (ws.writeQueueFull()) {
        // This client is not reading its acks: stop reading its messages until it catches up.
        ws.pause();
        ws.drainHandler(drained -> ws.resume());
      }
    }

    private void onException(Throwable error) {
      // Netty reports a single frame over the cap (1009) and malformed frames (1002) this way,
      // and then ignores the rest of the input: the connection must be closed.
      if (error instanceof CorruptedWebSocketFrameException violation) {
        close(violation.closeStatus().code(), violation.closeStatus().reasonText());
      }
    }

    Future<Void> shutDown() {
      context.runOnContext(now -> close(1001, "Server shutting down"));
      return closed.future();
    }

    private void close(int code, String reason) {
      if (closing) {
        return;
      }
      closing = true;
      partial = null;
      ws.close((short) code, reason);
      // Vert.x starts its closing timeout only once the close frame is written: a peer that stopped
      // reading would hold the connection, and close(), forever. Cut it at the TCP level instead.
      // (The context is the one below Vert.x's own handler, so this close skips the WebSocket handshake.)
      abortTimer = vertx.setTimer(CLOSE_GRACE_MILLIS, fired -> VertxInternals.context(ws).close());
    }

    private void onClosed() {
      connections.remove(this);
      if (abortTimer != -1) {
        vertx.cancelTimer(abortTimer);
      }
      closed.tryComplete();
    }
  }
}
