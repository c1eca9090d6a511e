package io.wsgate;

import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames a well-behaved library never sends, written by hand on a raw TLS socket: each gets the
 * documented close code, is counted, and never reaches the upstream.
 */
class ProtocolEnforcementIT {
  private static final int LIMIT = 1024;
  private EchoUpstream upstream;
  private GatewayHarness harness;
  private RawClient raw;

  @BeforeEach
  void start() throws Exception {
    upstream = new EchoUpstream();
    harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).maxMessageBytes(LIMIT).build());
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
  }

  private long count(Reason reason) {
    return harness.gateway.services().audit().metrics().outcomes(reason);
  }

  @Test
  void invalidUtf8InATextMessageCloses1007() throws Exception {
    raw.send(RawClient.frame(0x81, new byte[] {'o', 'k', (byte) 0xC0, (byte) 0xAF}, true));
    assertEquals(1007, raw.readCloseCode());
    assertNull(upstream.frames.poll(200, TimeUnit.MILLISECONDS), "the invalid message never reached the upstream");
    Await.until("counted", () -> count(Reason.INVALID_UTF8) == 1);
  }

  @Test
  void invalidUtf8IsRefusedAtTheFragmentThatCarriesItNotAtTheEnd() throws Exception {
    raw.send(RawClient.frame(0x01, "valid start ".getBytes(StandardCharsets.UTF_8), true));
    // A surrogate half (ED A0 80) is never valid UTF-8: refuse now, without waiting for FIN.
    raw.send(RawClient.frame(0x00, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, true));
    assertEquals(1007, raw.readCloseCode());
  }

  @Test
  void utf8CharacterSplitAcrossFragmentsIsAccepted() throws Exception {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    raw.send(RawClient.frame(0x01, new byte[] {euro[0]}, true));
    raw.send(RawClient.frame(0x80, new byte[] {euro[1], euro[2]}, true));
    Await.until("both fragments relayed", () -> upstream.frames.size() == 2);
    RawClient.Frame echoed = raw.readFrame();
    assertEquals(1, echoed.opcode());
  }

  @Test
  void truncatedUtf8AtTheEndOfAMessageCloses1007() throws Exception {
    raw.send(RawClient.frame(0x81, new byte[] {'a', (byte) 0xE2, (byte) 0x82}, true));
    assertEquals(1007, raw.readCloseCode());
  }

  @Test
  void singleFrameOverTheLimitCloses1009() throws Exception {
    raw.send(RawClient.frame(0x82, new byte[LIMIT + 1], true));
    assertEquals(1009, raw.readCloseCode());
    Await.until("counted", () -> count(Reason.MESSAGE_TOO_BIG) == 1);
  }

  @Test
  void fragmentsAddingUpOverTheLimitClose1009() throws Exception {
    raw.send(RawClient.frame(0x02, new byte[LIMIT / 2], true));
    raw.send(RawClient.frame(0x00, new byte[LIMIT / 2], true));
    raw.send(RawClient.frame(0x80, new byte[1], true));
    assertEquals(1009, raw.readCloseCode());
  }

  @Test
  void hugeDeclaredLengthIsRefusedBeforeAnyPayload() throws Exception {
    // 64-bit length of 2^62 and no payload at all: the header alone must be enough to refuse.
    raw.send(new byte[] {(byte) 0x82, (byte) 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
    assertEquals(1009, raw.readCloseCode());
  }

  @Test
  void unmaskedClientFrameCloses1002() throws Exception {
    raw.send(RawClient.frame(0x81, "hello".getBytes(StandardCharsets.UTF_8), false));
    assertEquals(1002, raw.readCloseCode());
    Await.until("counted", () -> count(Reason.PROTOCOL_ERROR) == 1);
  }

  @Test
  void reservedOpcodeCloses1002() throws Exception {
    raw.send(RawClient.frame(0x83, new byte[] {1}, true));
    assertEquals(1002, raw.readCloseCode());
  }

  @Test
  void rsvBitWithoutAnExtensionCloses1002() throws Exception {
    raw.send(RawClient.frame(0xC1, "x".getBytes(StandardCharsets.UTF_8), true));
    assertEquals(1002, raw.readCloseCode());
  }

  @Test
  void controlFrameOver125BytesCloses1002() throws Exception {
    raw.send(RawClient.frame(0x89, new byte[126], true));
    assertEquals(1002, raw.readCloseCode());
  }

  @Test
  void continuationWithoutAStartCloses1002() throws Exception {
    raw.send(RawClient.frame(0x80, "x".getBytes(StandardCharsets.UTF_8), true));
    assertEquals(1002, raw.readCloseCode());
  }

  private static byte[] concat(byte[]... frames) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (byte[] frame : frames) {
      all.writeBytes(frame);
    }
    return all.toByteArray();
  }

  private static byte[] text(String text) {
    return RawClient.frame(0x81, text.getBytes(StandardCharsets.UTF_8), true);
  }

  @Test
  void aBadFrameAfterAGoodMessageInOneWriteGetsTheEchoFirstThen1002() throws Exception {
    // Autobahn 4.1.3 (strict): the good message passed before the error, so its echo is owed to the
    // client before the close; Vert.x alone would close the connection in the middle of the read.
    raw.send(concat(text("Hello, world!"), RawClient.frame(0x85, new byte[0], true)));
    RawClient.Frame echo = raw.readFrame();
    assertEquals(1, echo.opcode());
    assertEquals("Hello, world!", echo.text());
    assertEquals(1002, raw.readCloseCode());
    assertTrue(raw.closedByPeer(), "the gateway hangs up after the close");
    Await.until("upstream closed with the same code", () -> upstream.closes.stream().anyMatch(c -> c.startsWith("1002")));
    Await.until("counted once", () -> count(Reason.PROTOCOL_ERROR) == 1);
    Await.until("session gone", () -> harness.gateway.services().sessions().size() == 0);
    assertEquals(1, count(Reason.PROTOCOL_ERROR));
  }

  @Test
  void nothingTheClientSendsAfterTheBadFrameIsRelayed() throws Exception {
    raw.send(concat(text("before"), RawClient.frame(0xC1, "x".getBytes(StandardCharsets.UTF_8), true), text("after")));
    assertEquals("before", raw.readFrame().text());
    RawClient.Frame next = raw.readFrame();
    assertEquals(8, next.opcode(), "the close follows the echo, nothing else");
    assertEquals(1002, ((next.payload()[0] & 0xFF) << 8) | (next.payload()[1] & 0xFF));
    // Later frames in another write are not read either.
    try {
      raw.send(text("later"));
    } catch (java.io.IOException gone) {
      // already hung up on
    }
    Await.until("upstream closed", () -> !upstream.closes.isEmpty());
    assertEquals(1, upstream.frames.size(), "only the message before the bad frame reached the upstream");
    assertEquals("before", upstream.frames.peek().textData());
  }

  @Test
  void theClientGetsItsCloseWithinABoundWhenTheUpstreamNeverAnswersTheClose() throws Exception {
    // An upstream that completes the handshake and then reads nothing: no echo, no close reply.
    try (RawUpstream mute = new RawUpstream((socket, key) -> socket.write(RawUpstream.switchingProtocols(RawUpstream.acceptKey(key))));
         GatewayHarness gateway = new GatewayHarness(TestPolicy.create().route("/mute", mute.url()).build());
         RawClient client = new RawClient(gateway.port(), true)) {
      client.send(RawClient.upgrade("/mute"));
      assertEquals(101, RawClient.status(client.readHead()));
      client.timeout(10_000);
      long start = System.nanoTime();
      client.send(concat(text("unanswered"), RawClient.frame(0x83, new byte[] {1}, true)));
      assertEquals(1002, client.readCloseCode());
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(client.closedByPeer(), "hung up after the close");
      assertTrue(waitedMs < 3000, "the close waited " + waitedMs + " ms, not the 5 s close grace");
      Await.until("counted", () -> gateway.gateway.services().audit().metrics().outcomes(Reason.PROTOCOL_ERROR) == 1);
    }
  }
}
