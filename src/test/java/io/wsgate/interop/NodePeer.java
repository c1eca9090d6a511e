package io.wsgate.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Node.js script from {@code src/test/node} run as a real process. {@link #start} keeps it running
 * and reads its output lines (stdout and stderr together) as they come; {@link #run} waits for it to
 * exit. Nothing here skips: a missing {@code node} or {@code ws} package fails the test, saying how
 * to install them.
 */
final class NodePeer implements AutoCloseable {
  static final Path DIR = Path.of("src", "test", "node").toAbsolutePath();
  private static final String INSTALL_HINT =
      "run `bash .ci/run` once, or `npm ci --prefix src/test/node --no-audit --no-fund` with Node.js on PATH";

  private final Process process;
  private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();
  private final List<String> all = new CopyOnWriteArrayList<>();

  private NodePeer(Process process) {
    this.process = process;
    Thread reader = new Thread(this::readOutput, "node-peer-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Fails the calling test unless {@code node} runs, {@code ws} is installed and argv can carry UTF-8. */
  static void requireNodeAndWs() {
    try {
      Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!version.waitFor(30, TimeUnit.SECONDS) || version.exitValue() != 0) {
        version.destroyForcibly();
        fail("`node --version` did not exit 0: " + INSTALL_HINT);
      }
    } catch (IOException e) {
      fail("Node.js is not on PATH (" + e.getMessage() + "): " + INSTALL_HINT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
    if (!Files.isRegularFile(DIR.resolve("node_modules/ws/package.json"))) {
      fail("the ws package is not installed in " + DIR + "/node_modules: " + INSTALL_HINT);
    }
    // The JDK encodes process arguments in the locale's charset: under plain C/POSIX, 你好 would reach
    // Node as question marks. The pom runs tests with LC_ALL=C.UTF-8; an IDE may not.
    String argvCharset = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
    if (!Charset.forName(argvCharset).newEncoder().canEncode("你好")) {
      fail("this JVM encodes process arguments as " + argvCharset + ": run it under a UTF-8 locale (LC_ALL=C.UTF-8)");
    }
  }

  /** Starts {@code node <script> <args...>} in {@link #DIR}. Close it to end it. */
  static NodePeer start(String script, String... args) {
    try {
      return new NodePeer(new ProcessBuilder(command(script, args)).directory(DIR.toFile())
          .redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new AssertionError("could not start node " + script + ": " + INSTALL_HINT, e);
    }
  }

  /** Runs {@code node <script> <args...>} in {@link #DIR} to its end, killing it past {@code timeout}. */
  static Exit run(Duration timeout, String script, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("node-peer", ".out");
    Path err = Files.createTempFile("node-peer", ".err");
    try {
      Process process = new ProcessBuilder(command(script, args)).directory(DIR.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(process);
        fail("node " + script + " still running after " + timeout + "; stderr: " + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Exit(process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** What a finished script left: its exit code, its stdout lines and its stderr. */
  record Exit(int code, List<String> stdout, String stderr) {
  }

  /** The next output line matching {@code regex} (earlier lines are passed over), or a failure at the deadline. */
  Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? unread.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        String state = process.isAlive() ? "still running" : "exited with " + process.exitValue();
        throw new AssertionError("no output line matching /" + regex + "/ within " + timeout
            + " (node " + state + "); output so far: " + all);
      }
      Matcher matcher = pattern.matcher(line);
      if (matcher.matches()) {
        return matcher;
      }
    }
  }

  /** Every output line so far. */
  List<String> output() {
    return new ArrayList<>(all);
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        all.add(line);
        unread.add(line);
      }
    } catch (IOException e) {
      // The process was destroyed: its output ends here.
    }
  }

  /** Ends the process and waits for it to be gone. */
  @Override
  public void close() {
    stop(process);
  }

  private static void stop(Process process) {
    try {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> command(String script, String... args) {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    return command;
  }
}
