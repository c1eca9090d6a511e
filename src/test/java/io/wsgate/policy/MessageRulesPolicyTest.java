package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route's {@code messages:} rules. */
class MessageRulesPolicyTest extends PolicyTestSupport {
  /** Lines 1-10: an anonymous route whose {@code toUpstream} rules start on line 11. */
  private static final String HEAD = PLAIN_LISTENER + ONE_ROUTE + "    messages:\n      toUpstream:\n";
  /** Lines 1-12: the same route, authenticated by issuer {@code dev}; rules start on line 13. */
  private static final String AUTH_HEAD = PLAIN_LISTENER
      + "issuers:\n"
      + "  dev: { issuer: https://idp/, audiences: [a], algorithms: [RS256], keys: { jwksUrl: https://idp/jwks } }\n"
      + "routes:\n  - path: /chat\n    upstreams: [demo]\n    origins: { allow: ['*'] }\n"
      + "    auth: { issuers: [dev] }\n    messages:\n      toUpstream:\n";
  private static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"type\"],"
      + " \"properties\": {\"type\": {\"type\": \"string\"}}}";

  private static final Duration SECOND = Duration.ofSeconds(1);

  private MessageRules rules(String yaml) throws Exception {
    return load(yaml).routes().get(0).security().messages();
  }

