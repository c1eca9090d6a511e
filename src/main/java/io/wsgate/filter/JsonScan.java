package io.wsgate.filter;

import io.netty.buffer.ByteBuf;
import io.wsgate.internal.VertxInternals;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Proves, in one pass over the bytes and without allocating, that a message is JSON that
 * {@link JsonReader} accepts, and measures its depth: what a rule that only asks "is it acceptable
 * JSON?" needs, without Jackson building a tree of it (5 KB of garbage for a 1 KiB message).
 *
 * <p>It only ever says yes for a strict subset of what the reader accepts: RFC 8259 JSON in
 * well-formed UTF-8 (RFC 3629), no byte order mark, no duplicate names, nothing after the value,
 * within the reader's depth, numbers up to {@value #MAX_NUMBER} bytes, names up to
 * {@value #MAX_NAME} bytes without escapes, at most {@value #MAX_KEYS} names per object. Anything
 * else, valid or not, is {@link #UNSURE}, and the reader decides as it always did: no document is
 * judged differently, only the usual one is judged faster.
 *
 * <p>One per thread (the event loops); its stacks are bounded by {@value #MAX_DEPTH} levels.
 */
final class JsonScan {
  /** The reader must decide. */
  static final int UNSURE = -1;
  static final int MAX_DEPTH = 256;
  static final int MAX_KEYS = 32;
  static final int MAX_NAME = 1024;
  static final int MAX_NUMBER = 100;

  private static final ThreadLocal<JsonScan> THREAD = ThreadLocal.withInitial(JsonScan::new);
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long SPACES = 0x2020202020202020L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private byte[] copy = new byte[0];
  /** Per open container: whether it is an object, and where its names start in {@link #names}. */
  private final boolean[] isObject = new boolean[MAX_DEPTH + 1];
  private final int[] namesFrom = new int[MAX_DEPTH + 1];
  /** Names of the open objects, three ints each: hash, start, length. */
  private int[] names = new int[3 * MAX_KEYS];
  private byte[] a;
  private int end;
  private int depth;
  private int deepest;
  private int namesTop;

  private JsonScan() {
  }

  /**
   * The container depth of {@code message} (0 for a scalar) if its bytes are certainly JSON that a
   * reader limited to {@code maxDepth} accepts; otherwise {@link #UNSURE}.
   */
  static int depth(Message message, int maxDepth) {
    return THREAD.get().scan(message, Math.min(maxDepth, MAX_DEPTH));
  }

  private int scan(Message message, int maxDepth) {
    ByteBuf buf = VertxInternals.readable(message.payload());
    if (buf == null || buf.readableBytes() > JsonReader.MAX_STRING_LENGTH) {
      return UNSURE;
    }
    int length = buf.readableBytes();
    int from;
    if (buf.hasArray()) {
      a = buf.array();
      from = buf.arrayOffset() + buf.readerIndex();
    } else {
      if (copy.length < length) {
        copy = new byte[length];
      }
      buf.getBytes(buf.readerIndex(), copy, 0, length);
      a = copy;
      from = 0;
    }
    end = from + length;
    depth = 0;
    deepest = 0;
    namesTop = 0;
    try {
      return document(from, maxDepth);
    } finally {
      a = null;
    }
  }

  private int document(int i, int maxDepth) {
    i = space(i);
    while (true) {
      // A value starts at i.
      if (i >= end) {
        return UNSURE;
      }
      byte c = a[i];
      if (c == '{' || c == '[') {
        if (depth == maxDepth) {
          return UNSURE;
        }
        boolean object = c == '{';
        isObject[depth] = object;
        namesFrom[depth] = namesTop;
        deepest = Math.max(deepest, ++depth);
        i = space(i + 1);
        if (i < end && a[i] == (object ? '}' : ']')) {
          depth--;
          i++;
        } else {
          if (object && (i = name(i)) < 0) {
            return UNSURE;
          }
          continue;
        }
      } else if (c == '"') {
        i = string(i);
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        i = number(i);
      } else if (c == 't') {
        i = literal(i, "true");
      } else if (c == 'f') {
        i = literal(i, "false");
      } else if (c == 'n') {
        i = literal(i, "null");
      } else {
        return UNSURE;
      }
      // After a value: close containers, or a comma and the next member.
      while (true) {
        if (i < 0) {
          return UNSURE;
        }
        i = space(i);
        if (depth == 0) {
          return i == end ? deepest : UNSURE;
        }
        if (i >= end) {
          return UNSURE;
        }
        c = a[i];
        boolean object = isObject[depth - 1];
        if (c == ',') {
          i = space(i + 1);
          if (object) {
            i = name(i);
            if (i < 0) {
              return UNSURE;
            }
          }
          break;
        }
        if (c != (object ? '}' : ']')) {
          return UNSURE;
        }
        depth--;
        namesTop = namesFrom[depth];
        i++;
      }
    }
  }

  /** A member's name, its colon and the space after it; the index of its value, or UNSURE. */
  private int name(int i) {
    if (i >= end || a[i] != '"') {
      return UNSURE;
    }
    int start = i + 1;
    int hash = 0;
    for (i = start; i < end; i++) {
      byte b = a[i];
      if (b == '"') {
        break;
      }
      // Escapes are left to the reader: two spellings of one name must still count as duplicates.
      if (b == '\\' || (b >= 0 && b < 0x20)) {
        return UNSURE;
      }
      if (b < 0) {
        int next = utf8(i);
        if (next < 0) {
          return UNSURE;
        }
        for (; i < next; i++) {
          hash = 31 * hash + a[i];
        }
        i--;
        continue;
      }
      hash = 31 * hash + b;
    }
    int length = i - start;
    if (i >= end || length > MAX_NAME || !unique(hash, start, length)) {
      return UNSURE;
    }
    i = space(i + 1);
    if (i >= end || a[i] != ':') {
      return UNSURE;
    }
    return space(i + 1);
  }

  /** Records a name of the innermost object; false if it repeats one or the object has too many. */
  private boolean unique(int hash, int start, int length) {
    int from = namesFrom[depth - 1];
    if (namesTop - from >= 3 * MAX_KEYS) {
      return false;
    }
    for (int k = from; k < namesTop; k += 3) {
      if (names[k] == hash && names[k + 2] == length
          && Arrays.equals(a, start, start + length, a, names[k + 1], names[k + 1] + length)) {
        return false;
      }
    }
    if (namesTop + 3 > names.length) {
      names = Arrays.copyOf(names, names.length * 2);
    }
    names[namesTop] = hash;
    names[namesTop + 1] = start;
    names[namesTop + 2] = length;
    namesTop += 3;
    return true;
  }

  /** A string value at the quote at {@code i}; the index after its closing quote, or UNSURE. */
  private int string(int i) {
    i = plain(i + 1);
    while (i < end) {
      byte b = a[i];
      if (b == '"') {
        return i + 1;
      }
      if (b == '\\') {
        i = escape(i);
        if (i < 0) {
          return UNSURE;
        }
        i++;
      } else if (b < 0) {
        i = utf8(i);
        if (i < 0) {
          return UNSURE;
        }
      } else if (b < 0x20) {
        return UNSURE;
      } else {
        // Plain ASCII: more of it is likely to follow (but not after a multi-byte character).
        i = plain(i + 1);
      }
    }
    return UNSURE;
  }

  /**
   * Skips eight bytes at a time while none of them ends the string or needs a closer look: a
   * quote, a backslash, a control character or a byte of a multi-byte character. Returns the index
   * of the first such byte (exact: the lowest flagged byte of a word is always a true one), or of
   * the last few bytes, for the byte loop.
   */
  private int plain(int i) {
    while (i + Long.BYTES <= end) {
      long v = (long) LONGS.get(a, i);
      long quote = v ^ QUOTES;
      long backslash = v ^ BACKSLASHES;
      long special = (((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) | ((v - SPACES) & ~v) | v)
          & HIGH_BITS;
      if (special != 0) {
        return i + (Long.numberOfTrailingZeros(special) >>> 3);
      }
      i += Long.BYTES;
    }
    return i;
  }

  /** The escape at {@code i} (a backslash); the index of its last byte, or UNSURE. */
  private int escape(int i) {
    if (i + 1 >= end) {
      return UNSURE;
    }
    switch (a[i + 1]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
        return i + 1;
      }
      case 'u' -> {
        if (i + 5 >= end) {
          return UNSURE;
        }
        int value = 0;
        for (int k = i + 2; k < i + 6; k++) {
          int digit = Character.digit(a[k], 16);
          if (digit < 0 || a[k] < 0) {
            return UNSURE;
          }
          value = (value << 4) | digit;
        }
        // Surrogates, paired or not, are left to the reader.
        return value >= 0xD800 && value <= 0xDFFF ? UNSURE : i + 5;
      }
      default -> {
        return UNSURE;
      }
    }
  }

  /** The well-formed UTF-8 sequence whose lead byte is at {@code i}; the index after it, or UNSURE. */
  private int utf8(int i) {
    int b = a[i] & 0xFF;
    int more;
    int lower = 0x80;
    int upper = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      more = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      more = 2;
      lower = b == 0xE0 ? 0xA0 : 0x80;
      upper = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
      more = 3;
      lower = b == 0xF0 ? 0x90 : 0x80;
      upper = b == 0xF4 ? 0x8F : 0xBF;
    } else {
      return UNSURE;
    }
    if (more >= end - i) {
      return UNSURE;
    }
    for (int k = 1; k <= more; k++) {
      int c = a[i + k] & 0xFF;
      if (c < lower || c > upper) {
        return UNSURE;
      }
      lower = 0x80;
      upper = 0xBF;
    }
    return i + more + 1;
  }

  /** RFC 8259 §6 number at {@code i}; the index after it, or UNSURE. */
  private int number(int i) {
    int start = i;
    if (a[i] == '-') {
      i++;
    }
    if (i < end && a[i] == '0') {
      i++;
    } else {
      int digits = digits(i);
      if (digits == i) {
        return UNSURE;
      }
      i = digits;
    }
    if (i < end && a[i] == '.') {
      int digits = digits(i + 1);
      if (digits == i + 1) {
        return UNSURE;
      }
      i = digits;
    }
    if (i < end && (a[i] == 'e' || a[i] == 'E')) {
      i++;
      if (i < end && (a[i] == '+' || a[i] == '-')) {
        i++;
      }
      int digits = digits(i);
      if (digits == i) {
        return UNSURE;
      }
      i = digits;
    }
    return i - start > MAX_NUMBER ? UNSURE : i;
  }

  private int digits(int i) {
    while (i < end && a[i] >= '0' && a[i] <= '9') {
      i++;
    }
    return i;
  }

  private int literal(int i, String word) {
    if (word.length() > end - i) {
      return UNSURE;
    }
    for (int k = 1; k < word.length(); k++) {
      if (a[i + k] != word.charAt(k)) {
        return UNSURE;
      }
    }
    return i + word.length();
  }

  /** RFC 8259 §2 whitespace: space, tab, line feed, carriage return. */
  private int space(int i) {
    while (i < end) {
      byte b = a[i];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        break;
      }
      i++;
    }
    return i;
  }
}
