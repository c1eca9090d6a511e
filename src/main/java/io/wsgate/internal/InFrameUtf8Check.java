package io.wsgate.internal;

import io.wsgate.websocket.Utf8Validator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;

import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;

/**
 * Fails a text message on its first invalid UTF-8 byte even inside a frame (RFC 6455 §8.1 "fail
 * fast"): Netty's frame decoder hands over a frame only once its whole payload is in, so a frame
 * sent in chops was otherwise refused at its end (Autobahn 6.4.3, 6.4.4). Sits before the decoder
 * and follows frame boundaries on the raw bytes: reads each header, unmasks the payload bytes of
 * text messages in place by index (no copy, no allocation per read) and feeds them to a
 * {@link Utf8Validator}. Every read is passed on unchanged first, so whatever the decoder and the
 * relay make of the bytes before the bad one happens first; then, if the bad byte's frame is not
 * complete in that read, the same {@link CorruptedWebSocketFrameException} (1007) the decoder
 * raises for bad text is fired, and the session ends as it does for any invalid UTF-8. The relay's
 * per-fragment check stays: it judges a frame that arrived whole in the read (as it always did) and
 * a message that ends in the middle of a character.
 *
 * <p>Anything the decoder would refuse (reserved bits or opcodes, an unmasked frame, bad
 * fragmentation, a frame over its size limit), a close frame, or a decoder already mid-frame when
 * the check is installed (a client that sent frames before the 101) makes the check stand down
 * for the rest of the connection: it never guesses at frame boundaries it cannot be sure of.
 */
public final class InFrameUtf8Check extends ChannelInboundHandlerAdapter {
  private static final int CONTINUATION = 0x0;
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;

  private static final Field DECODER_CONFIG = field("config");
  private static final Field DECODER_STATE = field("state");
  private static final Field DECODER_FRAGMENTS = field("fragmentedFramesCount");
  private static final Field DECODER_CLOSED = field("receivedClosingHandshake");

  static {
    if (DECODER_CONFIG == null || DECODER_STATE == null || DECODER_FRAGMENTS == null || DECODER_CLOSED == null) {
      LoggerFactory.getLogger(InFrameUtf8Check.class).warn("This Netty's WebSocket decoder hides the state the in-frame"
          + " UTF-8 check needs: invalid UTF-8 is refused (1007) once its frame is complete, not as it arrives");
    }
  }

  /**
   * Whether this Netty's frame decoder still has the private fields the check reads. Warned about
   * once at start; {@code InternalsTest} fails when it is false, so a Netty upgrade that moves them
   * cannot go unnoticed.
   */
  public static boolean decoderStateReadable() {
    return DECODER_CONFIG != null && DECODER_STATE != null && DECODER_FRAGMENTS != null && DECODER_CLOSED != null;
  }

  private final long maxFramePayload;
  private final boolean expectMasked;
  private final Utf8Validator utf8 = new Utf8Validator();

  private boolean standDown;
  /** Header bytes of the current frame read so far; -1 while in its payload. */
  private int headerRead;
  private int headerLength;
  private boolean fin;
  private int opcode;
  private boolean masked;
  private int lengthCode;
  private long length;
  private int mask;
  private long payloadLeft;
  private int maskIndex;
  private boolean inFragmentedMessage;
  private boolean textMessage;
  private boolean checkPayload;

  InFrameUtf8Check(long maxFramePayload, boolean expectMasked) {
    this.maxFramePayload = maxFramePayload;
    this.expectMasked = expectMasked;
  }

  /**
   * Puts the check before the pipeline's WebSocket decoder; nothing when there is none, or when
   * the decoder cannot be seen to stand between two messages (then the boundaries are unknown).
   */
  public static void install(ChannelPipeline pipeline) {
    ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
    if (decoder == null || !(decoder.handler() instanceof WebSocket08FrameDecoder netty)) {
      return;
    }
    WebSocketDecoderConfig config = betweenMessages(netty);
    if (config == null || config.allowExtensions() || config.allowMaskMismatch()) {
      return;
    }
    pipeline.addBefore(decoder.name(), null, new InFrameUtf8Check(config.maxFramePayloadLength(),
        config.expectMaskedFrames()));
  }

