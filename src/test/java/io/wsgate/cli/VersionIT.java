package io.wsgate.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged jar says which version and commit it is (Failsafe runs after {@code package}). */
class VersionIT {
  @Test
  void thePackagedJarNamesItsVersionAndCommit() throws Exception {
    Path jar = Path.of("target", "wsgate.jar");
    assertTrue(Files.isRegularFile(jar), "run after mvn package");
    String java = ProcessHandle.current().info().command().orElse("java");
    String printed = run(java, "-jar", jar.toString(), "--version");
    String version = System.getProperty("wsgate.version", "0.1.0-SNAPSHOT");
    assertTrue(printed.startsWith("wsgate " + version + " (commit "), printed);
    if (Files.isDirectory(Path.of(".git"))) {
      String head = run("git", "rev-parse", "--short=10", "HEAD").trim();
      assertEquals("wsgate " + version + " (commit " + head + ")", printed.trim());
    }
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), out);
    return out;
  }
}
