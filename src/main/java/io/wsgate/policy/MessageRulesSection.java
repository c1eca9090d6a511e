package io.wsgate.policy;

import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads a route's {@code messages:} rules, per direction. */
final class MessageRulesSection {
  static final List<String> KEYS = List.of("toUpstream", "toClient");
  static final List<String> KINDS = List.of("types", "maxBytes", "rate", "rateByField", "json", "schema", "denyPatterns");
  static final List<String> RULE_KEYS = List.of("name", "action", "mode", "types", "maxBytes", "rate", "rateByField",
      "json", "schema", "denyPatterns");
  static final List<String> RATE_KEYS = List.of("messages", "burst", "bytes", "per");
  static final List<String> FIELD_RATE_KEYS = List.of("field", "limits", "other", "per");
  static final List<String> JSON_KEYS = List.of("maxDepth");
  static final int DEFAULT_MAX_DEPTH = 32;
  static final String DEFAULT_PER = "connection";
  static final int MAX_SCHEMA_BYTES = 1 << 20;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final NodeReader reader;
  private final PolicyPaths paths;

  MessageRulesSection(NodeReader reader, PolicyPaths paths) {
    this.reader = reader;
    this.paths = paths;
  }

  /** @param anonymous the route has no subject, so no rule may count per subject */
  MessageRules read(MappingReader m, boolean anonymous) {
    return new MessageRules(direction(m, "toUpstream", anonymous), direction(m, "toClient", anonymous));
  }

