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
 * A third-party peer (a Node.js or Python script) run as a real process. {@link #start} keeps it
 * running and reads its output lines (stdout and stderr together) as they come; {@link #run} waits
 * for it to exit. {@link NodePeer} and {@link PythonPeer} build the commands and check that the
 * runtime is installed; nothing here skips.
 */
final class PeerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();
  private final List<String> all = new CopyOnWriteArrayList<>();

  private PeerProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader = new Thread(this::readOutput, "peer-output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code command} in {@code dir}. Close it to end it; {@code installHint} goes into the failure. */
  static PeerProcess start(Path dir, List<String> command, String installHint) {
    String name = String.join(" ", command.subList(0, Math.min(2, command.size())));
    try {
      return new PeerProcess(name, new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new AssertionError("could not start " + name + ": " + installHint, e);
    }
  }

  /** Runs {@code command} in {@code dir} to its end, killing it past {@code timeout}. */
  static Exit run(Duration timeout, Path dir, List<String> command) throws IOException, InterruptedException {
    String name = String.join(" ", command.subList(0, Math.min(2, command.size())));
    Path out = Files.createTempFile("peer", ".out");
    Path err = Files.createTempFile("peer", ".err");
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(process);
        fail(name + " still running after " + timeout + "; stderr: " + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Exit(process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Fails unless {@code command} runs and exits 0 within 30 s; the failure carries its output and the hint. */
  static void requireSuccess(List<String> command, String installHint) {
    try {
      Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!check.waitFor(30, TimeUnit.SECONDS)) {
        check.destroyForcibly();
        fail("`" + String.join(" ", command) + "` did not finish within 30 s: " + installHint);
      }
      if (check.exitValue() != 0) {
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        fail("`" + String.join(" ", command) + "` exited " + check.exitValue() + " (" + output + "): " + installHint);
      }
    } catch (IOException e) {
      fail("could not run `" + String.join(" ", command) + "` (" + e.getMessage() + "): " + installHint);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
  }

  /**
   * Fails unless process arguments can carry UTF-8. The JDK encodes them in the locale's charset: under
   * plain C/POSIX, 你好 would reach the peer as question marks. The pom runs tests with LC_ALL=C.UTF-8;
   * an IDE may not.
   */
  static void requireUtf8Arguments() {
    String argvCharset = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
    if (!Charset.forName(argvCharset).newEncoder().canEncode("你好")) {
      fail("this JVM encodes process arguments as " + argvCharset + ": run it under a UTF-8 locale (LC_ALL=C.UTF-8)");
    }
  }

  /** What a finished peer left: its exit code, its stdout lines and its stderr. */
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
            + " (" + name + " " + state + "); output so far: " + all);
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
}
