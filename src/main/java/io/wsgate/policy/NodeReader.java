package io.wsgate.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed reads from a composed YAML node tree. A failed read records a {@link PolicyError} at the
 * node's position and returns null, so the caller can carry on and report every problem at once.
 */
final class NodeReader {
  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]{1,18}");
  private static final int MAX_QUOTED = 60;

  private final String file;
  private final List<PolicyError> errors = new ArrayList<>();

  NodeReader(String file) {
    this.file = file;
  }

  void error(Node at, String field, String message) {
    Optional<Mark> mark = at.getStartMark();
    errors.add(mark.isPresent()
        ? new PolicyError(file, mark.get().getLine() + 1, mark.get().getColumn() + 1, field, message)
        : new PolicyError(file, 0, 0, field, message));
  }

  /** Errors recorded so far, sorted by position. */
  List<PolicyError> errors() {
    List<PolicyError> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparingInt(PolicyError::line).thenComparingInt(PolicyError::column));
    return sorted;
  }

  /** An absent value and an explicit YAML null ({@code ~}, {@code null} or nothing) both mean "not set". */
  static boolean isNull(Node node) {
    return node == null || (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
  }

  MappingReader mapping(Node node, String field, List<String> knownKeys) {
    return MappingReader.of(this, node, field, knownKeys);
  }

  List<Node> sequence(Node node, String field) {
    if (node instanceof SequenceNode seq) {
      return seq.getValue();
    }
    error(node, field, "expected a list, got " + describe(node));
    return null;
  }

  String string(Node node, String field) {
    if (node instanceof ScalarNode s && !isNull(node)) {
      return s.getValue();
    }
    error(node, field, "expected a string, got " + describe(node));
    return null;
  }

  Long integer(Node node, String field) {
    if (node instanceof ScalarNode s && INTEGER.matcher(s.getValue()).matches()) {
      return Long.parseLong(s.getValue());
    }
    error(node, field, "expected an integer, got " + describe(node));
    return null;
  }

  Boolean bool(Node node, String field) {
    if (node instanceof ScalarNode s) {
      if (s.getValue().equalsIgnoreCase("true")) {
        return true;
      }
      if (s.getValue().equalsIgnoreCase("false")) {
        return false;
      }
    }
    error(node, field, "expected true or false, got " + describe(node));
    return null;
  }

  Duration duration(Node node, String field) {
    String text = string(node, field);
    if (text == null) {
      return null;
    }
    Optional<Duration> d = Units.parseDuration(text);
    if (d.isEmpty()) {
      error(node, field, "invalid duration " + quote(text) + " (" + Units.DURATION_SYNTAX + ")");
    }
    return d.orElse(null);
  }

  Long size(Node node, String field) {
    String text = string(node, field);
    if (text == null) {
      return null;
    }
    Optional<Long> n = Units.parseSize(text);
    if (n.isEmpty()) {
      error(node, field, "invalid size " + quote(text) + " (" + Units.SIZE_SYNTAX + ")");
    }
    return n.orElse(null);
  }

  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (isNull(node)) {
      return "nothing";
    }
    return quote(((ScalarNode) node).getValue());
  }

  static String quote(String value) {
    String shown = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
    StringBuilder out = new StringBuilder("\"");
    shown.codePoints().forEach(c -> {
      if (c == '"' || c == '\\') {
        out.append('\\').appendCodePoint(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.append('"').toString();
  }
}