  private List<MessageRule> direction(MappingReader m, String direction, boolean anonymous) {
    List<Node> items = m.sequence(direction);
    if (items == null) {
      return List.of();
    }
    List<MessageRule> rules = new ArrayList<>();
    Map<String, Node> names = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      MappingReader r = reader.mapping(items.get(i), m.field(direction) + "[" + i + "]", RULE_KEYS);
      if (r.malformed()) {
        continue;
      }
      MessageRule rule = rule(r, direction + "[" + i + "]", anonymous);
      if (rule == null) {
        continue;
      }
      Node first = names.putIfAbsent(rule.name(), r.position("name"));
      if (first != null) {
        r.error("name", "duplicate rule name " + NodeReader.quote(rule.name()) + " in " + direction
            + " (first defined at line " + first.getStartMark().map(mk -> mk.getLine() + 1).orElse(0) + ")");
      }
      rules.add(rule);
    }
    return rules;
  }

  private MessageRule rule(MappingReader r, String defaultName, boolean anonymous) {
    String name = defaultName;
    if (r.has("name")) {
      String written = r.string("name", null);
      if (written != null && !NAME.matcher(written).matches()) {
        r.error("name", "invalid rule name " + NodeReader.quote(written)
            + " (letters, digits, '.', '_' and '-', at most 64; it appears in error frames and metrics)");
      } else if (written != null) {
        name = written;
      }
    }
    r.requireKey("action", "required (drop or close)");
    Action action = r.choice("action", List.of("drop", "close"), "drop").equals("close") ? Action.CLOSE : Action.DROP;
    Mode mode = r.mode();
    List<String> kinds = KINDS.stream().filter(r::present).toList();
    if (kinds.isEmpty()) {
      reader.error(r.anchor(), r.path(), "needs exactly one of: " + String.join(", ", KINDS));
      return null;
    }
    String kind = kinds.get(0);
    for (String other : kinds.subList(1, kinds.size())) {
      r.error(other, "a rule checks one thing and this one already has " + kind + " (write a second rule)");
    }
    if (!r.has(kind) && !kind.equals("json")) {
      r.error(kind, "needs a value");
      return null;
    }
    return switch (kind) {
      case "types" -> types(r, name, action, mode);
      case "maxBytes" -> new MessageRule.Size(name, r.size("maxBytes", PolicyParser.MAX_MESSAGE_BYTES_LIMIT, 1,
          PolicyParser.MAX_MESSAGE_BYTES_LIMIT), action, mode);
      case "rate" -> rate(r.mapping("rate", RATE_KEYS), name, action, mode, anonymous);
      case "rateByField" -> fieldRate(r.mapping("rateByField", FIELD_RATE_KEYS), name, action, mode, anonymous);
      case "json" -> new MessageRule.Json(name, r.mapping("json", JSON_KEYS).integer("maxDepth", DEFAULT_MAX_DEPTH, 1,
          1000), action, mode);
      case "schema" -> schema(r, name, action, mode);
      default -> patterns(r, name, action, mode);
    };
  }

  private MessageRule types(MappingReader r, String name, Action action, Mode mode) {
    List<MappingReader.StringItem> items = r.strings("types");
    boolean text = false;
    boolean binary = false;
    if (items != null && r.sequence("types").isEmpty()) {
      r.error("types", "must list text, binary or both");
    }
    for (MappingReader.StringItem item : items == null ? List.<MappingReader.StringItem>of() : items) {
      boolean seen = item.value().equals("text") ? text : binary;
      if (!item.value().equals("text") && !item.value().equals("binary")) {
        reader.error(item.node(), item.field(), "expected text or binary, got " + NodeReader.quote(item.value()));
      } else if (seen) {
        reader.error(item.node(), item.field(), "duplicate type " + NodeReader.quote(item.value()));
      } else if (item.value().equals("text")) {
        text = true;
      } else {
        binary = true;
      }
    }
    return new MessageRule.Types(name, text, binary, action, mode);
  }

  private MessageRule rate(MappingReader m, String name, Action action, Mode mode, boolean anonymous) {
    Rate messages = Rates.withBurst(m, Rates.read(m, "messages", false), "messages", "burst");
    Rate bytes = Rates.read(m, "bytes", true);
    if (!m.has("messages") && !m.has("bytes") && !m.malformed()) {
      reader.error(m.anchor(), m.path(), "needs messages, bytes or both (e.g. messages: 20/s)");
    }
    return new MessageRule.RateLimit(name, scope(m, anonymous), messages, bytes, action, mode);
  }

  private MessageRule fieldRate(MappingReader m, String name, Action action, Mode mode, boolean anonymous) {
    m.requireKey("field", "required (the top-level JSON string field whose value picks the limit, e.g. type)");
    String field = m.string("field", null);
    if (field != null && field.isEmpty()) {
      m.error("field", "must not be empty");
    }
    m.requireKey("limits", "required (field value → rate, e.g. { chat: 5/s })");
    Map<String, Rate> limits = new LinkedHashMap<>();
    if (m.has("limits")) {
      MappingReader l = m.mapping("limits", null);
      if (!l.malformed() && l.keys().isEmpty()) {
        reader.error(l.anchor(), l.path(), "must map at least one field value to a rate");
      }
      for (String value : l.keys()) {
        if (!l.has(value)) {
          l.error(value, "needs a rate (e.g. 5/s)");
          continue;
        }
        Rate rate = Rates.read(l, value, false);
        if (rate != null) {
          limits.put(value, rate);
        }
      }
    }
    Rate other = Rates.read(m, "other", false);
    return new MessageRule.FieldRate(name, field, limits, other, scope(m, anonymous), action, mode);
  }

  private static MessageRule.Scope scope(MappingReader m, boolean anonymous) {
    String per = m.choice("per", List.of("connection", "subject"), DEFAULT_PER);
    if (per.equals("subject") && anonymous) {
      m.error("per", "subject needs an authenticated route (this route is anonymous)");
    }
    return per.equals("subject") ? MessageRule.Scope.SUBJECT : MessageRule.Scope.CONNECTION;
  }

  private MessageRule schema(MappingReader r, String name, Action action, Mode mode) {
    Path file = paths.resolve(r, "schema");
    String json = null;
    if (file != null && PolicyPaths.checkReadable(r, "schema", file)) {
      try {
        json = read(file);
        JsonSchemas.compile(json);
      } catch (IllegalArgumentException e) {
        r.error("schema", e.getMessage() + " (" + file + ")");
      }
    }
    return new MessageRule.Schema(name, file, json, action, mode);
  }

  private static String read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_SCHEMA_BYTES + 1);
      if (bytes.length > MAX_SCHEMA_BYTES) {
        throw new IllegalArgumentException("larger than " + MAX_SCHEMA_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read: " + e.getMessage());
    }
  }

  private MessageRule patterns(MappingReader r, String name, Action action, Mode mode) {
    List<MappingReader.StringItem> items = r.strings("denyPatterns");
    List<String> patterns = new ArrayList<>();
    if (items != null && r.sequence("denyPatterns").isEmpty()) {
      r.error("denyPatterns", "must list at least one pattern");
    }
    for (MappingReader.StringItem item : items == null ? List.<MappingReader.StringItem>of() : items) {
      if (item.value().isEmpty()) {
        reader.error(item.node(), item.field(), "an empty pattern matches every message");
        continue;
      }
      try {
        com.google.re2j.Pattern.compile(item.value());
        patterns.add(item.value());
      } catch (PatternSyntaxException e) {
        reader.error(item.node(), item.field(), "invalid pattern: " + e.getMessage());
      }
    }
    return new MessageRule.Patterns(name, patterns, action, mode);
  }
}
