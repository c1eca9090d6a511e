package io.wsgate.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.wsgate.internal.VertxInternals;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One whole WebSocket message (the gateway aggregates fragments first), as the filters see it.
 * What a filter derives from the bytes is computed on first need and kept, so every filter of one
 * message shares it: the text is decoded at most once, the JSON tree parsed at most once. A
 * message nobody inspects as text or JSON is never converted at all.
 *
 * <p>Not thread-safe: a message is checked on the event loop that received it. A relay may keep
 * one instance and {@link #reset} it for each message instead of allocating a new one.
 */
public final class Message {
  private static final byte JSON_UNPARSED = 0;
  private static final byte JSON_VALID = 1;
  private static final byte JSON_INVALID = 2;
  /** Proven acceptable by {@link JsonScan}; the tree is built only if a rule asks for it. */
  private static final byte JSON_WELL_FORMED = 3;

  private boolean text;
  private Buffer payload;
  private String decoded;
  private byte jsonState;
  private JsonNode json;
  private int jsonDepth;
  /** Changes with every {@link #reset}: what was derived for an earlier message is never reused. */
  private int epoch;

  public Message(boolean text, Buffer payload) {
    reset(text, payload);
  }

  public static Message text(String text) {
    return new Message(true, Buffer.buffer(text));
  }

  public static Message binary(Buffer payload) {
    return new Message(false, payload);
  }

  /** Makes this instance describe another message, forgetting everything derived from the previous one. */
  public Message reset(boolean text, Buffer payload) {
    this.text = text;
    this.payload = Objects.requireNonNull(payload, "payload");
    this.decoded = null;
    this.jsonState = JSON_UNPARSED;
    this.json = null;
    this.jsonDepth = -1;
    this.epoch++;
    return this;
  }

  /** True for a text message (opcode 0x1), false for binary (0x2). */
  public boolean isText() {
    return text;
  }

  /** The whole payload; filters only read it. */
  public Buffer payload() {
    return payload;
  }

  /** Payload length in bytes. */
  public int length() {
    return payload.length();
  }

  /**
   * The payload decoded as UTF-8, once. Text messages were already validated as UTF-8 by the relay;
   * binary messages are decoded too (for deny patterns), with U+FFFD replacing malformed bytes.
   */
  public String text() {
    String value = decoded;
    if (value == null) {
      value = payload.toString(StandardCharsets.UTF_8);
      decoded = value;
    }
    return value;
  }

  /**
   * The same characters as {@link #text()}, without building a String where the bytes allow it
   * (see {@link MessageText}): valid until the next message of this thread asks for its text.
   */
  CharSequence chars() {
    return MessageText.of(this);
  }

  /** Whether the payload bytes contain {@code needle} (not empty) anywhere, searched in place. */
  boolean contains(byte[] needle) {
    ByteBuf buf = VertxInternals.readable(payload);
    if (buf == null) {
      buf = Unpooled.wrappedBuffer(payload.getBytes());
    }
    byte first = needle[0];
    int end = buf.writerIndex() - needle.length + 1;
    for (int from = buf.readerIndex(); from < end; ) {
      int at = buf.indexOf(from, end, first);
      if (at < 0) {
        return false;
      }
      if (startsWith(buf, at, needle)) {
        return true;
      }
      from = at + 1;
    }
    return false;
  }

  private static boolean startsWith(ByteBuf buf, int at, byte[] needle) {
    for (int i = 1; i < needle.length; i++) {
      if (buf.getByte(at + i) != needle[i]) {
        return false;
      }
    }
    return true;
  }

  int epoch() {
    return epoch;
  }

  /**
   * The payload parsed as JSON by {@code reader}, once; null if it is not acceptable JSON (malformed,
   * trailing data, duplicate keys, or beyond the reader's limits). Whatever the frame type, the
   * bytes are what is judged.
   */
  JsonNode json(JsonReader reader) {
    if (jsonState == JSON_UNPARSED || jsonState == JSON_WELL_FORMED) {
      json = reader.read(payload);
      jsonState = json == null ? JSON_INVALID : JSON_VALID;
    }
    return json;
  }

  /**
   * Whether the payload is JSON that {@code reader} accepts ({@code json(reader) != null}), deciding
   * from the bytes alone when {@link JsonScan} can, so that no tree is built unless a rule needs one.
   */
  boolean isJson(JsonReader reader) {
    if (jsonState == JSON_UNPARSED) {
      int depth = JsonScan.depth(this, reader.maxDepth());
      if (depth != JsonScan.UNSURE) {
        jsonState = JSON_WELL_FORMED;
        jsonDepth = depth;
        return true;
      }
    }
    return jsonState == JSON_WELL_FORMED || json(reader) != null;
  }

  /** Whether {@link #text()} has decoded the payload (for tests of laziness). */
  boolean isDecoded() {
    return decoded != null;
  }

  /** Whether a JSON parse was attempted (for tests of laziness). */
  boolean isJsonParsed() {
    return jsonState != JSON_UNPARSED;
  }

  /**
   * Container nesting depth (a scalar is 0), computed once; after a successful {@link #json} or
   * {@link #isJson}.
   */
  int jsonDepth() {
    if (jsonDepth < 0) {
      jsonDepth = JsonReader.depth(json);
    }
    return jsonDepth;
  }
}
