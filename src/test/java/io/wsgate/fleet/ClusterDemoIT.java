package io.wsgate.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/cluster-demo --check}, the README's fleet without Docker, exactly as documented:
 * redis-server, the demo upstream, two gateways from the packaged jar and HAProxy in front; a real
 * Python client connects through HAProxy to both gateways, a revocation on one refuses it on both,
 * a lift on the other admits it again; then everything stops.
 */
class ClusterDemoIT {
  @TempDir
  Path dir;

  @Test
  void theClusterDemoRunsAndChecksItself() throws Exception {
    Path output = dir.resolve("cluster-demo.out");
    Process demo = new ProcessBuilder("scripts/cluster-demo", "--check", "--dir", dir.resolve("demo").toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      assertTrue(demo.waitFor(150, TimeUnit.SECONDS), "finished within 150 s");
    } finally {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    assertEquals(0, demo.exitValue(), text);
    assertTrue(text.contains("cluster-demo --check: passed"), text);
    assertTrue(text.contains("through HAProxy after the revocation (2): refused: 401"), text);
    assertTrue(demo.descendants().noneMatch(ProcessHandle::isAlive), "it stopped what it started");
  }
}
