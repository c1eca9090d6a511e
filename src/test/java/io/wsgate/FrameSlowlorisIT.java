package io.wsgate;

import io.vertx.core.json.JsonObject;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slowloris after the 101: a client that starts a frame and never finishes it. Idle and keepalive
 * timeouts count complete frames only, never raw bytes, so dribbling does not keep a session
 * alive: with no complete client frame the gateway pings after {@code pingInterval} and closes one
 * {@code pingInterval} later, with 1001 {@code incomplete_frame} when part of a frame is pending
 * (1001 {@code keepalive_timeout} for a client that sent nothing), audited, counted, slot freed.
 */
class FrameSlowlorisIT {
  private static final long PING_MS = 300;
  private EchoUpstream upstream;
  private GatewayHarness harness;
  private RawClient raw;
  private AuditCapture audit;
  private final ExecutorService dribbler = Executors.newSingleThreadExecutor();

  @BeforeEach
  void start() throws Exception {
    audit = new AuditCapture();
    upstream = new EchoUpstream();
    harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
        .pingInterval(Duration.ofMillis(PING_MS)).build());
    raw = new RawClient(harness.port(), true);
    raw.send(RawClient.upgrade("/chat"));
    assertEquals(101, RawClient.status(raw.readHead()));
    Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
  }

  @AfterEach
  void stop() throws Exception {
    dribbler.shutdownNow();
    raw.close();
    harness.close();
    upstream.close();
    audit.close();
  }

  /** Writes {@code bytes} one at a time, {@code everyMs} apart, until done or the socket fails. */
  private Future<?> dribble(byte[] bytes, long everyMs) {
    return dribbler.submit(() -> {
      try {
        for (byte b : bytes) {
          raw.send(new byte[] {b});
          Thread.sleep(everyMs); // the attack itself: a byte now and then
        }
      } catch (IOException | InterruptedException e) {
        // closed by the gateway, or the test is over
      }
    });
  }

  /**
   * Reads until the close frame and returns how long after {@code startNanos} it came; the
   * gateway's keepalive ping must have come first.
   */
  private long closeAfterAPing(long startNanos, int expectedCode) throws IOException {
    boolean pinged = false;
    while (true) {
      RawClient.Frame frame = raw.readFrame();
      if (frame.opcode() == 0x9) {
        pinged = true;
      } else if (frame.opcode() == 0x8) {
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        assertTrue(pinged, "a keepalive ping came before the close");
        int code = ((frame.payload()[0] & 0xFF) << 8) | (frame.payload()[1] & 0xFF);
        assertEquals(expectedCode, code);
        return ms;
      }
    }
  }

  /** Returns the audited session.closed record. */
  private JsonObject assertEndedFor(Reason reason) throws Exception {
    List<JsonObject> closed = audit.await("session.closed", list -> AuditCapture.has(list, "reason", reason.tag()));
    assertEquals(1, closed.size());
    assertEquals(1001, closed.get(0).getInteger("clientCloseCode"));
    assertEquals(1, harness.gateway.services().audit().metrics().outcomes(reason));
    assertEquals(1, harness.gateway.services().audit().metrics().closes(reason));
    assertEquals("1001 " + reason.description(), upstream.closes.poll(10, TimeUnit.SECONDS));
    // The slot, and wsgate_sessions_active (the registry's size), are given back.
    Await.until("slot and session released",
        () -> harness.gateway.services().globalConnections() == 0 && harness.gateway.services().sessions().size() == 0);
    raw.timeout(10_000);
    assertTrue(raw.closedByPeer(), "the connection is closed");
    return closed.get(0);
  }

  /** A client stuck mid-frame cannot answer the close: the gateway hangs up at once rather than wait for it. */
  private static void assertHungUpWithoutAClosingWait(JsonObject closed) {
    long ms = closed.getLong("durationMs");
    assertTrue(ms >= 2 * PING_MS, "not before two ping intervals: " + ms + " ms");
    assertTrue(ms < 2 * PING_MS + 2000, "session lasted " + ms + " ms, not 2 pings + the 5 s closing wait");
  }

  @Test
  void aFrameHeaderDribbledByteByByteIsClosedWithinTwoPingIntervals() throws Exception {
    long start = System.nanoTime();
    // Binary, FIN, masked, 16-bit length 1,024, then the mask: 7 of the 8 header bytes, 100 ms apart.
    Future<?> sending = dribble(new byte[] {(byte) 0x82, (byte) 0xFE, 0x04, 0x00, 1, 2, 3}, 100);
    long ms = closeAfterAPing(start, 1001);
    assertTrue(ms < 2 * PING_MS + 2000, "closed after " + ms + " ms");
    assertHungUpWithoutAClosingWait(assertEndedFor(Reason.INCOMPLETE_FRAME));
    sending.cancel(true);
    assertTrue(upstream.frames.isEmpty(), "no frame reached the upstream");
  }

  @Test
  void aFrameBodyDribbledByteByByteIsClosedWithinTwoPingIntervals() throws Exception {
    long start = System.nanoTime();
    byte[] frame = RawClient.frame(0x82, new byte[1024], true);
    raw.send(Arrays.copyOf(frame, 8)); // the whole header, declaring 1,024 bytes...
    Future<?> sending = dribble(Arrays.copyOfRange(frame, 8, frame.length), 50); // ...20 of them a second
    long ms = closeAfterAPing(start, 1001);
    assertTrue(ms < 2 * PING_MS + 2000, "closed after " + ms + " ms");
    assertHungUpWithoutAClosingWait(assertEndedFor(Reason.INCOMPLETE_FRAME));
    sending.cancel(true);
  }

  @Test
  void aClientThatSendsNothingIsAKeepaliveTimeout() throws Exception {
    long start = System.nanoTime();
    long ms = closeAfterAPing(start, 1001);
    assertTrue(ms < 2 * PING_MS + 2000, "closed after " + ms + " ms");
    JsonObject closed = assertEndedFor(Reason.KEEPALIVE_TIMEOUT);
    assertTrue(closed.getLong("durationMs") >= 2 * PING_MS, "not before two ping intervals");
    assertEquals(0, harness.gateway.services().audit().metrics().outcomes(Reason.INCOMPLETE_FRAME));
  }

  @Test
  void slowFramesThatCompleteKeepTheSessionOpen() throws Exception {
    // Each 64-byte frame takes 160 ms to arrive, in 4 pieces, and completes within the ping interval.
    for (int i = 0; i < 8; i++) {
      byte[] frame = RawClient.frame(0x81, ("slow but whole " + i + " ").repeat(4).substring(0, 64)
          .getBytes(StandardCharsets.UTF_8), true);
      for (int piece = 0; piece < 4; piece++) {
        raw.send(Arrays.copyOfRange(frame, piece * frame.length / 4, (piece + 1) * frame.length / 4));
        Thread.sleep(40); // a slow link
      }
      RawClient.Frame echoed = raw.readFrame();
      while (echoed.opcode() == 0x9) {
        echoed = raw.readFrame(); // a keepalive ping on a very busy machine; the next frame answers it
      }
      assertEquals(0x1, echoed.opcode(), "the echo, not a close");
    }
    assertEquals(0, harness.gateway.services().audit().metrics().closedTotal());
    assertFalse(upstream.sockets.get(0).isClosed());
  }
}
