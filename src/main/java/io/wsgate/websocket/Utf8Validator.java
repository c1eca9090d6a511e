package io.wsgate.websocket;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.wsgate.internal.VertxInternals;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Incremental UTF-8 validation across the fragments of one text message (RFC 3629 §4 well-formed
 * sequences; rejects overlongs, surrogates and code points above U+10FFFF). Fails on the first bad
 * byte so an invalid message is refused before its later fragments arrive (RFC 6455 §8.1).
 * One instance per relay direction; not thread-safe.
 */
public final class Utf8Validator {
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private int remaining;
  private int lower = 0x80;
  private int upper = 0xBF;

  public void reset() {
    remaining = 0;
    lower = 0x80;
    upper = 0xBF;
  }

  /** @return false as soon as {@code data} cannot continue a well-formed sequence */
  public boolean update(Buffer data) {
    ByteBuf buf = VertxInternals.readable(data);
    if (buf != null && buf.hasArray()) {
      int from = buf.arrayOffset() + buf.readerIndex();
      return update(buf.array(), from, from + buf.readableBytes());
    }
    int length = data.length();
    for (int i = 0; i < length; i++) {
      if (!accept(data.getByte(i) & 0xFF)) {
        return false;
      }
    }
    return true;
  }

  /** As {@link #update(Buffer)}, over {@code a[from, to)}. */
  public boolean update(byte[] a, int from, int to) {
    int i = from;
    while (i < to) {
      int b = a[i];
      if (b >= 0 && remaining == 0) {
        // An ASCII byte between characters is a whole character; so are the ASCII bytes after it.
        i = skipAscii(a, i + 1, to);
        continue;
      }
      if (!accept(b & 0xFF)) {
        return false;
      }
      i++;
    }
    return true;
  }

  /** Index of the first byte at or above 0x80 in {@code a[from, to)}, or {@code to}; eight bytes a step. */
  public static int skipAscii(byte[] a, int from, int to) {
    int i = from;
    while (i + Long.BYTES <= to) {
      long high = (long) LONGS.get(a, i) & HIGH_BITS;
      if (high != 0) {
        return i + (Long.numberOfTrailingZeros(high) >>> 3);
      }
      i += Long.BYTES;
    }
    while (i < to && a[i] >= 0) {
      i++;
    }
    return i;
  }

  /** One byte (0–255) at a time, for a caller that reads bytes where they lie; same states as {@link #update}. */
  public boolean accept(int b) {
    if (remaining == 0) {
      return b < 0x80 || lead(b);
    }
    if (b < lower || b > upper) {
      return false;
    }
    remaining--;
    lower = 0x80;
    upper = 0xBF;
    return true;
  }

  /** True when the bytes seen so far end on a character boundary. */
  public boolean complete() {
    return remaining == 0;
  }

  private boolean lead(int b) {
    if (b >= 0xC2 && b <= 0xDF) {
      expect(1, 0x80, 0xBF);
    } else if (b == 0xE0) {
      expect(2, 0xA0, 0xBF);
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      expect(2, 0x80, 0xBF);
    } else if (b == 0xED) {
      expect(2, 0x80, 0x9F);
    } else if (b == 0xF0) {
      expect(3, 0x90, 0xBF);
    } else if (b >= 0xF1 && b <= 0xF3) {
      expect(3, 0x80, 0xBF);
    } else if (b == 0xF4) {
      expect(3, 0x80, 0x8F);
    } else {
      return false;
    }
    return true;
  }

  private void expect(int count, int lo, int hi) {
    remaining = count;
    lower = lo;
    upper = hi;
  }
}
