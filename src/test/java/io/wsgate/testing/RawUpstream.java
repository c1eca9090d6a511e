package io.wsgate.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A misbehaving upstream written at the TCP level: it reads the upgrade request head and answers
 * whatever the test tells it to (a non-101 status, a 101 with a wrong accept key, nothing at all,
 * or a correct 101 followed by an abrupt disconnect). Counts connections.
 */
public final class RawUpstream implements AutoCloseable {
  public final Vertx vertx = Vertx.vertx();
  public final AtomicInteger connections = new AtomicInteger();
  private final NetServer server;

  /** @param onRequest gets the socket and the Sec-WebSocket-Key of each request */
  public RawUpstream(BiConsumer<NetSocket, String> onRequest) {
    server = vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      Buffer head = Buffer.buffer();
      boolean[] done = new boolean[1];
      socket.handler(data -> {
        if (done[0]) {
          return;
        }
        head.appendBuffer(data);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (text.contains("\r\n\r\n")) {
          done[0] = true;
          onRequest.accept(socket, header(text, "sec-websocket-key"));
        }
      });
    });
    Await.result(server.listen(0, "127.0.0.1"));
  }

  public static RawUpstream answering(String response) {
    return new RawUpstream((socket, key) -> socket.write(response).onComplete(v -> socket.close()));
  }

  public static RawUpstream silent() {
    return new RawUpstream((socket, key) -> { });
  }

  /** Completes the handshake correctly, then drops the TCP connection without a close frame. */
  public static RawUpstream acceptThenDrop() {
    return new RawUpstream((socket, key) -> socket.write(switchingProtocols(acceptKey(key)))
        .onComplete(v -> Vertx.currentContext().owner().setTimer(100, id -> socket.close())));
  }

  public static String switchingProtocols(String accept) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
  }

  public static String acceptKey(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "ws://127.0.0.1:" + port() + "/";
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
