package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzz target for the policy loader: any bytes as {@code gateway.yaml} give a policy or a
 * {@link PolicyException} whose every error is positioned within the file (or unpositioned) and
 * says something; never another exception, a hang or an OOM (YAML bombs, deep nesting and huge
 * anchors included). Seeds: {@code PolicyLoaderFuzzTestInputs/loadsOrReportsErrors/}.
 */
class PolicyLoaderFuzzTest {
  private static final Path DIR = tempDir();
  private static final Path FILE = DIR.resolve(PolicyLoader.FILE_NAME);

  @FuzzTest
  void loadsOrReportsErrors(byte[] yaml) throws IOException {
    String text = new String(yaml, StandardCharsets.UTF_8);
    // generateDevKey writes a key file wherever the policy says (as root, anywhere): keep the fuzzer
    // away from it, including the key spelled with double-quoted escapes.
    if (text.contains("DevKey") || text.contains("\\")) {
      return;
    }
    Files.write(FILE, yaml);
    try {
      GatewayPolicy policy = PolicyLoader.load(DIR, Map.<String, String>of()::get);
      assertNotNull(policy.listen());
      assertFalse(policy.routes().isEmpty(), "a loaded policy has routes");
    } catch (PolicyException e) {
      assertFalse(e.errors().isEmpty(), "an exception without errors");
      long lines = text.lines().count() + 1;
      for (PolicyError error : e.errors()) {
        assertTrue(error.line() >= 0 && error.line() <= lines, () -> "line out of the file: " + error);
        assertTrue(error.line() == 0 ? error.column() == 0 : error.column() >= 1, () -> "bad column: " + error);
        assertFalse(error.message().isBlank(), () -> "empty message: " + error);
        assertTrue(error.toString().length() < 4096, () -> "unbounded error text: " + error.toString().length());
      }
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      fail("the loader threw " + e + " instead of a PolicyException", e);
    }
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("wsgate-policy-fuzz");
      dir.toFile().deleteOnExit();
      dir.resolve(PolicyLoader.FILE_NAME).toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
