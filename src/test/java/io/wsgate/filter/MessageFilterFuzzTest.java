package io.wsgate.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Mode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz targets for the content filters: any bytes, as a text and as a binary message, get a
 * decision (pass, drop or close) with the rule's own reason, never an exception; and the decision
 * agrees with a simple reference where one exists (strict JSON parses, the literal deny pattern
 * occurs). Seeds: {@code MessageFilterFuzzTestInputs/<method>/}.
 */
class MessageFilterFuzzTest {
  private static final ObjectMapper PLAIN_JSON = new ObjectMapper();
  private static final MessagePipeline JSON = Pipelines.of(new MessageRule.Json("json", 16, Action.DROP, Mode.ENFORCE));
  private static final MessagePipeline PATTERNS = Pipelines.of(new MessageRule.Patterns("deny",
      List.of("<script", "(?i)javascript:", "\\bDROP\\s+TABLE\\b", "[\\x{202E}\\x{2066}-\\x{2069}]"),
      Action.CLOSE, Mode.ENFORCE));
  private static final JsonReader STRICT_JSON = new JsonReader(16);
  /** Every pattern has a literal prefix, so the byte search decides most payloads alone. */
  private static final List<String> PREFIXED_PATTERNS = List.of("(?i)<script", "</?iframe\\b", "évil",
      "\\x{1F600}+x");
  private static final MessagePipeline PREFIXED = Pipelines.of(new MessageRule.Patterns("deny", PREFIXED_PATTERNS,
      Action.DROP, Mode.ENFORCE));
  private static final com.google.re2j.Pattern PREFIXED_ALTERNATION = com.google.re2j.Pattern.compile(
      "(?:" + String.join(")|(?:", PREFIXED_PATTERNS) + ")");
  private static final MessagePipeline SCHEMA = Pipelines.of(new MessageRule.Schema("chat", Path.of("chat.json"), """
      {
        "type": "object",
        "required": ["type", "text"],
        "additionalProperties": false,
        "properties": {
          "type": {"enum": ["chat", "typing"]},
          "text": {"type": "string", "maxLength": 200},
          "room": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,31}$"},
          "to": {"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 8},
          "meta": {"$ref": "#/$defs/meta"}
        },
        "$defs": {"meta": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"},
                           "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}}
      }
      """, Action.DROP, Mode.ENFORCE));

  /** Strict JSON with a depth limit: passes only what a plain Jackson parser also reads as one JSON value. */
  @FuzzTest
  void jsonFilterDecidesEveryPayload(byte[] payload) {
    for (boolean text : new boolean[] {true, false}) {
      Decision d = decide(JSON, text, payload, Reason.INVALID_JSON, Action.DROP);
      if (d.passes()) {
        assertTrue(plainJsonParses(payload), () -> "passed bytes Jackson cannot read: " + show(payload));
      }
    }
  }

  /** RE2/J deny patterns over text and over binary decoded with U+FFFD: a literal match is always refused. */
  @FuzzTest
  void patternFilterDecidesEveryPayload(byte[] payload) {
    for (boolean text : new boolean[] {true, false}) {
      Decision d = decide(PATTERNS, text, payload, Reason.PATTERN_DENIED, Action.CLOSE);
      String decoded = new String(payload, StandardCharsets.UTF_8);
      if (decoded.contains("<script")) {
        assertFalse(d.passes(), () -> "a literal <script passed: " + show(payload));
      }
    }
  }

  /**
   * The allocation-free proof of JSON ({@link JsonScan}) is a shortcut, never a second opinion: what
   * it proves, the strict reader accepts, at the same depth.
   */
  @FuzzTest
  void jsonScanNeverProvesWhatTheReaderRefuses(byte[] payload) {
    int depth = JsonScan.depth(Message.binary(Buffer.buffer(payload)), STRICT_JSON.maxDepth());
    if (depth != JsonScan.UNSURE) {
      JsonNode tree = STRICT_JSON.read(Buffer.buffer(payload));
      assertNotNull(tree, () -> "proven, but the reader refuses: " + show(payload));
      assertEquals(JsonReader.depth(tree), depth, () -> "depth of " + show(payload));
    }
  }

  /**
   * Skipping RE2/J when no pattern's literal prefix is in the bytes, and matching a view of the bytes
   * instead of a String, decide exactly as matching the decoded String always did.
   */
  @FuzzTest
  void patternShortcutsDecideAsTheFullMatch(byte[] payload) {
    String decoded = new String(payload, StandardCharsets.UTF_8);
    boolean match = PREFIXED_ALTERNATION.matcher(decoded).find();
    for (boolean text : new boolean[] {true, false}) {
      Decision d = decide(PREFIXED, text, payload, Reason.PATTERN_DENIED, Action.DROP);
      assertEquals(!match, d.passes(), () -> "decision differs from matching the String: " + show(payload));
    }
  }

  /** JSON Schema validation (with $ref, pattern on RE2/J): only schema-valid JSON passes. */
  @FuzzTest
  void schemaFilterDecidesEveryPayload(byte[] payload) {
    for (boolean text : new boolean[] {true, false}) {
      Decision d = decide(SCHEMA, text, payload, Reason.SCHEMA_VIOLATION, Action.DROP);
      if (d.passes()) {
        assertTrue(plainJsonParses(payload), () -> "passed bytes Jackson cannot read: " + show(payload));
      }
    }
  }

  private static Decision decide(MessagePipeline pipeline, boolean text, byte[] payload, Reason reason,
                                 Action action) {
    Decision d = pipeline.check(new Message(text, Buffer.buffer(payload)), pipeline.newSessionState(), "fuzz");
    assertNotNull(d);
    assertTrue(d.monitorHits().isEmpty());
    if (!d.passes()) {
      assertEquals(reason, d.reason());
      assertEquals(action == Action.CLOSE ? Decision.Outcome.CLOSE : Decision.Outcome.DROP, d.outcome());
      assertTrue(d.dropNotice().length() < 256, "drop notice stays small");
    }
    return d;
  }

  private static boolean plainJsonParses(byte[] payload) {
    try {
      return PLAIN_JSON.readTree(payload) != null;
    } catch (Exception e) {
      return false;
    }
  }

  private static String show(byte[] payload) {
    return new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.UTF_8);
  }
}
