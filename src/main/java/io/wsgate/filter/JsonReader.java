package io.wsgate.filter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.wsgate.internal.VertxInternals;
import io.wsgate.websocket.Utf8Validator;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The one JSON parser configuration of a pipeline, built once per snapshot. Strict on purpose,
 * because the gateway and the upstream must not read the same bytes differently: duplicate keys,
 * trailing data after the value, comments and non-standard numbers are all invalid (RFC 8259 §4
 * leaves duplicate-name behaviour to implementations, which is exactly the ambiguity to refuse).
 * Jackson's {@link StreamReadConstraints} bound nesting depth and token sizes while parsing, so an
 * oversized document fails before its tree is built.
 */
final class JsonReader {
  /** Depth bound when no JSON rule names one: still bounds the work of schema validation (recursive). */
  static final int DEFAULT_MAX_DEPTH = 128;
  static final int MAX_STRING_LENGTH = 20_000_000;
  static final int MAX_NUMBER_LENGTH = 1000;
  static final int MAX_NAME_LENGTH = 50_000;

  private final int maxDepth;
  private final ObjectMapper mapper;

  JsonReader(int maxDepth) {
    if (maxDepth < 1) {
      throw new IllegalArgumentException("JSON maxDepth must be at least 1, was " + maxDepth);
    }
    this.maxDepth = maxDepth;
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth)
            .maxStringLength(MAX_STRING_LENGTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** Deepest nesting this reader accepts; a document that parses is at most this deep. */
  int maxDepth() {
    return maxDepth;
  }

  /** The tree, or null when the bytes are not acceptable JSON. Never throws. */
  JsonNode read(Buffer payload) {
    try {
      ByteBuf buf = VertxInternals.byteBuf(payload);
      byte[] bytes;
      int offset;
      int length;
      if (buf != null && buf.hasArray()) {
        bytes = buf.array();
        offset = buf.arrayOffset() + buf.readerIndex();
        length = buf.readableBytes();
      } else {
        bytes = payload.getBytes();
        offset = 0;
        length = bytes.length;
      }
      if (!wellFormedUtf8(bytes, offset, offset + length)) {
        return null;
      }
      JsonNode node = mapper.readTree(bytes, offset, length);
      return node == null || node.isMissingNode() ? null : node;
    } catch (IOException | RuntimeException e) {
      // Untrusted input: whatever Jackson objects to (including its constraint exceptions) is invalid.
      return null;
    }
  }

  /**
   * RFC 8259 §8.1: JSON is UTF-8. Jackson does not check it everywhere: it looks an object key up in
   * its name table before decoding it, and pads a short key's last 4-byte group with 0xFF bytes, so
   * the invalid key FF FF 'n' 'g' reads as an earlier message's "ng" (found by MessageFilterFuzzTest).
   * The gateway would then judge a key the upstream never reads. Checked here, for binary messages
   * too; a text message's frames were already checked on the way in.
   */
  private static boolean wellFormedUtf8(byte[] bytes, int from, int to) {
    if (Utf8Validator.skipAscii(bytes, from, to) == to) {
      return true;
    }
    Utf8Validator utf8 = new Utf8Validator();
    return utf8.update(bytes, from, to) && utf8.complete();
  }

  /** Container nesting depth, iteratively (no recursion on attacker-shaped input). */
  static int depth(JsonNode root) {
    if (root == null || !root.isContainerNode()) {
      return 0;
    }
    int max = 0;
    ArrayDeque<Iterator<JsonNode>> path = new ArrayDeque<>();
    path.push(root.elements());
    while (!path.isEmpty()) {
      max = Math.max(max, path.size());
      Iterator<JsonNode> children = path.peek();
      if (!children.hasNext()) {
        path.pop();
        continue;
      }
      JsonNode child = children.next();
      if (child.isContainerNode()) {
        path.push(child.elements());
      }
    }
    return max;
  }
}
