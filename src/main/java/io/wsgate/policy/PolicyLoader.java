package io.wsgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Loads and validates {@code gateway.yaml}. Every problem is collected and reported together in one
 * {@link PolicyException}, each as {@code file:line:col: field: message}.
 */
public final class PolicyLoader {
  public static final String FILE_NAME = "gateway.yaml";
  static final int MAX_BYTES = 1 << 20;
  private static final int MAX_ALIASES = 20;
  /** Deepest collection nesting a policy may have; real ones stay under ten. */
  static final int MAX_DEPTH = 100;

  private PolicyLoader() {
  }

  /** @param dirOrFile a policy file, or a directory holding {@value #FILE_NAME} */
  public static GatewayPolicy load(Path dirOrFile) throws PolicyException {
    return load(dirOrFile, System::getenv);
  }

  /** As {@link #load(Path)}, with the environment that {@code hmacSecretEnv} names are looked up in (tests). */
  static GatewayPolicy load(Path dirOrFile, Function<String, String> env) throws PolicyException {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
    String name = file.toString();
    byte[] bytes = read(file, name);
    Node root = compose(decode(bytes, name), name);
    NodeReader reader = new NodeReader(name);
    Path baseDir = Optional.ofNullable(file.toAbsolutePath().getParent()).orElse(Path.of("/"));
    GatewayPolicy policy = new PolicyParser(reader, new PolicyPaths(baseDir), env).parse(root, version(bytes), dirOrFile);
    List<PolicyError> errors = reader.errors();
    if (!errors.isEmpty()) {
      throw new PolicyException(errors);
    }
    return policy;
  }

  private static byte[] read(Path file, String name) throws PolicyException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw fail(name, "file is larger than " + MAX_BYTES + " bytes");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw fail(name, "file not found");
    } catch (IOException e) {
      throw fail(name, "cannot read: " + e);
    }
  }

  private static String decode(byte[] bytes, String name) throws PolicyException {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw fail(name, "not valid UTF-8");
    }
  }

  private static Node compose(String text, String name) throws PolicyException {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(name)
        .setSchema(new CoreSchema())
        .setAllowDuplicateKeys(false) // only enforced when constructing; MappingReader checks the node tree
        .setMaxAliasesForCollections(MAX_ALIASES)
        .setAllowRecursiveKeys(false)
        .setCodePointLimit(MAX_BYTES)
        .build();
    Optional<Node> root;
    try {
      checkDepth(text, settings, name);
      root = new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      throw new PolicyException(syntaxError(e, name));
    } catch (YamlEngineException e) {
      throw fail(name, "invalid YAML: " + e.getMessage());
    }
    if (root.isEmpty() || NodeReader.isNull(root.get())) {
      throw new PolicyException(new PolicyError(name, 1, 1, "", "the policy is empty (expected listen: and routes:)"));
    }
    if (!(root.get() instanceof MappingNode)) {
      NodeReader reader = new NodeReader(name);
      reader.error(root.get(), "", "expected a mapping at the top level, got " + NodeReader.describe(root.get()));
      throw new PolicyException(reader.errors());
    }
    return root.get();
  }

  /**
   * snakeyaml-engine composes recursively and has no nesting limit, so a few hundred KB of
   * {@code [[[[...} would overflow the stack. Its parser is not recursive: walk the events first.
   */
  private static void checkDepth(String text, LoadSettings settings, String name) throws PolicyException {
    int depth = 0;
    for (Event event : new Parse(settings).parseString(text)) {
      Event.ID id = event.getEventId();
      if (id == Event.ID.MappingStart || id == Event.ID.SequenceStart) {
        if (++depth > MAX_DEPTH) {
          String message = "invalid YAML: nested deeper than " + MAX_DEPTH + " levels";
          throw new PolicyException(event.getStartMark()
              .map(m -> new PolicyError(name, m.getLine() + 1, m.getColumn() + 1, "", message))
              .orElseGet(() -> PolicyError.unpositioned(name, message)));
        }
      } else if (id == Event.ID.MappingEnd || id == Event.ID.SequenceEnd) {
        depth--;
      }
    }
  }

  private static PolicyError syntaxError(MarkedYamlEngineException e, String name) {
    Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
    String context = e.getContext() == null || e.getContext().isEmpty() ? "" : " (" + e.getContext()
        + e.getContextMark().filter(c -> c.getLine() != mark.get().getLine())
            .map(c -> " started at line " + (c.getLine() + 1)).orElse("") + ")";
    String message = "invalid YAML: " + e.getProblem() + context;
    return mark.map(m -> new PolicyError(name, m.getLine() + 1, m.getColumn() + 1, "", message))
        .orElseGet(() -> PolicyError.unpositioned(name, message));
  }

  private static PolicyException fail(String name, String message) {
    return new PolicyException(PolicyError.unpositioned(name, message));
  }

  private static String version(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
