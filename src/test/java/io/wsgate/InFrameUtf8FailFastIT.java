package io.wsgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invalid UTF-8 inside one text frame is refused when its bad byte arrives, not when the frame is
 * complete (RFC 6455 §8.1, Autobahn 6.4.3/6.4.4): the client sends the start of a frame and holds
 * back the rest, and must get its 1007 while it still holds it back.
 */
class InFrameUtf8FailFastIT {
  private EchoUpstream upstream;
  private GatewayHarness harness;
  private RawClient raw;
  private AuditCapture audit;

  @BeforeEach
  void start() throws Exception {
    audit = new AuditCapture();
    upstream = new EchoUpstream();
    harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build());
    raw = new RawClient(harness.port(), true);
    raw.send(RawClient.upgrade("/chat"));
    assertEquals(101, RawClient.status(raw.readHead()));
    Await.until("upstream socket", () -> !upstream.sockets.isEmpty());
    raw.timeout(10_000);
  }

  @AfterEach
  void stop() throws Exception {
    raw.close();
    harness.close();
    upstream.close();
    audit.close();
  }

  @Test
  void badByteEarlyInAFrameWhoseRestIsHeldBackCloses1007AtOnce() throws Exception {
    byte[] payload = text("κόσμε", 300);
    payload[12] = (byte) 0xED; // ED A0 80: a surrogate half, never valid UTF-8
    payload[13] = (byte) 0xA0;
    payload[14] = (byte) 0x80;
    byte[] frame = RawClient.frame(0x81, payload, true);
    raw.send(Arrays.copyOfRange(frame, 0, 4 + 4 + 20)); // 16-bit length header, mask, 20 payload bytes

    assertEquals(1007, raw.readCloseCode(), "the close comes while the rest of the frame is held back");
    assertEndedOnceAsInvalidUtf8();
  }

  @Test
  void badByteInAContinuationOfATextMessageClosesBeforeTheFragmentEnds() throws Exception {
    raw.send(RawClient.frame(0x01, text("start ", 1), true));
    assertEquals("start ", upstream.frames.poll(10, TimeUnit.SECONDS).textData(), "the valid first fragment is relayed");
    byte[] rest = text("x", 100);
    rest[3] = (byte) 0xF4; // F4 90: above U+10FFFF
    rest[4] = (byte) 0x90;
    byte[] frame = RawClient.frame(0x80, rest, true);
    raw.send(Arrays.copyOfRange(frame, 0, 2 + 4 + 10));

    assertEquals(1007, raw.readCloseCode());
    assertEndedOnceAsInvalidUtf8();
  }

  @Test
  void validTextInChopsAndBinaryWithAnyBytesStillPass() throws Exception {
    byte[] frame = RawClient.frame(0x81, text("κόσμε €𝄞 ", 40), true);
    for (int from = 0; from < frame.length; from += 7) {
      raw.send(Arrays.copyOfRange(frame, from, Math.min(frame.length, from + 7)));
    }
    byte[] binary = RawClient.frame(0x82, new byte[] {(byte) 0xC0, (byte) 0xFF, (byte) 0xED, (byte) 0xA0}, true);
    raw.send(Arrays.copyOfRange(binary, 0, 7)).send(Arrays.copyOfRange(binary, 7, binary.length));

    assertEquals(1, raw.readFrame().opcode());
    assertEquals(2, raw.readFrame().opcode());
    Await.until("both relayed", () -> upstream.frames.size() == 2);
    assertEquals(0, harness.gateway.services().audit().metrics().outcomes(Reason.INVALID_UTF8));
  }

  private void assertEndedOnceAsInvalidUtf8() throws Exception {
    assertEquals("1007 " + Reason.INVALID_UTF8.description(), upstream.closes.poll(10, TimeUnit.SECONDS));
    raw.close(); // the client never finishes its frame, so it cannot answer the close
    List<JsonObject> closed = audit.await("session.closed",
        list -> AuditCapture.has(list, "reason", Reason.INVALID_UTF8.tag()));
    assertEquals(1, closed.size());
    assertEquals(1007, closed.get(0).getInteger("clientCloseCode"));
    assertEquals(1007, closed.get(0).getInteger("upstreamCloseCode"));
    assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.INVALID_UTF8));
    assertEquals(1, harness.gateway.services().audit().metrics().closes(Reason.INVALID_UTF8));
    assertNull(upstream.frames.poll(200, TimeUnit.MILLISECONDS), "no frame of the invalid message reached the upstream");
  }

  private static byte[] text(String s, int times) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(s.repeat(times).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
