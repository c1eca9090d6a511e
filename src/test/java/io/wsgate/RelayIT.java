package io.wsgate;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Messages cross the gateway unchanged in both directions, over real TLS, real sockets. */
class RelayIT {
  private EchoUpstream upstream;
  private GatewayHarness harness;

  @BeforeEach
  void start() {
    upstream = new EchoUpstream(List.of("v2.chat"));
    harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/echo"))
        .pingInterval(Duration.ofMillis(300)).build());
  }

  @AfterEach
  void stop() {
    harness.close();
    upstream.close();
  }

  @Test
  void textAndBinaryMessagesAreRelayedBothWays() throws Exception {
    WebSocket ws = Await.result(harness.connect("/chat"));
    BlockingQueue<WebSocketFrame> received = frames(ws);
    ws.writeTextMessage("héllo 世界");
    ws.writeBinaryMessage(Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xFF}));

    WebSocketFrame text = received.poll(10, TimeUnit.SECONDS);
    WebSocketFrame binary = received.poll(10, TimeUnit.SECONDS);
    assertEquals("héllo 世界", text.textData());
    assertTrue(text.isText());
    assertTrue(binary.isBinary());
    assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xFF}, binary.binaryData().getBytes());
    assertEquals("héllo 世界", upstream.frames.poll(10, TimeUnit.SECONDS).textData());
  }

  @Test
  void fragmentedMessageKeepsItsFragmentsBothWays() throws Exception {
    WebSocket ws = Await.result(harness.connect("/chat"));
    BlockingQueue<WebSocketFrame> received = frames(ws);
    ws.writeFrame(WebSocketFrame.textFrame("frag-", false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ment-"), false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ed"), true));

    WebSocketFrame first = upstream.frames.poll(10, TimeUnit.SECONDS);
    WebSocketFrame second = upstream.frames.poll(10, TimeUnit.SECONDS);
    WebSocketFrame third = upstream.frames.poll(10, TimeUnit.SECONDS);
    assertEquals(WebSocketFrameType.TEXT, first.type());
    assertFalse(first.isFinal());
    assertEquals(WebSocketFrameType.CONTINUATION, second.type());
    assertFalse(second.isFinal());
    assertEquals(WebSocketFrameType.CONTINUATION, third.type());
    assertTrue(third.isFinal());
    assertEquals("frag-ment-ed", first.textData() + second.binaryData() + third.binaryData());

    WebSocketFrame back = received.poll(10, TimeUnit.SECONDS);
    assertEquals(WebSocketFrameType.TEXT, back.type());
    assertFalse(back.isFinal());
    assertEquals(WebSocketFrameType.CONTINUATION, received.poll(10, TimeUnit.SECONDS).type());
    assertTrue(received.poll(10, TimeUnit.SECONDS).isFinal());
  }

  @Test
  void subprotocolChosenByUpstreamReachesTheClient() throws Exception {
    WebSocket ws = Await.result(harness.connect(harness.options("/chat").setSubProtocols(List.of("v1.chat", "v2.chat"))));
    assertEquals("v2.chat", ws.subProtocol());
    // The upstream records its socket after sending its 101: wait for it, do not race it.
    MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
    assertNotNull(seen);
    assertTrue(seen.get("sec-websocket-protocol").contains("v1.chat"));
  }

  @Test
  void noSubprotocolWhenClientOffersNone() {
    WebSocket ws = Await.result(harness.connect("/chat"));
    assertNull(ws.subProtocol());
  }

  @Test
  void forwardingHeadersAreSetAndHopByHopAndUnlistedHeadersAreStripped() throws Exception {
    WebSocketConnectOptions options = harness.options("/chat?room=7")
        .addHeader("User-Agent", "relay-test/1.0")
        .addHeader("X-Forwarded-For", "6.6.6.6")
        .addHeader("X-Request-Id", "spoofed")
        .addHeader("X-Secret-Internal", "leak")
        .addHeader("Keep-Alive", "timeout=5")
        .addHeader("Proxy-Authorization", "Basic Zm9vOmJhcg==");
    Await.result(harness.connect(options));
    MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
    assertEquals("127.0.0.1", seen.get("x-forwarded-for"));
    assertEquals("https", seen.get("x-forwarded-proto"));
    assertEquals("localhost:" + harness.port(), seen.get("x-forwarded-host"));
    assertEquals("spoofed", seen.get("x-request-id"), "a well-formed client request id is kept");
    assertEquals("relay-test/1.0", seen.get("user-agent"));
    assertNull(seen.get("x-secret-internal"));
    assertNull(seen.get("keep-alive"));
    assertNull(seen.get("proxy-authorization"));
  }

  @Test
  void aMalformedRequestIdIsReplacedAndW3cTraceContextCrossesWhenWellFormed() throws Exception {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Await.result(harness.connect(harness.options("/chat").addHeader("X-Request-Id", "two words")
        .addHeader("traceparent", traceparent).addHeader("tracestate", "congo=t61rcWkgMzE")));
    MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
    assertTrue(seen.get("x-request-id").matches("[0-9a-f]{32}"), seen.get("x-request-id"));
    assertEquals(traceparent, seen.get("traceparent"));
    assertEquals("congo=t61rcWkgMzE", seen.get("tracestate"));

    Await.result(harness.connect(harness.options("/chat")
        .addHeader("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01")
        .addHeader("tracestate", "congo=t61rcWkgMzE")));
    seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
    assertNull(seen.get("traceparent"), "an all-zero trace id is invalid (W3C Trace Context 3.2.2.3)");
    assertNull(seen.get("tracestate"), "no tracestate without its traceparent");
  }

  @Test
  void queryStringReachesTheUpstreamPath() throws Exception {
    WebSocket ws = Await.result(harness.connect("/chat?room=7"));
    assertNotNull(ws);
    Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
    assertEquals("/echo?room=7", upstream.sockets.get(0).uri());
  }

  @Test
  void pingIsAnsweredByTheGatewayAndQuietClientsGetKeepalivePings() throws Exception {
    WebSocket ws = Await.result(harness.connect("/chat"));
    BlockingQueue<Buffer> pongs = new LinkedBlockingQueue<>();
    BlockingQueue<WebSocketFrame> pings = new LinkedBlockingQueue<>();
    ws.pongHandler(pongs::add);
    ws.frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.PING) {
        pings.add(frame);
      }
    });
    ws.writePing(Buffer.buffer("are you there"));
    assertEquals("are you there", pongs.poll(10, TimeUnit.SECONDS).toString());
    assertNotNull(pings.poll(10, TimeUnit.SECONDS), "a quiet client gets a keepalive ping");
  }

  @Test
  void permessageDeflateIsNotNegotiated() throws Exception {
    try (io.wsgate.testing.RawClient raw = new io.wsgate.testing.RawClient(harness.port(), true)) {
      raw.send(io.wsgate.testing.RawClient.upgrade("/chat").replace("\r\n\r\n",
          "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"));
      String head = raw.readHead();
      assertEquals(101, io.wsgate.testing.RawClient.status(head));
      assertFalse(head.toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-extensions"), head);
      Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
      assertNull(upstream.handshakes.peek().get("sec-websocket-extensions"), "no extension offered upstream");
    }
  }

  private static BlockingQueue<WebSocketFrame> frames(WebSocket ws) {
    BlockingQueue<WebSocketFrame> received = new LinkedBlockingQueue<>();
    ws.frameHandler(frame -> {
      if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
        received.add(frame);
      }
    });
    return received;
  }
}
