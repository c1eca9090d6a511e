package io.wsgate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that completes its handshake and then goes silent. Keepalive pings go to the client
 * only, so an upstream that answered 101 and then says nothing is not detected as dead: the
 * session lasts as long as data flows in either direction, and the idle timeout ends it once
 * nothing has been relayed for that long. A client that stops answering pings is closed after one
 * unanswered ping interval ({@code keepalive_timeout}).
 */
class SilentPeerIT {
  private static final Duration IDLE = Duration.ofMillis(1500);
  private static final Duration PING = Duration.ofMillis(300);

  /** Answers the upgrade correctly, then never sends a byte; counts what it receives and notices when it is hung up on. */
  private static final class SilentAfter101 implements AutoCloseable {
    final AtomicLong bytesAfterHandshake = new AtomicLong();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final RawUpstream upstream = new RawUpstream((socket, key) -> {
      socket.handler(data -> bytesAfterHandshake.addAndGet(data.length()));
      socket.closeHandler(v -> closed.complete(null));
      socket.write(RawUpstream.switchingProtocols(RawUpstream.acceptKey(key)));
    });

    @Override
    public void close() {
      upstream.close();
    }
  }

  private static GatewayHarness gateway(String upstreamUrl, Duration idle, Duration ping) {
    return new GatewayHarness(TestPolicy.create().route("/chat", upstreamUrl).idleTimeout(idle).pingInterval(ping).build());
  }

  @Test
  void upstreamSilentAfter101KeepsTheSessionAliveUntilTheIdleTimeout() throws Exception {
    try (SilentAfter101 silent = new SilentAfter101();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(silent.upstream.url(), IDLE, PING)) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      long start = System.nanoTime();
      AtomicInteger pings = new AtomicInteger();
      ws.frameHandler(frame -> {
        if (frame.type() == WebSocketFrameType.PING) {
          pings.incrementAndGet();
        }
      });
      CompletableFuture<String> closed = CloseIT.closeOf(ws);

      // Keepalive pings (answered by the client's library) do not keep a session with no data alive.
      assertEquals("1001 idle timeout", closed.get(10, TimeUnit.SECONDS));
      long lastedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(lastedMs >= IDLE.toMillis() - 100, "closed at the idle timeout, not before: " + lastedMs + " ms");
      assertTrue(pings.get() >= 2, "the client was pinged while the session lasted: " + pings.get());
      // The silent upstream got a close frame it never answers: the gateway hangs up on it after
      // its close grace (5 s), and only then is the session over.
      long clientClosed = System.nanoTime();
      silent.closed.get(10, TimeUnit.SECONDS);
      long graceMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - clientClosed);
      assertTrue(graceMs >= 4000, "hung up on after the close grace, not at once: " + graceMs + " ms");
      assertTrue(silent.bytesAfterHandshake.get() > 0, "a close frame was sent upstream");
      var metrics = harness.gateway.services().audit().metrics();
      Await.until("idle_timeout counted", () -> metrics.outcomes(Reason.IDLE_TIMEOUT) == 1);
      assertEquals(0, metrics.outcomes(Reason.KEEPALIVE_TIMEOUT));
      List<JsonObject> events = audit.await("session.closed", l -> l.size() == 1);
      assertEquals("idle_timeout", events.get(0).getString("reason"));
      assertEquals(0, harness.gateway.services().sessions().size());
    }
  }

  @Test
  void clientTalkingToASilentUpstreamIsNotIdle() throws Exception {
    try (SilentAfter101 silent = new SilentAfter101();
         GatewayHarness harness = gateway(silent.upstream.url(), IDLE, PING)) {
      WebSocket ws = Await.result(harness.connect("/chat"));
      CompletableFuture<String> closed = CloseIT.closeOf(ws);
      long start = System.nanoTime();
      // Messages into a void, one every 200 ms for twice the idle timeout.
      AtomicInteger sent = new AtomicInteger();
      long timer = harness.clientVertx.setPeriodic(200, id -> {
        if (!closed.isDone()) {
          ws.writeTextMessage("anyone there? " + sent.incrementAndGet());
        }
      });
      Await.until("16 messages sent (3.2 s)", Duration.ofSeconds(20), () -> sent.get() >= 16 || closed.isDone());
      assertFalse(closed.isDone(), "closed while the client was talking: " + closed.getNow(null));
      assertTrue(System.nanoTime() - start > 2 * IDLE.toNanos());
      // Each message is at least a 6-byte masked frame header and 15 bytes of text.
      long expected = sent.get() * 21L;
      Await.until("the messages reached the upstream", () -> silent.bytesAfterHandshake.get() >= expected);

      harness.clientVertx.cancelTimer(timer);
      assertEquals("1001 idle timeout", closed.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void clientThatStopsAnsweringPingsIsClosedWithKeepaliveTimeout() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream.url("/"), Duration.ofMinutes(5), PING);
         RawClient raw = new RawClient(harness.port(), true)) {
      raw.send(RawClient.upgrade("/chat"));
      assertEquals(101, RawClient.status(raw.readHead()));
      long start = System.nanoTime();
      RawClient.Frame ping = raw.readFrame();
      assertEquals(0x9, ping.opcode(), "a keepalive ping first");
      // Never answered: the next frame is the close, one ping interval later.
      RawClient.Frame close = raw.readFrame();
      long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(0x8, close.opcode());
      assertEquals(1001, ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF));
      assertEquals(Reason.KEEPALIVE_TIMEOUT.description(),
          new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8));
      assertTrue(afterMs >= 2 * PING.toMillis() - 100, "a ping interval to send it, one to wait: " + afterMs + " ms");
      raw.send(RawClient.frame(0x88, Buffer.buffer().appendShort((short) 1001).getBytes(), true));
      var metrics = harness.gateway.services().audit().metrics();
      Await.until("keepalive_timeout counted", () -> metrics.outcomes(Reason.KEEPALIVE_TIMEOUT) == 1);
      assertEquals("keepalive_timeout", audit.await("session.closed", l -> l.size() == 1).get(0).getString("reason"));
      assertEquals("1001", upstream.closes.poll(10, TimeUnit.SECONDS).split(" ")[0]);
    }
  }
}
