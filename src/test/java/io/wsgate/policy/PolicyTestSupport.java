package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;

/** Writes a policy into a temporary directory, loads it, and reads back its errors without the file name. */
abstract class PolicyTestSupport {
  /** Lines 1-3: a plain listener that lets every IPv4 client in. */
  static final String PLAIN_LISTENER = "listen:\n  plain: true\n  clients: { allow: [0.0.0.0/0] }\n";
  /** Two lines that make a route valid: any Origin, anonymous. */
  static final String OPEN = "    origins: { allow: ['*'] }\n    auth: { anonymous: true }\n";
  /** Lines 4-8 after {@link #PLAIN_LISTENER}: one open route to the demo upstream. */
  static final String ONE_ROUTE = "routes:\n  - path: /chat\n    upstreams: [demo]\n" + OPEN;

  @TempDir
  Path dir;

  /** Environment for {@code hmacSecretEnv}; tests put variables here instead of the real environment. */
  Function<String, String> env = Map.<String, String>of()::get;

  Path abs(String name) {
    return dir.toAbsolutePath().normalize().resolve(name);
  }

  Path write(String yaml) throws IOException {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  GatewayPolicy load(String yaml) throws Exception {
    write(yaml);
    return PolicyLoader.load(dir, env);
  }

  /** Loads a policy that must fail; returns its errors as {@code line:col: field: message}. */
  List<String> errors(String yaml) throws IOException {
    Path file = write(yaml);
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(dir, env));
    String prefix = file + ":";
    return e.errors().stream().map(PolicyError::toString).map(s -> {
      assertTrue(s.startsWith(prefix), s);
      return s.substring(prefix.length());
    }).toList();
  }

  String onlyError(String yaml) throws IOException {
    List<String> errors = errors(yaml);
    assertEquals(1, errors.size(), errors::toString);
    return errors.get(0);
  }
}
