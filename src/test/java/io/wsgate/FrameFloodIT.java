package io.wsgate;

import io.vertx.core.json.JsonObject;
import io.wsgate.policy.Action;
import io.wsgate.policy.Auth;
import io.wsgate.policy.FrameLimits;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Floods below the message level, written by hand on a raw TLS socket after a real 101: control
 * frames faster than {@code limits.maxControlFramesPerSecond}, and messages cut into more fragments
 * than their size allows. Each ends in 1008 with its own reason, audited and counted, with the
 * slot given back; traffic within the limits (Autobahn's shapes included) is untouched.
 */
class FrameFloodIT {
  private static final int PING = 0x89;
  private static final int PONG = 0x8A;
  private EchoUpstream upstream;
  private GatewayHarness harness;
  private RawClient raw;
  private AuditCapture audit;

  private void start(FrameLimits frames) throws Exception {
    start(frames, TestPolicy.OPEN_ROUTE);
  }

  private void start(FrameLimits frames, RouteSecurity security) throws Exception {
    audit = new AuditCapture();
    upstream = new EchoUpstream();
    harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).security(security)
        .frames(frames).build());
    raw = new RawClient(harness.port(), true);
    raw.send(RawClient.upgrade("/chat"));
    assertEquals(101, RawClient.status(raw.readHead()));
    Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
  }

  @AfterEach
  void stop() throws Exception {
    raw.close();
    harness.close();
    upstream.close();
    audit.close();
  }

  private long counted(Reason reason) {
    return harness.gateway.services().audit().metrics().outcomes(reason);
  }

  /** {@code wsgate_sessions_closed_total{reason}}. */
  private long closes(Reason reason) {
    return harness.gateway.services().audit().metrics().closes(reason);
  }

  private static byte[] frames(int firstByte, int count, int payloadBytes, boolean distinct) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      byte[] payload = distinct ? ("p" + i).getBytes(StandardCharsets.US_ASCII) : new byte[payloadBytes];
      all.writeBytes(RawClient.frame(firstByte, payload, true));
    }
    return all.toByteArray();
  }

  /** The close code, an audited session.closed with that reason, the counters, the slot and the upstream's 1008. */
  private void assertClosedFor(Reason reason) throws IOException, InterruptedException {
    assertEquals(1008, raw.readCloseCode());
    assertEndedFor(reason);
  }

  /** Reads frames up to the close, which must be 1008, and returns how many pongs came before it. */
  private int pongsBeforeA1008() throws IOException {
    int pongs = 0;
    while (true) {
      RawClient.Frame frame = raw.readFrame();
      if (frame.opcode() == 0x8) {
        assertEquals(1008, ((frame.payload()[0] & 0xFF) << 8) | (frame.payload()[1] & 0xFF));
        return pongs;
      }
      assertEquals(0xA, frame.opcode());
      pongs++;
    }
  }

  private void assertEndedFor(Reason reason) throws IOException, InterruptedException {
    List<JsonObject> closed = audit.await("session.closed", list -> AuditCapture.has(list, "reason", reason.tag()));
    assertEquals(1, closed.size());
    assertEquals(1008, closed.get(0).getInteger("clientCloseCode"));
    assertEquals(1008, closed.get(0).getInteger("upstreamCloseCode"));
    assertEquals(1, counted(reason));
    assertEquals(1, closes(reason));
    assertEquals("1008 " + reason.description(), upstream.closes.poll(10, TimeUnit.SECONDS));
    Await.until("slot and session released",
        () -> harness.gateway.services().globalConnections() == 0 && harness.gateway.services().sessions().size() == 0);
    // No closing handshake is owed to a flooding client: the gateway hangs up once the close is out.
    assertTrue(closed.get(0).getLong("durationMs") < 3000, "session lasted " + closed.get(0).getLong("durationMs") + " ms");
    raw.timeout(2000);
    assertEquals("", raw.readUntilClosed(), "nothing after the close frame (no more pongs), then the hang-up");
    // The gateway half-closed and drains what the client still sends, for a bounded time, then lets
    // go of the socket even though this client never closes it: its writes are then reset.
    byte[] ping = RawClient.frame(PING, new byte[0], true);
    Await.until("the socket released after the linger", Duration.ofSeconds(5), () -> raw.sendFails(ping));
  }

  @Test
  void pingsBeyondTheBurstClose1008AsAControlFrameFlood() throws Exception {
    start(new FrameLimits(new Rate(1, Duration.ofSeconds(1), 5), 128, 64));
    raw.send(frames(PING, 5, 0, true));
    for (int i = 0; i < 5; i++) {
      RawClient.Frame pong = raw.readFrame();
      assertEquals(0xA, pong.opcode(), "pings within the burst are answered");
      assertEquals("p" + i, pong.text());
    }
    raw.send(RawClient.frame(0x81, "still open".getBytes(StandardCharsets.UTF_8), true));
    assertEquals("still open", raw.readFrame().text());

    raw.send(frames(PING, 5, 0, true)); // more than the bucket can have refilled meanwhile (1/s)
    assertClosedFor(Reason.CONTROL_FRAME_FLOOD);
  }

  @Test
  void twentyThousandPingsAtOnceGetTheBurstsWorthOfPongsThen1008() throws Exception {
    start(FrameLimits.DEFAULT);
    raw.send(frames(PING, 20_000, 0, true));
    // Vert.x answers a ping before the gateway sees it: the burst (50) plus the one that overflowed
    // it, and one more per 50 ms the gateway took to get there (the bucket refills at 20/s).
    int pongs = pongsBeforeA1008();
    assertTrue(pongs >= 50 && pongs <= 60, pongs + " pongs");
    assertEndedFor(Reason.CONTROL_FRAME_FLOOD);
  }

  @Test
  void unsolicitedPongsCountToo() throws Exception {
    start(FrameLimits.DEFAULT);
    raw.send(frames(PONG, 200, 0, false));
    assertClosedFor(Reason.CONTROL_FRAME_FLOOD);
  }

  @Test
  void tenPingsInARowAreAllAnsweredWithTheDefaults() throws Exception {
    // Autobahn 2.10: ten pings at once, ten pongs expected in order, and the session carries on.
    start(FrameLimits.DEFAULT);
    raw.send(frames(PING, 10, 0, true));
    for (int i = 0; i < 10; i++) {
      RawClient.Frame pong = raw.readFrame();
      assertEquals(0xA, pong.opcode());
      assertEquals("p" + i, pong.text());
    }
    raw.send(RawClient.frame(0x81, "after pings".getBytes(StandardCharsets.UTF_8), true));
    assertEquals("after pings", raw.readFrame().text());
    assertEquals(0, counted(Reason.CONTROL_FRAME_FLOOD));
  }

  @Test
  void oneByteFragmentsAreRefusedAtTheFirstFragmentBeyondTheAllowance() throws Exception {
    start(FrameLimits.DEFAULT); // 128 free fragments, and one more per 64 bytes: 130 for 130 bytes
    raw.send(RawClient.frame(0x02, new byte[1], true));
    raw.send(frames(0x00, 129, 1, false));
    Await.until("130 one-byte fragments relayed", () -> upstream.frames.size() == 130);
    raw.send(RawClient.frame(0x00, new byte[1], true));
    assertClosedFor(Reason.FRAGMENT_FLOOD);
    assertEquals(130, upstream.frames.size(), "the fragment beyond the allowance was not relayed");
  }

  @Test
  void emptyFragmentsCannotGoOnForever() throws Exception {
    // Empty fragments never grow the message, so no size limit would ever stop them.
    start(FrameLimits.DEFAULT);
    raw.send(RawClient.frame(0x01, new byte[0], true));
    raw.send(frames(0x00, 10_000, 0, false));
    assertClosedFor(Reason.FRAGMENT_FLOOD);
    assertTrue(upstream.frames.size() <= 128, "relayed " + upstream.frames.size());
  }

  @Test
  void aMessageHeldForItsRulesCannotCollectEmptyFragmentsEither() throws Exception {
    // With a message rule the fragments are held until the message is complete: without the limit
    // empty ones would pile up in the gateway's memory, never reaching the upstream at all.
    start(FrameLimits.DEFAULT, new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS,
        new MessageRules(List.of(new MessageRule.Patterns("deny", List.of("forbidden"), Action.CLOSE, Mode.ENFORCE)),
            List.of())));
    raw.send(RawClient.frame(0x01, new byte[0], true));
    raw.send(frames(0x00, 10_000, 0, false));
    assertClosedFor(Reason.FRAGMENT_FLOOD);
    assertTrue(upstream.frames.isEmpty(), "nothing of the held message was relayed");
  }

  @Test
  void sixtyFourByteFragmentsUpToTheMessageLimitPass() throws Exception {
    // Autobahn 9.3.1 / 9.4.1 shape: 64-byte fragments; here 1,024 of them make a 64 KiB message.
    start(FrameLimits.DEFAULT);
    byte[] message = new byte[65536];
    for (int i = 0; i < message.length; i++) {
      message[i] = (byte) i;
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int offset = 0; offset < message.length; offset += 64) {
      boolean first = offset == 0;
      boolean last = offset + 64 == message.length;
      byte[] chunk = java.util.Arrays.copyOfRange(message, offset, offset + 64);
      all.writeBytes(RawClient.frame((last ? 0x80 : 0) | (first ? 0x02 : 0x00), chunk, true));
    }
    raw.send(all.toByteArray());
    ByteArrayOutputStream echoed = new ByteArrayOutputStream();
    int frames = 0;
    RawClient.Frame frame;
    do {
      frame = raw.readFrame();
      frames++;
      echoed.writeBytes(frame.payload());
    } while (!frame.fin());
    assertEquals(1024, frames, "relayed both ways as fragmented");
    assertArrayEquals(message, echoed.toByteArray());
    assertEquals(0, counted(Reason.FRAGMENT_FLOOD));
  }

  @Test
  void aShortTextInOneByteFragmentsPasses() throws Exception {
    // Autobahn 6.2.3 shape: valid UTF-8 sent one octet per fragment, splitting code points.
    start(FrameLimits.DEFAULT);
    byte[] text = "Hello-µ@ßöäüàá-UTF-8!!".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < text.length; i++) {
      int first = (i == text.length - 1 ? 0x80 : 0) | (i == 0 ? 0x01 : 0x00);
      all.writeBytes(RawClient.frame(first, new byte[] {text[i]}, true));
    }
    raw.send(all.toByteArray());
    ByteArrayOutputStream echoed = new ByteArrayOutputStream();
    RawClient.Frame frame;
    do {
      frame = raw.readFrame();
      echoed.writeBytes(frame.payload());
    } while (!frame.fin());
    assertArrayEquals(text, echoed.toByteArray());
    raw.timeout(200);
    assertFalse(raw.closedByPeer(), "the session is still open");
  }
}