  /** The decoder's configuration when it waits for the first byte of a message, else null. */
  private static WebSocketDecoderConfig betweenMessages(WebSocket08FrameDecoder decoder) {
    if (DECODER_CONFIG == null || DECODER_STATE == null || DECODER_FRAGMENTS == null || DECODER_CLOSED == null) {
      return null;
    }
    try {
      Object state = DECODER_STATE.get(decoder);
      boolean boundary = state != null && "READING_FIRST".equals(state.toString())
          && DECODER_FRAGMENTS.getInt(decoder) == 0 && !DECODER_CLOSED.getBoolean(decoder);
      return boundary ? (WebSocketDecoderConfig) DECODER_CONFIG.get(decoder) : null;
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  private static Field field(String name) {
    try {
      Field f = WebSocket08FrameDecoder.class.getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    boolean invalid = false;
    if (!standDown && msg instanceof ByteBuf bytes) {
      invalid = !scan(bytes);
    }
    ctx.fireChannelRead(msg);
    if (invalid) {
      ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
          "invalid UTF-8 in text frame"));
    }
  }

  /**
   * @return false on the first byte that cannot continue a well-formed text message, when the rest
   *     of its frame is still to come
   */
  boolean scan(ByteBuf bytes) {
    int i = bytes.readerIndex();
    int end = bytes.writerIndex();
    while (i < end && !standDown) {
      if (headerRead >= 0) {
        header(bytes.getByte(i++) & 0xFF);
        continue;
      }
      int n = (int) Math.min(payloadLeft, end - i);
      // The last frame of a message that ends in this read is decoded in it, and the relay checks
      // the whole message: only what is still waiting for more bytes needs checking here.
      if (checkPayload && !(fin && n == payloadLeft)) {
        for (int stop = i + n; i < stop; i++) {
          int key = (mask >>> (24 - 8 * (maskIndex & 3))) & 0xFF;
          maskIndex++;
          if (!utf8.accept((bytes.getByte(i) & 0xFF) ^ key)) {
            standDown = true;
            // A frame that ends in this read is decoded in it, and the relay refuses it as before.
            return n == payloadLeft;
          }
        }
      } else {
        i += n;
      }
      payloadLeft -= n;
      if (payloadLeft == 0) {
        frameEnd();
      }
    }
    return true;
  }

  private void header(int b) {
    int at = headerRead++;
    if (at == 0) {
      fin = (b & 0x80) != 0;
      opcode = b & 0x0F;
      if ((b & 0x70) != 0) {
        standDown = true;
      }
      return;
    }
    if (at == 1) {
      masked = (b & 0x80) != 0;
      lengthCode = b & 0x7F;
      length = lengthCode < 126 ? lengthCode : 0;
      headerLength = 2 + (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + (masked ? 4 : 0);
      if (masked != expectMasked || refusedByDecoder()) {
        standDown = true;
        return;
      }
    } else if (at < headerLength - (masked ? 4 : 0)) {
      length = (length << 8) | b;
    } else {
      mask = (mask << 8) | b;
    }
    if (headerRead == headerLength) {
      payloadStart();
    }
  }

  /** The decoder's checks on the first two bytes (WebSocket08FrameDecoder, READING_SECOND). */
  private boolean refusedByDecoder() {
    if (opcode >= CLOSE) {
      return !fin || lengthCode > 125 || (opcode != CLOSE && opcode != PING && opcode != PONG)
          || (opcode == CLOSE && lengthCode == 1);
    }
    return opcode > BINARY
        || (opcode == CONTINUATION && !inFragmentedMessage)
        || (opcode != CONTINUATION && inFragmentedMessage);
  }

  private void payloadStart() {
    if ((lengthCode == 126 && length < 126) || (lengthCode == 127 && length < 65536)
        || length > maxFramePayload || opcode == CLOSE) {
      // Refused by the decoder (length), or the end: the decoder reads nothing after a close.
      standDown = true;
      return;
    }
    if (opcode == TEXT) {
      textMessage = true;
      utf8.reset();
    } else if (opcode == BINARY) {
      textMessage = false;
    }
    checkPayload = opcode <= BINARY && textMessage;
    headerRead = -1;
    payloadLeft = length;
    maskIndex = 0;
    if (length == 0) {
      frameEnd();
    }
  }

  private void frameEnd() {
    if (opcode <= BINARY) {
      inFragmentedMessage = !fin;
      if (fin) {
        textMessage = false;
      }
    }
    headerRead = 0;
    mask = 0;
    checkPayload = false;
  }
}