  @Test
  void everyKindOfRuleParses() throws Exception {
    Files.writeString(dir.resolve("chat.schema.json"), SCHEMA);
    MessageRules rules = rules(AUTH_HEAD
        + "        - { name: text-only, types: [text], action: close }\n"
        + "        - { name: size, maxBytes: 4KiB, action: drop, mode: monitor }\n"
        + "        - { name: rate, rate: { messages: 20/s, burst: 40, bytes: 64KiB/s, per: subject }, action: drop }\n"
        + "        - name: by-type\n"
        + "          rateByField: { field: type, limits: { chat: 5/s, typing: 20/m }, other: 50/s, per: subject }\n"
        + "          action: drop\n"
        + "        - { name: json, json: { maxDepth: 16 }, action: close }\n"
        + "        - { name: schema, schema: chat.schema.json, action: drop }\n"
        + "        - { name: no-script, denyPatterns: [\"(?i)<script\", \"javascript:\"], action: drop }\n"
        + "      toClient:\n"
        + "        - { json: {}, action: close }\n"
        + "        - { types: [binary, text], action: drop }\n"
        + "        - { rate: { bytes: 1MiB/s }, action: drop }\n");
    assertEquals(List.of(
        new MessageRule.Types("text-only", true, false, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.Size("size", 4096, Action.DROP, Mode.MONITOR),
        new MessageRule.RateLimit("rate", MessageRule.Scope.SUBJECT, new Rate(20, SECOND, 40),
            new Rate(65536, SECOND, 65536), Action.DROP, Mode.ENFORCE),
        new MessageRule.FieldRate("by-type", "type", Map.of("chat", Rate.of(5, SECOND), "typing",
            Rate.of(20, Duration.ofMinutes(1))), Rate.of(50, SECOND), MessageRule.Scope.SUBJECT, Action.DROP, Mode.ENFORCE),
        new MessageRule.Json("json", 16, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.Schema("schema", abs("chat.schema.json"), SCHEMA, Action.DROP, Mode.ENFORCE),
        new MessageRule.Patterns("no-script", List.of("(?i)<script", "javascript:"), Action.DROP, Mode.ENFORCE)),
        rules.toUpstream());
    assertEquals(List.of(
        new MessageRule.Json("toClient[0]", 32, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.Types("toClient[1]", true, true, Action.DROP, Mode.ENFORCE),
        new MessageRule.RateLimit("toClient[2]", MessageRule.Scope.CONNECTION, null, new Rate(1 << 20, SECOND, 1 << 20),
            Action.DROP, Mode.ENFORCE)), rules.toClient());
  }

  @Test
  void noMessagesMeansNoRules() throws Exception {
    assertEquals(MessageRules.NONE, rules(PLAIN_LISTENER + ONE_ROUTE));
    assertEquals(MessageRules.NONE, rules(PLAIN_LISTENER + ONE_ROUTE + "    messages: {}\n"));
  }

  @Test
  void badRegexNamesTheIndexAndRe2sMessage() throws Exception {
    assertEquals(List.of(
        "11:32: routes[0].messages.toUpstream[0].denyPatterns[1]: invalid pattern: error parsing regexp: missing"
            + " closing ): `(abc`",
        "11:40: routes[0].messages.toUpstream[0].denyPatterns[2]: invalid pattern: error parsing regexp: invalid escape"
            + " sequence: `\\1`",
        "11:49: routes[0].messages.toUpstream[0].denyPatterns[3]: an empty pattern matches every message"),
        errors(HEAD + "        - { denyPatterns: [ok, \"(abc\", '(a)\\1', \"\"], action: drop }\n"));
  }

  @Test
  void schemaFileMustBeAValidSelfContainedJsonSchema() throws Exception {
    Files.writeString(dir.resolve("broken.json"), "{ \"type\": \"object\",\n  oops }");
    Files.writeString(dir.resolve("bad-type.json"), "{\"type\": 5}");
    Files.writeString(dir.resolve("remote.json"), "{\"$ref\": \"https://example.com/other.schema.json\"}");
    Files.writeString(dir.resolve("dangling.json"), "{\"$ref\": \"#/$defs/missing\"}");
    Files.writeString(dir.resolve("empty.json"), "");
    String rule = "        - { schema: %s, action: drop }\n"; // the path starts in column 21
    assertEquals("11:21: routes[0].messages.toUpstream[0].schema: not valid JSON: Unexpected character ('o' (code 111)):"
            + " was expecting double-quote to start field name (line 2, column 3) (" + abs("broken.json") + ")",
        onlyError(HEAD + rule.formatted("broken.json")));
    String badType = onlyError(HEAD + rule.formatted("bad-type.json"));
    assertTrue(badType.startsWith("11:21: routes[0].messages.toUpstream[0].schema: not a valid JSON Schema: /type: "),
        badType);
    assertEquals("11:21: routes[0].messages.toUpstream[0].schema: cannot resolve"
            + " \"https://example.com/other.schema.json\" (references are never fetched: put the referenced schema"
            + " under $defs) (" + abs("remote.json") + ")",
        onlyError(HEAD + rule.formatted("remote.json")));
    assertEquals("11:21: routes[0].messages.toUpstream[0].schema: not a valid JSON Schema: Reference /$defs/missing"
            + " cannot be resolved (" + abs("dangling.json") + ")", onlyError(HEAD + rule.formatted("dangling.json")));
    assertEquals("11:21: routes[0].messages.toUpstream[0].schema: is empty (expected a JSON Schema) ("
        + abs("empty.json") + ")", onlyError(HEAD + rule.formatted("empty.json")));
    assertEquals("11:21: routes[0].messages.toUpstream[0].schema: file not found: " + abs("none.json"),
        onlyError(HEAD + rule.formatted("none.json")));
  }

  @Test
  void rateSyntaxErrors() throws Exception {
    assertEquals(List.of(
        "11:31: routes[0].messages.toUpstream[0].rate.messages: invalid rate \"20/sec\" (expected N/s, N/m or N/h,"
            + " e.g. 10/s)",
        "11:46: routes[0].messages.toUpstream[0].rate.bytes: invalid rate \"64KB/s\" (expected bytes per s, m or h,"
            + " e.g. 65536/s, 64KiB/s or 1MiB/s)",
        "12:31: routes[0].messages.toUpstream[1].rate.messages: must be greater than 0, got \"0/s\"",
        "13:28: routes[0].messages.toUpstream[2].rate.burst: needs messages (a burst belongs to a rate)",
        "14:19: routes[0].messages.toUpstream[3].rate: needs messages, bytes or both (e.g. messages: 20/s)",
        "15:57: routes[0].messages.toUpstream[4].rateByField.limits.chat: invalid rate \"fast\" (expected N/s, N/m or"
            + " N/h, e.g. 10/s)"),
        errors(HEAD
            + "        - { rate: { messages: 20/sec, bytes: 64KB/s }, action: drop }\n"
            + "        - { rate: { messages: 0/s }, action: drop }\n"
            + "        - { rate: { burst: 5, bytes: 1KiB/s }, action: drop }\n"
            + "        - { rate: { per: connection }, action: drop }\n"
            + "        - { rateByField: { field: type, limits: { chat: fast } }, action: drop }\n"));
  }

  @Test
  void perSubjectNeedsAnAuthenticatedRoute() throws Exception {
    assertEquals(List.of(
        "11:41: routes[0].messages.toUpstream[0].rate.per: subject needs an authenticated route (this route is"
            + " anonymous)",
        "12:69: routes[0].messages.toUpstream[1].rateByField.per: subject needs an authenticated route (this route is"
            + " anonymous)"),
        errors(HEAD
            + "        - { rate: { messages: 5/s, per: subject }, action: drop }\n"
            + "        - { rateByField: { field: type, limits: { chat: 5/s }, per: subject }, action: drop }\n"));
  }

  @Test
  void aRuleHasExactlyOneKind() throws Exception {
    assertEquals(List.of(
        "11:50: routes[0].messages.toUpstream[0].maxBytes: a rule checks one thing and this one already has types"
            + " (write a second rule)",
        "11:62: routes[0].messages.toUpstream[0].json: a rule checks one thing and this one already has types"
            + " (write a second rule)",
        "12:11: routes[0].messages.toUpstream[1]: needs exactly one of: types, maxBytes, rate, rateByField, json,"
            + " schema, denyPatterns"),
        errors(HEAD
            + "        - { name: both, types: [text], maxBytes: 1KiB, json: {}, action: drop }\n"
            + "        - { name: none, action: drop }\n"));
  }

  @Test
  void duplicateRuleNamesWithinADirection() throws Exception {
    assertEquals("12:19: routes[0].messages.toUpstream[1].name: duplicate rule name \"size\" in toUpstream (first"
            + " defined at line 11)",
        onlyError(HEAD
            + "        - { name: size, maxBytes: 1KiB, action: drop }\n"
            + "        - { name: size, maxBytes: 2KiB, action: close }\n"
            + "      toClient:\n"
            + "        - { name: size, maxBytes: 1KiB, action: drop }\n"));
  }

  @Test
  void ruleFieldErrors() throws Exception {
    assertEquals(List.of(
        "11:11: routes[0].messages.toUpstream[0].action: required (drop or close)",
        "11:19: routes[0].messages.toUpstream[0].name: invalid rule name \"has space\" (letters, digits, '.', '_' and"
            + " '-', at most 64; it appears in error frames and metrics)",
        "12:27: routes[0].messages.toUpstream[1].types[1]: expected text or binary, got \"ping\"",
        "12:33: routes[0].messages.toUpstream[1].types[2]: duplicate type \"text\"",
        "12:48: routes[0].messages.toUpstream[1].action: expected drop or close, got \"reject\"",
        "13:31: routes[0].messages.toUpstream[2].json.maxDepth: must be between 1 and 1000, got 0",
        "14:23: routes[0].messages.toUpstream[3].maxBytes: must be between 1 byte and 67108864 bytes (64MiB), got \"0\"",
        "15:26: routes[0].messages.toUpstream[4].rateByField.field: required (the top-level JSON string field whose value"
            + " picks the limit, e.g. type)",
        "15:26: routes[0].messages.toUpstream[4].rateByField.limits: required (field value → rate, e.g. { chat: 5/s })",
        "16:13: routes[0].messages.toUpstream[5].types: needs a value",
        "17:34: routes[0].messages.toUpstream[6].mode: expected enforce or monitor, got \"log\""),
        errors(HEAD
            + "        - { name: has space, types: [text] }\n"
            + "        - { types: [text, ping, text], action: reject }\n"
            + "        - { json: { maxDepth: 0 }, action: close }\n"
            + "        - { maxBytes: 0, action: close }\n"
            + "        - { rateByField: { other: 5/s }, action: drop }\n"
            + "        - { types: ~, action: drop }\n"
            + "        - { types: [text], mode: log, action: drop }\n"));
  }

  @Test
  void unknownKeysInMessages() throws Exception {
    assertEquals("10:7: routes[0].messages.toServer: unknown key (expected one of: toUpstream, toClient)",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "    messages:\n      toServer:\n        - { maxBytes: 1KiB, action: drop }\n"));
    assertEquals("11:43: routes[0].messages.toUpstream[0].kind: unknown key (expected one of: name, action, mode, types,"
            + " maxBytes, rate, rateByField, json, schema, denyPatterns)",
        onlyError(HEAD + "        - { maxBytes: 1KiB, action: drop, kind: size }\n"));
  }
}
