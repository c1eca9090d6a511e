package io.wsgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} (Debian's {@code /usr/bin/redis-server}, which {@code scripts/test}
 * installs) on a free loopback port, in a temporary directory, persisting nothing
 * ({@code --save "" --appendonly no}). For failure tests it can be stopped and started again on the
 * same port, killed, or frozen (SIGSTOP: connected, but answering nothing) and thawed.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *   StoreEndpoint endpoint = StoreEndpoint.parse(redis.uri());
 *   redis.stop();  ...  redis.restart();
 *   redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/redis-server");
  public static final Path CLI = Path.of("/usr/bin/redis-cli");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Path dir;
  private final int port;
  private final String password;
  private volatile Process process;

  private RedisServer(Path dir, int port, String password) {
    this.dir = dir;
    this.port = port;
    this.password = password;
  }

  /** A server without AUTH. */
  public static RedisServer start() throws IOException {
    return start(null);
  }

  /** A server that requires {@code password} (null: none). */
  public static RedisServer start(String password) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: run scripts/test once (it installs Debian's redis-server),"
          + " or apt-get install redis-server");
    }
    Path dir = Files.createTempDirectory("wsgate-redis-");
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      RedisServer server = new RedisServer(dir, freePort(), password);
      try {
        server.launch();
        return server;
      } catch (IOException e) {
        last = e; // the port was taken between choosing and binding it: choose another
      }
    }
    throw last;
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}, as the policy would give it. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public boolean running() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Stops the server (SIGTERM, as an orderly shutdown) and waits for it to exit. */
  public void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    waitForExit(p);
    process = null;
  }

  /** Kills the server (SIGKILL), as a crash. */
  public void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    waitForExit(p);
    process = null;
  }

  /** Starts the server again on the same port (empty: nothing was saved). */
  public void restart() throws IOException {
    if (running()) {
      throw new IllegalStateException("redis-server on port " + port + " is still running");
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        launch();
        return;
      } catch (IOException e) {
        // The old socket may linger for a moment; the port is ours, so try again until the deadline.
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /** SIGSTOP: the server keeps its sockets open but answers nothing, like a hung or partitioned store. */
  public void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  /** Runs {@code redis-cli} against this server and returns its output (trimmed). */
  public String cli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(CLI.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port)));
    if (password != null) {
      command.add("--no-auth-warning");
      command.add("-a");
      command.add(password);
    }
    command.addAll(List.of(args));
    Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!cli.waitFor(10, TimeUnit.SECONDS) || cli.exitValue() != 0) {
      throw new IOException("redis-cli " + String.join(" ", args) + " failed: " + output);
    }
    return output;
  }

  /** The server's log so far (its stdout). */
  public String log() throws IOException {
    Path log = dir.resolve("redis.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of(BINARY.toString(),
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "", "--loglevel", "notice"));
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Path logFile = dir.resolve("redis.log");
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.APPEND);
          if (line.contains("Ready to accept connections")) {
            ready.complete(true);
          }
        }
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
      ready.complete(false);
    }, "redis-server-" + port);
    reader.setDaemon(true);
    reader.start();
    boolean started;
    try {
      started = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      started = false;
    }
    if (!started) {
      p.destroyForcibly();
      waitForExit(p);
      throw new IOException("redis-server did not start on port " + port + ": " + log());
    }
    process = p;
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + p.pid() + " failed");
    }
  }

  private static void waitForExit(Process p) {
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
