package io.wsgate.conformance;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The echo server the Autobahn fuzzing client expects behind the URL it tests: every data frame
 * comes back as it came (same type, same fragmentation), text checked for UTF-8 as it arrives
 * (close 1007 at the first invalid fragment); pings, pongs, closes and protocol errors are left to
 * Vert.x. A client that sends faster than it reads pauses its own socket until the echoes drain.
 * (Vert.x's own text message aggregation is not used: it decodes leniently and mishandles empty
 * fragments, cases 6.1.2 and 6.1.3.)
 */
final class AutobahnEcho {
  /** Section 9 sends messages of up to 16 MiB, in one frame or many. */
  static final int MAX_MESSAGE_BYTES = 16 << 20;

  private AutobahnEcho() {
  }

  static Future<HttpServer> start(Vertx vertx, String host, int port) {
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        .setMaxWebSocketFrameSize(MAX_MESSAGE_BYTES)
        .setMaxWebSocketMessageSize(MAX_MESSAGE_BYTES)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setTcpNoDelay(true);
    return vertx.createHttpServer(options).webSocketHandler(ws -> new Connection(ws).start()).listen();
  }

  private static final class Connection {
    private final ServerWebSocket ws;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer sink = CharBuffer.allocate(8192);
    /** The bytes of a character split across fragments, carried to the next fragment. */
    private ByteBuffer carry = ByteBuffer.allocate(0);
    private boolean text;

    Connection(ServerWebSocket ws) {
      this.ws = ws;
    }

    void start() {
      ws.drainHandler(v -> ws.resume());
      ws.frameHandler(this::frame);
    }

    private void frame(WebSocketFrame frame) {
      WebSocketFrameType type = frame.type();
      if (type == WebSocketFrameType.TEXT || type == WebSocketFrameType.BINARY) {
        text = type == WebSocketFrameType.TEXT;
        utf8.reset();
        carry = ByteBuffer.allocate(0);
      } else if (type != WebSocketFrameType.CONTINUATION) {
        return;
      }
      if (text && !validUtf8(frame.binaryData(), frame.isFinal())) {
        ws.close((short) 1007, "invalid UTF-8");
        return;
      }
      ws.writeFrame(frame);
      if (ws.writeQueueFull()) {
        ws.pause();
      }
    }

    private boolean validUtf8(Buffer payload, boolean last) {
      byte[] bytes = payload.getBytes();
      ByteBuffer in = ByteBuffer.allocate(carry.remaining() + bytes.length).put(carry).put(bytes).flip();
      while (true) {
        sink.clear();
        CoderResult result = utf8.decode(in, sink, last);
        if (result.isError()) {
          return false;
        }
        if (result.isUnderflow()) {
          break;
        }
      }
      if (last) {
        sink.clear();
        if (utf8.flush(sink).isError() || in.hasRemaining()) {
          return false;
        }
      }
      carry = in.slice();
      return true;
    }
  }
}
