package io.wsgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslog (Debian's {@code /usr/sbin/rsyslogd}) receiving RFC 6587 octet-counted syslog on
 * loopback TCP ({@code imtcp}), on a port it chooses itself ({@code port="0"}, written to
 * {@code listenPortFileName}), writing each message it parsed as one line
 * {@code APP-NAME|MSGID|HOSTNAME|MSG} to a file. Runs in the foreground; {@link #close()} stops it.
 */
public final class Rsyslog implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/sbin/rsyslogd");

  private final Process process;
  private final int port;
  private final Path out;

  private Rsyslog(Process process, int port, Path out) {
    this.process = process;
    this.port = port;
    this.out = out;
  }

  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  public static Rsyslog start(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path portFile = dir.resolve("port");
    Path out = dir.resolve("messages.log");
    Path config = Files.writeString(dir.resolve("rsyslog.conf"), """
        global(workDirectory="%1$s")
        module(load="imtcp")
        input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="%2$s")
        template(name="fields" type="string" string="%%app-name%%|%%msgid%%|%%hostname%%|%%msg%%\\n")
        action(type="omfile" file="%3$s" template="fields")
        """.formatted(dir, portFile, out));
    Process process = new ProcessBuilder(BINARY.toString(), "-n", "-f", config.toString(), "-i",
        dir.resolve("rsyslogd.pid").toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("rsyslogd.log").toFile()).start();
    try {
      Await.until("rsyslogd listens", Duration.ofSeconds(10), () -> !process.isAlive() || portWritten(portFile));
      if (!process.isAlive()) {
        throw new IllegalStateException("rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.log")));
      }
      return new Rsyslog(process, Integer.parseInt(Files.readString(portFile).trim()), out);
    } catch (RuntimeException | AssertionError e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static boolean portWritten(Path file) {
    try {
      return Files.exists(file) && Files.readString(file).trim().matches("[1-9][0-9]*");
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  /** The messages written so far, one {@code APP-NAME|MSGID|HOSTNAME|MSG} line each. */
  public List<String> messages() {
    try {
      return Files.exists(out) ? Files.readAllLines(out) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
