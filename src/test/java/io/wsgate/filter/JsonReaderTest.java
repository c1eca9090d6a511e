package io.wsgate.filter;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link JsonReader}: the one strict JSON reading of the message rules. */
class JsonReaderTest {
  /**
   * Jackson looks an object key up in its name table before decoding it, and pads a key's last
   * 4-byte group with 0xFF bytes: once {@code "ng"} was read, the invalid key FF FF 'n' 'g' read as
   * {@code "ng"} (found by MessageFilterFuzzTest). Whatever was read before, such a key is not JSON.
   */
  @Test
  void aKeyOfInvalidUtf8NeverReadsAsAKeySeenBefore() {
    JsonReader reader = new JsonReader(16);
    String[] names = {"n", "ng", "ngx", "abcde"};
    for (String name : names) {
      assertEquals(1, reader.read(Buffer.buffer("{\"" + name + "\":1}")).get(name).asInt(), name);
    }
    for (String name : names) {
      Buffer aliased = Buffer.buffer("{\"").appendBytes(paddedAsJacksonPads(name)).appendString("\":1}");
      assertNull(reader.read(aliased), name + " with 0xFF padding");
    }
    assertNotNull(reader.read(Buffer.buffer("{\"ng\":\"é\"}")), "well-formed UTF-8 still reads");
  }

  @Test
  void invalidUtf8AnywhereIsNotJson() {
    JsonReader reader = new JsonReader(16);
    assertNull(reader.read(Buffer.buffer(new byte[] {'"', (byte) 0xC3, '"'})), "a cut sequence in a string");
    assertNull(reader.read(Buffer.buffer(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'})), "a surrogate");
    assertNull(reader.read(Buffer.buffer(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'})), "an overlong");
  }

  /** The name's bytes with 0xFF inserted before its last, partial 4-byte group, up to a whole group. */
  private static byte[] paddedAsJacksonPads(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    int whole = bytes.length / 4 * 4;
    int pad = (4 - bytes.length % 4) % 4;
    byte[] out = new byte[bytes.length + pad];
    System.arraycopy(bytes, 0, out, 0, whole);
    for (int i = 0; i < pad; i++) {
      out[whole + i] = (byte) 0xFF;
    }
    System.arraycopy(bytes, whole, out, whole + pad, bytes.length - whole);
    return out;
  }
}
