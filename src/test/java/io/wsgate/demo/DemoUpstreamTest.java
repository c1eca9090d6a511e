package io.wsgate.demo;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.wsgate.demo.DemoUpstream.ACK_PREFIX;
import static io.wsgate.demo.DemoUpstream.BROADCAST_PREFIX;
import static io.wsgate.demo.DemoUpstream.MAX_MESSAGE_BYTES;
import static io.wsgate.demo.DemoUpstream.WELCOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoUpstreamTest {

  private static final long DEADLINE_SECONDS = 10;

  private Vertx vertx;
  private DemoUpstream upstream;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = DemoUpstream.start(vertx, "127.0.0.1", 0).await(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    upstream.close().await(DEADLINE_SECONDS, TimeUnit.SECONDS);
    vertx.close().await(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void welcomesEveryClient() throws Exception {
    Client a = connect(new WebSocketClientOptions(), "/chat");
    Client b = connect(new WebSocketClientOptions(), "/any/other/path?x=1");
    assertEquals(WELCOME, a.next());
    assertEquals(WELCOME, b.next());
  }

  @Test
  void broadcastsToOthersAndAcknowledgesTheSender() throws Exception {
    Client a = connect(new WebSocketClientOptions(), "/chat");
    Client b = connect(new WebSocketClientOptions(), "/chat");
    assertEquals(WELCOME, a.next());
    assertEquals(WELCOME, b.next()); // b is registered once it has been welcomed

    a.ws.writeTextMessage("hi");
    assertEquals(BROADCAST_PREFIX + "hi", b.next());
    // The server writes broadcasts before the ack, so a broadcast to the sender would arrive first.
    assertEquals(ACK_PREFIX + "hi", a.next());

    b.ws.writeTextMessage("yo");
    assertEquals(ACK_PREFIX + "yo", b.next());
    assertEquals(BROADCAST_PREFIX + "yo", a.next());
    assertTrue(a.received.isEmpty() && b.received.isEmpty());
  }

  @Test
  void binaryMessagesGetTextRepliesFromTheirUtf8Text() throws Exception {
    Client a = connect(new WebSocketClientOptions(), "/");
    assertEquals(WELCOME, a.next());
    a.ws.writeBinaryMessage(Buffer.buffer("你好", "UTF-8"));
    assertEquals(ACK_PREFIX + "你好", a.next());
  }

  @Test
  void acceptsAMessageOfExactlyTheCap() throws Exception {
    Client a = connect(new WebSocketClientOptions(), "/");
    assertEquals(WELCOME, a.next());
    String atCap = "x".repeat(MAX_MESSAGE_BYTES);
    a.ws.writeTextMessage(atCap);
    assertEquals(ACK_PREFIX + atCap, a.next());
  }

  @Test
  void fragmentedMessageOverTheCapClosesWith1009() throws Exception {
    // The client splits this into a 64 KiB frame and a continuation frame: the server must add them up.
    Client a = connect(new WebSocketClientOptions(), "/");
    assertEquals(WELCOME, a.next());
    a.ws.writeTextMessage("x".repeat(MAX_MESSAGE_BYTES + 1));
    assertEquals((short) 1009, a.closeCode());
  }

  @Test
  void singleFrameOverTheCapClosesWith1009() throws Exception {
    Client a = connect(new WebSocketClientOptions().setMaxFrameSize(4 * MAX_MESSAGE_BYTES), "/");
    assertEquals(WELCOME, a.next());
    a.ws.writeTextMessage("x".repeat(MAX_MESSAGE_BYTES + 1));
    assertEquals((short) 1009, a.closeCode());
  }

  @Test
  void invalidUtf8TextClosesWith1007() throws Exception {
    Client a = connect(new WebSocketClientOptions(), "/");
    assertEquals(WELCOME, a.next());
    a.ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, new byte[] {(byte) 0xC3, (byte) 0x28}, true));
    assertEquals((short) 1007, a.closeCode());
  }

  @Test
  void dropsBroadcastsToAClientThatDoesNotRead() throws Exception {
    Client sender = connect(new WebSocketClientOptions(), "/");
    Client stalled = connect(new WebSocketClientOptions(), "/");
    assertEquals(WELCOME, sender.next());
    assertEquals(WELCOME, stalled.next());
    stalled.ws.pause();

    String chunk = "y".repeat(MAX_MESSAGE_BYTES - 1024);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    // A few drops could be transient while the client still fills its own queue; many mean it is stuck.
    while (upstream.droppedBroadcasts() < 50) {
      assertTrue(System.nanoTime() < deadline, "no broadcast was ever dropped");
      sender.ws.writeTextMessage(chunk);
      assertEquals(ACK_PREFIX + chunk, sender.next()); // the sender is still served
    }

    // The stalled client cannot even receive a close frame: close() must cut it rather than wait for it.
    upstream.close().await(DEADLINE_SECONDS, TimeUnit.SECONDS);
    stalled.ws.resume(); // lets the client side see the end of the connection and finish too
  }

  @Test
  void plainHttpRequestsGet426() throws Exception {
    int status = vertx.createHttpClient()
        .request(HttpMethod.GET, upstream.port(), "127.0.0.1", "/")
        .compose(request -> request.send())
        .map(response -> response.statusCode())
        .await(DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertEquals(426, status);
  }

  private Client connect(WebSocketClientOptions options, String path) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(options.setMaxMessageSize(4 * MAX_MESSAGE_BYTES));
    Client result = new Client(client);
    result.ws.connect(upstream.port(), "127.0.0.1", path).await(DEADLINE_SECONDS, TimeUnit.SECONDS);
    return result;
  }

  /** A client whose handlers are in place before the handshake, so no message can be missed. */
  private static final class Client {
    // Referenced for the test's life: Vert.x closes a client that becomes unreachable, with its connections.
    final WebSocketClient client;
    final ClientWebSocket ws;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Short> closed = new CompletableFuture<>();

    Client(WebSocketClient client) {
      this.client = client;
      this.ws = client.webSocket();
      ws.textMessageHandler(received::add);
      ws.binaryMessageHandler(binary -> received.add("binary:" + binary.toString(StandardCharsets.UTF_8)));
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    }

    String next() throws InterruptedException {
      String message = received.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
      assertNotNull(message, "no message within " + DEADLINE_SECONDS + "s");
      return message;
    }

    short closeCode() throws Exception {
      return closed.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }
  }
}
