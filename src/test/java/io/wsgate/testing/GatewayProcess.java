package io.wsgate.testing;

import io.wsgate.cli.Main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wsgate run} as a child process, from {@code target/wsgate.jar} (Failsafe runs after
 * {@code package}) or from this JVM's classpath when the jar is not there. Its output goes to a log
 * file, scanned for the listening port.
 */
public record GatewayProcess(Process process, int port, Path logFile) {
  private static final Pattern LISTENING = Pattern.compile("wsgate listening on wss?://[^:]+:(\\d+) ");
  private static final Pattern ADMIN = Pattern.compile("wsgate admin on http://[^ ]+:(\\d+) ");
  private static final Pattern PROBES = Pattern.compile("wsgate probes on http://[^ ]+:(\\d+) ");

  public static GatewayProcess start(Path policies, Path logFile, String... jvmOptions)
      throws IOException, InterruptedException {
    return start(policies, logFile, Map.of(), jvmOptions);
  }

  /** As {@link #start(Path, Path, String...)}, with these environment variables added (e.g. {@code WSGATE_NODE_ID}). */
  public static GatewayProcess start(Path policies, Path logFile, Map<String, String> env, String... jvmOptions)
      throws IOException, InterruptedException {
    return start(policies, logFile, env, List.of(), jvmOptions);
  }

  /** As {@link #start(Path, Path, Map, String...)}, with options for {@code run} after {@code --policies} ({@code --listen}). */
  public static GatewayProcess start(Path policies, Path logFile, Map<String, String> env, List<String> runOptions,
                                     String... jvmOptions) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "wsgate.jar");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(List.of(jvmOptions));
    if (Files.isRegularFile(jar)) {
      command.addAll(List.of("-jar", jar.toString()));
    } else {
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    }
    command.addAll(List.of("run", "--policies", policies.toString()));
    command.addAll(runOptions);
    return launch(command, logFile, env);
  }

  /** Runs {@code command}, a JVM whose output announces the gateway's port as {@code wsgate run} logs it. */
  public static GatewayProcess launch(List<String> command, Path logFile) throws IOException {
    return launch(command, logFile, Map.of());
  }

  public static GatewayProcess launch(List<String> command, Path logFile, Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> copyOutput(process, logFile, port), "gateway-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new GatewayProcess(process, port.get(60, TimeUnit.SECONDS), logFile);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new AssertionError("the gateway did not start: "
          + (Files.exists(logFile) ? Files.readString(logFile) : "no output"), e);
    }
  }

  private static void copyOutput(Process process, Path logFile, CompletableFuture<Integer> port) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      port.completeExceptionally(e);
    }
    port.completeExceptionally(new IllegalStateException("the gateway's output ended"));
  }

  /** The port of the listener named {@code listener}, as the gateway logs it; {@link #port()} is the first's. */
  public int port(String listener) {
    return loggedPort(Pattern.compile("wsgate listening on wss?://[^ ]+:(\\d+) \\(listener "
        + Pattern.quote(listener) + ","), "listener " + listener);
  }

  /** The admin listener's port, as the gateway logs it right after it listens. */
  public int adminPort() {
    return loggedPort(ADMIN, "admin listener");
  }

  /** The probes listener's port, as the gateway logs it right after it listens. */
  public int probesPort() {
    return loggedPort(PROBES, "probes listener");
  }

  private int loggedPort(Pattern announcement, String listener) {
    int[] port = {-1};
    Await.until("the " + listener + "'s port in " + logFile, () -> {
      try {
        Matcher m = announcement.matcher(log());
        if (m.find()) {
          port[0] = Integer.parseInt(m.group(1));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return port[0] > 0 || !process.isAlive();
    });
    if (port[0] < 0) {
      throw new AssertionError("the gateway exited without a " + listener + ": " + logFile);
    }
    return port[0];
  }

  public String log() throws IOException {
    return Files.exists(logFile) ? Files.readString(logFile) : "";
  }

  /** The process's resident set size, from {@code /proc/PID/status} (Linux), in KiB. */
  public long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + process.pid());
  }
}
