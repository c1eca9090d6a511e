package io.wsgate.filter;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.wsgate.internal.VertxInternals;
import io.wsgate.websocket.Utf8Validator;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A message's text as a {@link CharSequence} for RE2/J, built without a String or a copy where the
 * bytes allow it: ASCII text (most JSON) is read in place as one char per byte; other well-formed
 * UTF-8 is decoded into this thread's reused char array; only malformed UTF-8 (a binary message)
 * falls back to {@link Message#text()}, whose U+FFFD replacement it must match exactly. Either way
 * the characters are the ones {@code new String(bytes, UTF_8)} would hold.
 *
 * <p>One per thread (the event loops), so its scratch is shared by all sessions of a loop instead of
 * being held by each; arrays beyond {@link #MAX_RETAINED} are used once and let go. The sequence
 * returned stays valid until the next message of this thread asks for its text, which is enough
 * for the filters: they match it at once.
 */
final class MessageText {
  /** Scratch up to this many bytes/chars is kept for the thread's next message. */
  static final int MAX_RETAINED = 64 * 1024;

  private static final ThreadLocal<MessageText> THREAD = ThreadLocal.withInitial(MessageText::new);

  private final Latin1 latin1 = new Latin1();
  private final Utf16 utf16 = new Utf16();
  private byte[] bytes = new byte[0];
  private char[] chars = new char[0];
  private Message owner;
  private int ownerEpoch;
  private CharSequence text;

  private MessageText() {
  }

  /** The text of {@code message}, decoded at most once per message and thread. */
  static CharSequence of(Message message) {
    return THREAD.get().text(message);
  }

  private CharSequence text(Message message) {
    if (owner != message || ownerEpoch != message.epoch()) {
      text = decode(message);
      owner = message;
      ownerEpoch = message.epoch();
    }
    return text;
  }

  private CharSequence decode(Message message) {
    if (message.isDecoded()) {
      return message.text();
    }
    Buffer payload = message.payload();
    ByteBuf buf = VertxInternals.readable(payload);
    if (buf == null) {
      return message.text();
    }
    // The readable bytes, as Buffer.toString (hence Message.text) decodes them.
    int length = buf.readableBytes();
    byte[] array;
    int offset;
    if (buf.hasArray()) {
      array = buf.array();
      offset = buf.arrayOffset() + buf.readerIndex();
    } else {
      array = byteScratch(length);
      buf.getBytes(buf.readerIndex(), array, 0, length);
      offset = 0;
    }
    int end = offset + length;
    int ascii = Utf8Validator.skipAscii(array, offset, end);
    if (ascii == end) {
      return latin1.set(array, offset, length);
    }
    char[] out = charScratch(length);
    for (int i = offset; i < ascii; i++) {
      out[i - offset] = (char) array[i];
    }
    int count = decodeUtf8(array, ascii, end, out, ascii - offset);
    return count < 0 ? message.text() : utf16.set(out, count);
  }

  /**
   * Decodes well-formed UTF-8 (RFC 3629 §4, as {@code Utf8Validator} accepts it) from [from, to) into
   * {@code out} at {@code n}, which has room for one char per byte; -1 at the first malformed byte.
   */
  static int decodeUtf8(byte[] a, int from, int to, char[] out, int n) {
    int i = from;
    while (i < to) {
      int b = a[i];
      if (b >= 0) {
        out[n++] = (char) b;
        i++;
        continue;
      }
      b &= 0xFF;
      int more;
      int lower = 0x80;
      int upper = 0xBF;
      int cp;
      if (b >= 0xC2 && b <= 0xDF) {
        more = 1;
        cp = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        more = 2;
        cp = b & 0x0F;
        lower = b == 0xE0 ? 0xA0 : 0x80;
        upper = b == 0xED ? 0x9F : 0xBF;
      } else if (b >= 0xF0 && b <= 0xF4) {
        more = 3;
        cp = b & 0x07;
        lower = b == 0xF0 ? 0x90 : 0x80;
        upper = b == 0xF4 ? 0x8F : 0xBF;
      } else {
        return -1;
      }
      if (more >= to - i) {
        return -1;
      }
      for (int k = 1; k <= more; k++) {
        int c = a[i + k] & 0xFF;
        if (c < lower || c > upper) {
          return -1;
        }
        lower = 0x80;
        upper = 0xBF;
        cp = (cp << 6) | (c & 0x3F);
      }
      i += more + 1;
      if (cp >= Character.MIN_SUPPLEMENTARY_CODE_POINT) {
        out[n++] = Character.highSurrogate(cp);
        out[n++] = Character.lowSurrogate(cp);
      } else {
        out[n++] = (char) cp;
      }
    }
    return n;
  }

  private byte[] byteScratch(int length) {
    if (length <= bytes.length) {
      return bytes;
    }
    byte[] array = new byte[length];
    if (length <= MAX_RETAINED) {
      bytes = array;
    }
    return array;
  }

  private char[] charScratch(int length) {
    if (length <= chars.length) {
      return chars;
    }
    char[] array = new char[length];
    if (length <= MAX_RETAINED) {
      chars = array;
    }
    return array;
  }

  /** ASCII bytes read as chars, in place. */
  private static final class Latin1 implements CharSequence {
    private byte[] array;
    private int offset;
    private int length;

    Latin1 set(byte[] array, int offset, int length) {
      this.array = array;
      this.offset = offset;
      this.length = length;
      return this;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      return (char) (array[offset + Objects.checkIndex(index, length)] & 0xFF);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return toString().substring(start, end);
    }

    @Override
    public String toString() {
      return new String(array, offset, length, StandardCharsets.ISO_8859_1);
    }
  }

  /** Decoded chars in a reused array. */
  private static final class Utf16 implements CharSequence {
    private char[] array;
    private int length;

    Utf16 set(char[] array, int length) {
      this.array = array;
      this.length = length;
      return this;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      return array[Objects.checkIndex(index, length)];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return toString().substring(start, end);
    }

    @Override
    public String toString() {
      return new String(array, 0, length);
    }
  }
}
