package io.wsgate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Drives the check in a real Netty pipeline, in front of Netty's own frame decoder, with streams of
 * masked client frames cut in two at every offset (and fed byte by byte): valid text never trips
 * it; invalid text (as the JDK's strict decoder judges it) trips it exactly once and no later than
 * the read that brings the JDK's first undecodable byte, unless that read completes the frame (then
 * the relay's per-fragment check refuses it, as before); binary and control payloads are never
 * looked at; and the decoder still gets every byte, in the very buffers the check was given.
 */
class InFrameUtf8CheckTest {
  private static final int MAX_FRAME = 1 << 20;

  private static final byte[] KOSME = hex("cebae1bdb9cf83cebcceb5");
  private static final byte[] SURROGATE = hex("eda080");
  private static final byte[] ABOVE_MAX = hex("f4908080");

  @Test
  void validTextInEveryShapeNeverTrips() {
    Stream s = new Stream()
        .frame(true, 0x1, "Hello, world".getBytes(StandardCharsets.UTF_8))
        .frame(true, 0x1, KOSME)
        .frame(false, 0x1, hex("f0"))
        .frame(false, 0x0, hex("9f98"))
        .frame(true, 0x9, hex("ff"))
        .frame(true, 0x0, hex("80"))
        .frame(true, 0x1, repeat("é", 200))
        .frame(true, 0x1, new byte[0]);
    verifyAllSplits(s);
  }

  @Test
  void sixtyFourBitLengthIsFollowed() {
    Stream s = new Stream()
        .frame(true, 0x1, repeat("€", 70_000 / 3 + 1))
        .frame(true, 0x1, concat("ok".getBytes(StandardCharsets.UTF_8), SURROGATE, "rest".getBytes(StandardCharsets.UTF_8)));
    verifySomeSplits(s);
  }

  @Test
  void invalidTextTripsWithinTheFrame() {
    verifyAllSplits(new Stream().frame(true, 0x1,
        concat(KOSME, SURROGATE, "edited".getBytes(StandardCharsets.UTF_8))));
    verifyAllSplits(new Stream().frame(true, 0x1, concat(KOSME, ABOVE_MAX, KOSME)));
    verifyAllSplits(new Stream().frame(true, 0x1, concat(hex("ff"), repeat("x", 300))));
    verifyAllSplits(new Stream().frame(true, 0x1, concat(hex("e080af"), KOSME)));
  }

  @Test
  void invalidContinuationOfTextTripsAcrossControlFrames() {
    verifyAllSplits(new Stream()
        .frame(false, 0x1, KOSME)
        .frame(true, 0x9, hex("c0"))
        .frame(false, 0x0, hex("ce"))
        .frame(true, 0x0, concat(hex("c0"), repeat("y", 140))));
  }

  @Test
  void binaryAndItsContinuationsAreSkipped() {
    verifyAllSplits(new Stream()
        .frame(false, 0x2, hex("fffe"))
        .frame(true, 0x0, hex("c0edbfbf"))
        .frame(true, 0xA, hex("ff"))
        .frame(true, 0x2, repeat("\u0000", 130))
        .frame(true, 0x1, KOSME));
  }

  @Test
  void incompleteCharacterAtTheEndIsLeftToTheMessageCheck() {
    // The relay refuses it when the frame is complete; the stream itself holds no bad byte.
    verifyAllSplits(new Stream().frame(true, 0x1, concat(KOSME, hex("e1bd"))));
  }

  @Test
  void standsDownAtACloseAndAfterWhatTheDecoderRefuses() {
    // Nothing the decoder discards is judged: after a close, and after a reserved bit.
    verifyAllSplits(new Stream().frame(true, 0x8, hex("03e8")).raw(maskedFrame(0x81, hex("ff"))));
    EmbeddedChannel channel = channel();
    channel.writeInbound(Unpooled.wrappedBuffer(maskedFrame(0xC1, hex("ff"))));
    Capture capture = channel.pipeline().get(Capture.class);
    assertTrue(capture.exceptions.stream().noneMatch(InFrameUtf8CheckTest::isInvalidUtf8), capture.exceptions.toString());
  }

  @Test
  void notInstalledWhenTheDecoderIsMidFrame() {
    EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameDecoder(config()));
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x85}));
    InFrameUtf8Check.install(channel.pipeline());
    assertEquals(null, channel.pipeline().get(InFrameUtf8Check.class));
  }

  private static void verifySomeSplits(Stream s) {
    byte[] bytes = s.bytes();
    List<Integer> cuts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      cuts.add(i);
      cuts.add(bytes.length - i);
    }
    for (int i = 40; i < bytes.length - 40; i += 997) {
      cuts.add(i);
    }
    for (int cut : cuts) {
      run(s, bytes, new int[] {cut});
    }
  }

  private static void verifyAllSplits(Stream s) {
    byte[] bytes = s.bytes();
    for (int cut = 0; cut <= bytes.length; cut++) {
      run(s, bytes, new int[] {cut});
    }
    int[] everyByte = new int[bytes.length];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = i;
    }
    run(s, bytes, everyByte);
  }

  private static void run(Stream s, byte[] bytes, int[] cuts) {
    EmbeddedChannel channel = channel();
    Capture capture = channel.pipeline().get(Capture.class);
    int from = 0;
    Integer trippedAt = null;
    List<Integer> ends = new ArrayList<>();
    for (int cut : cuts) {
      if (cut > from) {
        ends.add(cut);
      }
      from = Math.max(from, cut);
    }
    ends.add(bytes.length);
    from = 0;
    for (int end : ends) {
      if (end <= from) {
        continue;
      }
      ByteBuf read = Unpooled.wrappedBuffer(bytes, from, end - from);
      read.retain();
      channel.writeInbound(read);
      assertSame(read, capture.handedToDecoder, "the decoder must get the very buffer");
      read.release();
      if (trippedAt == null && capture.exceptions.stream().anyMatch(InFrameUtf8CheckTest::isInvalidUtf8)) {
        trippedAt = end;
      }
      from = end;
    }
    long trips = capture.exceptions.stream().filter(InFrameUtf8CheckTest::isInvalidUtf8).count();
    Integer deadline = s.firstUndecodableByte();
    String where = "cuts " + (cuts.length > 3 ? "every byte" : java.util.Arrays.toString(cuts));
    if (deadline == null) {
      assertEquals(0, trips, where);
    } else {
      int frameEnd = s.frameEndOf(deadline);
      int readWithBadByte = ends.stream().filter(end -> end > deadline).findFirst().orElseThrow();
      if (frameEnd <= readWithBadByte) {
        // That read completes the frame: the decoder hands it over whole and the relay refuses it,
        // as it always did; the check may only have tripped on an earlier read (our validator sees
        // a surrogate half one byte before the JDK does).
        assertTrue(trips == 0 || (trips == 1 && trippedAt < frameEnd), where + ": " + trips + " trips");
      } else {
        assertEquals(1, trips, where);
        assertTrue(trippedAt <= readWithBadByte, where + ": tripped at " + trippedAt + ", bad byte at " + deadline);
      }
    }
    assertEquals(s.completeDataFrames(bytes.length), capture.frames, where);
    channel.finishAndReleaseAll();
  }

  private static boolean isInvalidUtf8(Throwable t) {
    return t instanceof CorruptedWebSocketFrameException c && c.closeStatus().code() == 1007;
  }

  private static EmbeddedChannel channel() {
    Capture capture = new Capture();
    EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameDecoder(config()), capture);
    InFrameUtf8Check.install(channel.pipeline());
    channel.pipeline().addBefore(channel.pipeline().context(WebSocket08FrameDecoder.class).name(), null,
        capture.new Spy());
    assertNotNull(channel.pipeline().get(InFrameUtf8Check.class));
    return channel;
  }

  private static WebSocketDecoderConfig config() {
    return WebSocketDecoderConfig.newBuilder().expectMaskedFrames(true).allowExtensions(false)
        .maxFramePayloadLength(MAX_FRAME).closeOnProtocolViolation(false).build();
  }

  /** Records decoded data frames and exceptions; checks that the decoder was handed the very buffer. */
  private static final class Capture extends ChannelInboundHandlerAdapter {
    final List<Throwable> exceptions = new ArrayList<>();
    int frames;
    Object handedToDecoder;

    /** Sits between the check and the decoder. */
    final class Spy extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        handedToDecoder = msg;
        ctx.fireChannelRead(msg);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
            || frame instanceof ContinuationWebSocketFrame) {
          frames++;
        }
        frame.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      exceptions.add(cause);
    }
  }

  private static byte[] maskedFrame(int first, byte[] payload) {
    return new Stream().raw(new byte[0]).encode(first, payload, new byte[] {1, 2, 3, 4});
  }

  /** Client frames, masked with random keys, and where each text message's bytes lie in the stream. */
  private static final class Stream {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Random random = new Random(6455);
    private final List<byte[]> textMessages = new ArrayList<>();
    private final List<List<Integer>> textOffsets = new ArrayList<>();
    private final List<Integer> dataFrameEnds = new ArrayList<>();
    private final Map<Integer, Integer> frameEndOfByte = new HashMap<>();
    private ByteArrayOutputStream message;
    private List<Integer> offsets;
    private boolean text;

    Stream frame(boolean fin, int opcode, byte[] payload) {
      byte[] key = new byte[4];
      random.nextBytes(key);
      int headerLength = encode((fin ? 0x80 : 0) | opcode, payload, key).length - payload.length;
      int payloadStart = out.size() + headerLength;
      if (opcode == 0x1 || opcode == 0x2) {
        text = opcode == 0x1;
        message = new ByteArrayOutputStream();
        offsets = new ArrayList<>();
      }
      if (opcode <= 0x2) {
        if (text) {
          message.writeBytes(payload);
          for (int i = 0; i < payload.length; i++) {
            offsets.add(payloadStart + i);
            frameEndOfByte.put(payloadStart + i, payloadStart + payload.length);
          }
          if (fin) {
            textMessages.add(message.toByteArray());
            textOffsets.add(offsets);
          }
        }
        dataFrameEnds.add(payloadStart + payload.length);
      }
      out.writeBytes(encode((fin ? 0x80 : 0) | opcode, payload, key));
      return this;
    }

    Stream raw(byte[] bytes) {
      out.writeBytes(bytes);
      return this;
    }

    byte[] encode(int first, byte[] payload, byte[] key) {
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(first);
      int n = payload.length;
      if (n < 126) {
        frame.write(0x80 | n);
      } else if (n < 65536) {
        frame.write(0x80 | 126);
        frame.write(n >>> 8);
        frame.write(n);
      } else {
        frame.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          frame.write((int) ((long) n >>> shift));
        }
      }
      frame.writeBytes(key);
      for (int i = 0; i < n; i++) {
        frame.write(payload[i] ^ key[i & 3]);
      }
      return frame.toByteArray();
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    /** Data frames complete within the first {@code upTo} bytes (a complete frame is decoded in that read). */
    int completeDataFrames(int upTo) {
      return (int) dataFrameEnds.stream().filter(end -> end <= upTo).count();
    }

    int frameEndOf(int streamOffset) {
      return frameEndOfByte.get(streamOffset);
    }

    /** Stream offset of the first byte after which the JDK's strict decoder refuses a text message, else null. */
    Integer firstUndecodableByte() {
      for (int m = 0; m < textMessages.size(); m++) {
        byte[] msg = textMessages.get(m);
        if (!malformed(msg, msg.length)) {
          continue;
        }
        for (int k = 1; k <= msg.length; k++) {
          if (malformed(msg, k)) {
            return textOffsets.get(m).get(k - 1);
          }
        }
      }
      return null;
    }

    private static boolean malformed(byte[] msg, int prefix) {
      CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
      CharBuffer chars = CharBuffer.allocate(prefix * 2 + 2);
      return decoder.decode(ByteBuffer.wrap(msg, 0, prefix), chars, false).isError();
    }
  }

  private static byte[] repeat(String s, int times) {
    return s.repeat(times).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] hex(String hex) {
    return ByteBufUtil.decodeHexDump(hex);
  }
}
