package io.wsgate.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One rule of a route's message pipeline. Each has a name (for audit and metrics), an action
 * (drop or close) and a mode (enforce or monitor).
 */
public sealed interface MessageRule {
  String name();

  Action action();

  Mode mode();

  enum Scope { CONNECTION, SUBJECT }

  /** Allowed frame types. */
  record Types(String name, boolean text, boolean binary, Action action, Mode mode) implements MessageRule { }

  /** Largest message (bytes). */
  record Size(String name, int maxBytes, Action action, Mode mode) implements MessageRule { }

  /** Message count and/or byte rate per connection or per subject; either rate may be null. */
  record RateLimit(String name, Scope scope, Rate messages, Rate bytes, Action action, Mode mode)
      implements MessageRule { }

  /** Rate keyed by the value of a top-level JSON string field, e.g. {@code type}; {@code other} may be null. */
  record FieldRate(String name, String field, Map<String, Rate> limits, Rate other, Scope scope, Action action,
                   Mode mode) implements MessageRule {
    public FieldRate {
      limits = Map.copyOf(limits);
    }
  }

  /** Well-formed JSON text, bounded nesting depth. */
  record Json(String name, int maxDepth, Action action, Mode mode) implements MessageRule { }

  /** JSON Schema validation; the schema file is read and compiled when the policy is loaded. */
  record Schema(String name, Path file, String schemaJson, Action action, Mode mode) implements MessageRule { }

  /** Deny patterns, linear-time (RE2/J) regular expressions over the message text. */
  record Patterns(String name, List<String> deny, Action action, Mode mode) implements MessageRule {
    public Patterns {
      deny = List.copyOf(deny);
    }
  }
}
