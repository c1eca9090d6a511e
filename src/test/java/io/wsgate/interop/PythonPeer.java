package io.wsgate.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Python script from {@code src/test/python} run as a real {@link PeerProcess} under
 * {@code /usr/bin/python3}, where Debian's {@code python3-websockets} is importable (a
 * {@code python3} earlier on PATH, e.g. pyenv's, would not see it). Nothing here skips: a missing
 * interpreter or {@code websockets} module fails the test, saying how to install them.
 */
final class PythonPeer {
  static final Path DIR = Path.of("src", "test", "python").toAbsolutePath();
  static final String PYTHON = "/usr/bin/python3";
  private static final String INSTALL_HINT =
      "run `bash .ci/run` once, or `apt-get install -y python3-websockets` (for " + PYTHON + ")";

  private PythonPeer() {
  }

  /** Fails the calling test unless {@code /usr/bin/python3} imports {@code websockets} and argv can carry UTF-8. */
  static void requirePythonAndWebsockets() {
    PeerProcess.requireSuccess(List.of(PYTHON, "-c", "import websockets"), INSTALL_HINT);
    PeerProcess.requireUtf8Arguments();
  }

  /** Starts {@code python3 <script> <args...>} in {@link #DIR}. Close it to end it. */
  static PeerProcess start(String script, String... args) {
    return PeerProcess.start(DIR, command(script, args), INSTALL_HINT);
  }

  /** Runs {@code python3 <script> <args...>} in {@link #DIR} to its end, killing it past {@code timeout}. */
  static PeerProcess.Exit run(Duration timeout, String script, String... args) throws IOException, InterruptedException {
    return PeerProcess.run(timeout, DIR, command(script, args));
  }

  private static List<String> command(String script, String... args) {
    // -u: unbuffered, so the test sees "PORT <n>" and later lines as they are printed.
    List<String> command = new ArrayList<>(List.of(PYTHON, "-u", script));
    command.addAll(List.of(args));
    return command;
  }
}
