package io.wsgate.wirefuzz;

import io.wsgate.testing.RawClient;

import java.nio.charset.StandardCharsets;

/** Client frames, valid and not, as bytes on the wire (RFC 6455 §5.2). */
enum FrameKind {
  TEXT(RawClient.frame(0x81, "hello".getBytes(StandardCharsets.UTF_8), true)),
  BINARY(RawClient.frame(0x82, new byte[] {0, 1, 2}, true)),
  PING(RawClient.frame(0x89, "p".getBytes(StandardCharsets.UTF_8), true)),
  CLOSE(RawClient.frame(0x88, new byte[] {0x03, (byte) 0xE8}, true)),
  /** A close frame carrying 1005, which must never be sent. */
  CLOSE_1005(RawClient.frame(0x88, new byte[] {0x03, (byte) 0xED}, true)),
  /** The first fragment of a text message. */
  FRAGMENT_START(RawClient.frame(0x01, "frag".getBytes(StandardCharsets.UTF_8), true)),
  /** A final continuation: ends a fragmented message, or is an orphan without one. */
  CONTINUATION(RawClient.frame(0x80, "ment".getBytes(StandardCharsets.UTF_8), true)),
  UNMASKED(RawClient.frame(0x81, "hello".getBytes(StandardCharsets.UTF_8), false)),
  /** Reserved data opcode 0x3. */
  BAD_OPCODE(RawClient.frame(0x83, new byte[] {1}, true)),
  /** A ping of 126 bytes (control frames carry at most 125). */
  BIG_PING(RawClient.frame(0x89, new byte[126], true)),
  /** A 64-bit length of 2^62, header and mask only. */
  HUGE_LENGTH(new byte[] {(byte) 0x82, (byte) 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}),
  /** The header and mask of a 100-byte binary frame and 10 of its bytes: the rest never comes. */
  HALF_FRAME(half(RawClient.frame(0x82, new byte[100], true)));

  private final byte[] bytes;

  FrameKind(byte[] bytes) {
    this.bytes = bytes;
  }

  byte[] bytes() {
    return bytes.clone();
  }

  private static byte[] half(byte[] frame) {
    byte[] out = new byte[frame.length - 90];
    System.arraycopy(frame, 0, out, 0, out.length);
    return out;
  }
}
