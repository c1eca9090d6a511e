package io.wsgate.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Node.js script from {@code src/test/node} run as a real {@link PeerProcess}. Nothing here skips:
 * a missing {@code node} or {@code ws} package fails the test, saying how to install them.
 */
final class NodePeer {
  static final Path DIR = Path.of("src", "test", "node").toAbsolutePath();
  private static final String INSTALL_HINT =
      "run `scripts/test` (the README's test command), or `npm ci --prefix src/test/node --no-audit --no-fund` with Node.js on PATH";

  private NodePeer() {
  }

  /** Fails the calling test unless {@code node} runs, {@code ws} is installed and argv can carry UTF-8. */
  static void requireNodeAndWs() {
    PeerProcess.requireSuccess(List.of("node", "--version"), INSTALL_HINT);
    if (!Files.isRegularFile(DIR.resolve("node_modules/ws/package.json"))) {
      fail("the ws package is not installed in " + DIR + "/node_modules: " + INSTALL_HINT);
    }
    PeerProcess.requireUtf8Arguments();
  }

  /** Starts {@code node <script> <args...>} in {@link #DIR}. Close it to end it. */
  static PeerProcess start(String script, String... args) {
    return PeerProcess.start(DIR, command(script, args), INSTALL_HINT);
  }

  /** Runs {@code node <script> <args...>} in {@link #DIR} to its end, killing it past {@code timeout}. */
  static PeerProcess.Exit run(Duration timeout, String script, String... args) throws IOException, InterruptedException {
    return PeerProcess.run(timeout, DIR, command(script, args));
  }

  private static List<String> command(String script, String... args) {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    return command;
  }
}
