package io.wsgate.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * One YAML mapping with a fixed set of keys (or, for name → value maps, any keys). Unknown,
 * duplicate and non-string keys are reported when it is opened; the typed getters return the
 * default when a key is absent or its value is bad (the bad value having been reported).
 */
final class MappingReader {
  private final NodeReader reader;
  private final String path;
  private final Node anchor;
  private final Map<String, NodeTuple> entries;
  private final boolean malformed;

  private MappingReader(NodeReader reader, String path, Node anchor, Map<String, NodeTuple> entries,
                        boolean malformed) {
    this.reader = reader;
    this.path = path;
    this.anchor = anchor;
    this.entries = entries;
    this.malformed = malformed;
  }

  /**
   * @param node      an absent (null) or YAML-null node opens an empty mapping, so defaults apply;
   *                  at least one of an absent mapping's ancestors must be present, for positions
   * @param knownKeys the keys allowed; null allows any key (a name → value map)
   */
  static MappingReader of(NodeReader reader, Node node, String path, List<String> knownKeys) {
    Map<String, NodeTuple> entries = new LinkedHashMap<>();
    if (NodeReader.isNull(node)) {
      return new MappingReader(reader, path, node, entries, false);
    }
    if (!(node instanceof MappingNode mapping)) {
      reader.error(node, path, "expected a mapping, got " + NodeReader.describe(node));
      return new MappingReader(reader, path, node, entries, true);
    }
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalar)) {
        reader.error(keyNode, path, "expected a plain key, got " + NodeReader.describe(keyNode));
        continue;
      }
      String key = scalar.getValue();
      String field = join(path, key);
      NodeTuple first = entries.get(key);
      if (first != null) {
        reader.error(keyNode, field, "duplicate key (first defined at line " + line(first.getKeyNode()) + ")");
      } else if (knownKeys != null && !knownKeys.contains(key)) {
        reader.error(keyNode, field, "unknown key (expected one of: " + String.join(", ", knownKeys) + ")");
      } else {
        entries.put(key, tuple);
      }
    }
    return new MappingReader(reader, path, node, entries, false);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static int line(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  /** The keys written, in file order (for name → value maps). */
  List<String> keys() {
    return List.copyOf(entries.keySet());
  }

  /** True when the key is written at all, even with no value. */
  boolean present(String key) {
    return entries.containsKey(key);
  }

  /** The key's own node (for errors about the key rather than its value); null when absent. */
  Node keyNode(String key) {
    NodeTuple tuple = entries.get(key);
    return tuple == null ? null : tuple.getKeyNode();
  }

  /** The node this mapping reports "required" errors at. */
  Node anchor() {
    return anchor;
  }

  /** True when the node was not a mapping at all (already reported); checks for missing keys are moot. */
  boolean malformed() {
    return malformed;
  }

  NodeReader reader() {
    return reader;
  }

  String path() {
    return path;
  }

  String field(String key) {
    return join(path, key);
  }

  boolean has(String key) {
    return !NodeReader.isNull(value(key));
  }

  /** The value node, or null when the key is absent; may be a YAML-null scalar. */
  Node value(String key) {
    NodeTuple tuple = entries.get(key);
    return tuple == null ? null : tuple.getValueNode();
  }

  MappingReader mapping(String key, List<String> knownKeys) {
    // "Required" errors inside the section point at the section itself, or at this mapping when it is absent.
    return MappingReader.of(reader, value(key), field(key), knownKeys).withAnchor(position(key));
  }

  private MappingReader withAnchor(Node newAnchor) {
    return new MappingReader(reader, path, newAnchor, entries, malformed);
  }

  /** Null when absent or not a list (the latter reported). */
  List<Node> sequence(String key) {
    return has(key) ? reader.sequence(value(key), field(key)) : null;
  }

  /**
   * The string items of the list in {@code key}; null when absent or not a list (the latter
   * reported). Items that are not strings are reported and left out.
   */
  List<StringItem> strings(String key) {
    List<Node> items = sequence(key);
    if (items == null) {
      return null;
    }
    List<StringItem> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String field = field(key) + "[" + i + "]";
      String text = reader.string(items.get(i), field);
      if (text != null) {
        out.add(new StringItem(text, items.get(i), field, i));
      }
    }
    return out;
  }

  /** One string of a list, with where it was written. */
  record StringItem(String value, Node node, String field, int index) {
  }

  String string(String key, String dflt) {
    String s = has(key) ? reader.string(value(key), field(key)) : null;
    return s == null ? dflt : s;
  }

  /** The value of {@code key} when it is one of {@code choices}; {@code dflt} when absent or bad (reported). */
  String choice(String key, List<String> choices, String dflt) {
    String s = string(key, null);
    if (s == null) {
      return dflt;
    }
    if (!choices.contains(s)) {
      error(key, "expected " + alternatives(choices) + ", got " + NodeReader.quote(s));
      return dflt;
    }
    return s;
  }

  /** {@code a or b}, or {@code one of: a, b, c}. */
  static String alternatives(List<String> choices) {
    return choices.size() == 2 ? choices.get(0) + " or " + choices.get(1) : "one of: " + String.join(", ", choices);
  }

  /** {@code mode: enforce | monitor}, default enforce. */
  Mode mode() {
    List<String> names = java.util.Arrays.stream(Mode.values()).map(Mode::policyName).toList();
    String chosen = choice("mode", names, Mode.DEFAULT.policyName());
    return Mode.valueOf(chosen.toUpperCase(java.util.Locale.ROOT));
  }

  boolean bool(String key, boolean dflt) {
    Boolean b = has(key) ? reader.bool(value(key), field(key)) : null;
    return b == null ? dflt : b;
  }

  int integer(String key, int dflt, long min, long max) {
    Long n = has(key) ? reader.integer(value(key), field(key)) : null;
    if (n == null) {
      return dflt;
    }
    if (n < min || n > max) {
      reader.error(value(key), field(key), "must be between " + min + " and " + max + ", got " + n);
      return dflt;
    }
    return n.intValue();
  }

  /** A byte size ({@link Units#parseSize}) within {@code min..max}. */
  int size(String key, int dflt, long min, long max) {
    Long n = has(key) ? reader.size(value(key), field(key)) : null;
    if (n == null) {
      return dflt;
    }
    if (n < min || n > max) {
      reader.error(value(key), field(key), "must be between " + Units.formatSize(min) + " and "
          + Units.formatSize(max) + ", got " + NodeReader.describe(value(key)));
      return dflt;
    }
    return n.intValue();
  }

  /** As {@link #size}, for sizes beyond 2 GiB. */
  long longSize(String key, long dflt, long min, long max) {
    Long n = has(key) ? reader.size(value(key), field(key)) : null;
    if (n == null) {
      return dflt;
    }
    if (n < min || n > max) {
      reader.error(value(key), field(key), "must be at least " + Units.formatSize(min) + ", got "
          + NodeReader.describe(value(key)));
      return dflt;
    }
    return n;
  }

  Duration duration(String key, Duration dflt) {
    Duration d = has(key) ? reader.duration(value(key), field(key)) : null;
    return d == null ? dflt : d;
  }

  Duration positiveDuration(String key, Duration dflt) {
    Duration d = duration(key, dflt);
    if (d.isZero()) {
      reader.error(value(key), field(key), "must be greater than 0");
      return dflt;
    }
    return d;
  }

  /** Reports {@code message} when the key is absent, unless this whole mapping was already reported. */
  void requireKey(String key, String message) {
    if (!has(key) && !malformed) {
      error(key, message);
    }
  }

  /** Reports a problem with {@code key} at {@link #position(String)}. */
  void error(String key, String message) {
    reader.error(position(key), field(key), message);
  }

  /** The key's value when set, else the key itself when written with no value, else this mapping. */
  Node position(String key) {
    NodeTuple tuple = entries.get(key);
    if (tuple == null) {
      return anchor;
    }
    return has(key) ? tuple.getValueNode() : tuple.getKeyNode();
  }
}
