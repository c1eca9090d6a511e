package io.wsgate.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Message#chars()} holds exactly the characters of {@link Message#text()}, without a String where it can. */
class MessageTextTest {
  private static final String[] SAMPLES = {
      "", "a", "{\"type\":\"chat\",\"text\":\"hello\"}", "0123456789abcdef0123456789", "Grüße, Köln — ça va?",
      "你好，世界", "emoji \uD83D\uDE00 and more \uD83D\uDC4D", "\u007f\u0080\u07ff\u0800\uffff",
  };

  @Test
  void wellFormedTextIsTheSameCharactersAsTheString() {
    for (String sample : SAMPLES) {
      for (int pad = 0; pad < 9; pad++) {
        String text = "x".repeat(pad) + sample + "y".repeat(pad);
        assertSameText(text.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void anyBytesAreTheSameCharactersAsTheStringWithReplacement() {
    Random random = new Random(13);
    for (int n = 0; n < 20_000; n++) {
      byte[] bytes = new byte[random.nextInt(40)];
      for (int i = 0; i < bytes.length; i++) {
        // Mostly the bytes UTF-8 is made of, so that near-valid sequences are common.
        int pick = random.nextInt(8);
        bytes[i] = (byte) (pick < 3 ? 'a' + random.nextInt(26) : pick < 6 ? 0x80 + random.nextInt(64)
            : 0xC0 + random.nextInt(64));
      }
      assertSameText(bytes);
    }
  }

  @Test
  void asciiIsReadInPlaceAndOtherTextWithoutAString() {
    Message ascii = Message.text("{\"a\":\"plain\"}");
    assertEquals("{\"a\":\"plain\"}", ascii.chars().toString());
    assertFalse(ascii.isDecoded());
    Message utf8 = Message.text("{\"a\":\"Grüße\"}");
    assertEquals("{\"a\":\"Grüße\"}", utf8.chars().toString());
    assertFalse(utf8.isDecoded());
    Message malformed = Message.binary(Buffer.buffer(new byte[] {'a', (byte) 0xC3}));
    assertEquals("a\uFFFD", malformed.chars().toString());
    assertTrue(malformed.isDecoded(), "malformed bytes take the String's replacement");
  }

  @Test
  void aResetMessageIsDecodedAgain() {
    Message message = Message.text("first");
    CharSequence first = message.chars();
    assertEquals("first", first.toString());
    message.reset(true, Buffer.buffer("second"));
    assertEquals("second", message.chars().toString());
    Message other = Message.text("other");
    assertEquals("other", other.chars().toString());
    assertNotSame(message, other);
    assertEquals("second", message.chars().toString(), "decoded again after another message used the scratch");
  }

  @Test
  void containsSearchesTheBytesInPlace() {
    Message message = Message.text("ab<c<script");
    assertTrue(message.contains("<".getBytes(StandardCharsets.UTF_8)));
    assertTrue(message.contains("<script".getBytes(StandardCharsets.UTF_8)));
    assertFalse(message.contains("<scripts".getBytes(StandardCharsets.UTF_8)));
    assertFalse(message.contains("<d".getBytes(StandardCharsets.UTF_8)));
    assertTrue(message.contains("ab".getBytes(StandardCharsets.UTF_8)));
    assertFalse(Message.text("").contains("a".getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertSameText(byte[] bytes) {
    String expected = new String(bytes, StandardCharsets.UTF_8);
    assertEquals(expected, Message.binary(Buffer.buffer(bytes)).chars().toString(), () -> hex(bytes));
    byte[] padded = new byte[bytes.length + 6];
    System.arraycopy(bytes, 0, padded, 3, bytes.length);
    Message slice = Message.binary(BufferInternal.buffer(Unpooled.wrappedBuffer(padded, 3, bytes.length)));
    assertEquals(expected, slice.chars().toString(), () -> "heap slice " + hex(bytes));
    ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 3);
    try {
      direct.writeBytes(new byte[] {1, 2, 3}).writeBytes(bytes);
      Message message = Message.binary(BufferInternal.buffer(direct.slice(3, bytes.length)));
      assertEquals(expected, message.chars().toString(), () -> "direct " + hex(bytes));
    } finally {
      direct.release();
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      s.append(String.format("%02x ", b & 0xFF));
    }
    return s.toString();
  }
}
