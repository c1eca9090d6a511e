package io.wsgate.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonScan} says yes only where {@link JsonReader} does, with the depth the tree has; and it
 * does say yes for ordinary messages (else it would be no faster).
 */
class JsonScanTest {
  private static final int DEPTH = 8;
  private static final JsonReader READER = new JsonReader(DEPTH);

  @Test
  void ordinaryDocumentsAreProvenWithTheirDepth() {
    assertProven("{}", 1);
    assertProven("[]", 1);
    assertProven(" {\"a\":[1,2,{\"b\":null}]}\r\n", 3);
    assertProven("{\"type\":\"chat\",\"text\":\"Grüße 你好 \uD83D\uDE00\",\"n\":-0.5e+10,\"ok\":true,\"no\":false}", 1);
    assertProven("\"just a string \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9\"", 0);
    assertProven("0", 0);
    assertProven("-12.5E-3", 0);
    assertProven("true", 0);
    assertProven("[[[[[[[[]]]]]]]]", DEPTH);
    assertProven("{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}", 3);
  }

  @Test
  void whatTheReaderRefusesOrWhatIsUnusualIsLeftToIt() {
    String[] unsure = {
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[01]", "[1.]", "[.5]",
        "[1e]", "[-]", "[+1]", "[NaN]", "[Infinity]", "[tru]", "[truex]", "[nul]", "1 2", "{} {}", "[1]x",
        "{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "\"\\x\"", "\"\\u12\"", "\"\\uD83D\\uDE00\"",
        "\"tab\there\"", "[[[[[[[[[]]]]]]]]]", "\uFEFF{}", "/*c*/{}", "[1]//", "{\"a\":1}\u0000",
        "\"" + "9".repeat(10) + "\"x", "[" + "1".repeat(JsonScan.MAX_NUMBER + 1) + "]",
    };
    for (String json : unsure) {
      assertEquals(JsonScan.UNSURE, scan(json.getBytes(StandardCharsets.UTF_8)), json);
    }
    byte[][] malformed = {
        {'"', (byte) 0xC0, (byte) 0x80, '"'}, {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},
        {'"', (byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80, '"'}, {'"', (byte) 0xE2, (byte) 0x82, '"'},
        {'[', (byte) 0xC3, (byte) 0xA9, ']'}, {0, 0, 0, '1'}, {'1', 0},
    };
    for (byte[] bytes : malformed) {
      assertEquals(JsonScan.UNSURE, scan(bytes));
    }
    StringBuilder manyNames = new StringBuilder("{");
    for (int i = 0; i <= JsonScan.MAX_KEYS; i++) {
      manyNames.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    assertEquals(JsonScan.UNSURE, scan(manyNames.append('}').toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** Random documents, valid and mutated: wherever the scan proves one, the reader accepts it at that depth. */
  @Test
  void neverProvesWhatTheReaderRefuses() {
    Random random = new Random(13);
    int proven = 0;
    for (int n = 0; n < 50_000; n++) {
      byte[] bytes = generate(random).getBytes(StandardCharsets.UTF_8);
      if (n % 2 == 1) {
        mutate(random, bytes);
      }
      if (agrees(bytes)) {
        proven++;
      }
    }
    assertTrue(proven > 10_000, "only " + proven + " documents proven: the scan is too timid to help");
  }

  @Test
  void directBuffersAreScannedLikeHeapBuffers() {
    byte[] bytes = "{\"a\":[1,{\"b\":\"é\"}]}".getBytes(StandardCharsets.UTF_8);
    ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    try {
      assertEquals(3, JsonScan.depth(Message.binary(BufferInternal.buffer(direct)), DEPTH));
    } finally {
      direct.release();
    }
  }

  private static int scan(byte[] bytes) {
    return JsonScan.depth(Message.binary(Buffer.buffer(bytes)), DEPTH);
  }

  private static void assertProven(String json, int depth) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertEquals(depth, scan(bytes), json);
    assertTrue(agrees(bytes));
  }

  /** True when proven; fails the test when the proof disagrees with the reader. */
  private static boolean agrees(byte[] bytes) {
    int depth = scan(bytes);
    if (depth == JsonScan.UNSURE) {
      return false;
    }
    JsonNode tree = READER.read(Buffer.buffer(bytes));
    assertNotNull(tree, () -> "proven, but the reader refuses: " + new String(bytes, StandardCharsets.UTF_8));
    assertEquals(JsonReader.depth(tree), depth, () -> new String(bytes, StandardCharsets.UTF_8));
    return true;
  }

  private static final String[] ATOMS = {
      "0", "-0", "1", "-12", "3.25", "1e5", "1E+2", "2.5e-3", "12345678901234567890123", "1e400", "-1e-400", "true",
      "false", "null", "\"\"", "\"a\"", "\"é\"", "\"\\u00e9\"", "\"\\u0000\"", "\"\\n\\\"\"", "\"\uD83D\uDE00\"",
      "\"\u2028\"", "\"\\uFFFF\"",
  };
  private static final String[] NAMES = {"a", "b", "type", "é", "a b", "", "A", "aa", "\uD83D\uDE00", "ab"};

  private static String generate(Random random) {
    StringBuilder out = new StringBuilder();
    value(random, out, random.nextInt(DEPTH + 2));
    return space(random) + out + space(random);
  }

  private static void value(Random random, StringBuilder out, int levels) {
    int pick = levels == 0 ? 2 : random.nextInt(3);
    if (pick == 0) {
      out.append('[').append(space(random));
      int n = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        out.append(i == 0 ? "" : "," + space(random));
        value(random, out, levels - 1);
        out.append(space(random));
      }
      out.append(']');
    } else if (pick == 1) {
      out.append('{').append(space(random));
      int n = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        out.append(i == 0 ? "" : "," + space(random));
        out.append('"').append(NAMES[random.nextInt(NAMES.length)]).append('"').append(space(random)).append(':')
            .append(space(random));
        value(random, out, levels - 1);
      }
      out.append('}');
    } else {
      out.append(ATOMS[random.nextInt(ATOMS.length)]);
    }
  }

  private static String space(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> " ";
      case 1 -> "\n\t\r ";
      default -> "";
    };
  }

  private static final byte[] NOISE = {'{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '-', '.', 'e', ' ', 'a',
      (byte) 0xC3, (byte) 0xA9, (byte) 0xED, (byte) 0xF0, 0, 0x1F, 0x7F};

  private static void mutate(Random random, byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
      bytes[random.nextInt(bytes.length)] = random.nextBoolean() ? NOISE[random.nextInt(NOISE.length)]
          : (byte) random.nextInt(256);
    }
  }
}
