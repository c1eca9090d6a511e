package io.wsgate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real HAProxy (Debian's {@code /usr/sbin/haproxy}, which {@code scripts/test} installs) in TCP mode
 * in front of some gateways, as production runs it: round robin, health checks, the client's address
 * passed on with the PROXY protocol (v2), on a free loopback port. The configuration is written by
 * the test; the process runs in the foreground and is stopped by {@link #close()}.
 *
 * <pre>{@code
 * try (Haproxy lb = Haproxy.tcp(dir, List.of(portA, portB))) {
 *   client.connect(lb.port(), "/chat") ...
 * }
 * }</pre>
 */
public final class Haproxy implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/sbin/haproxy");

  private final Process process;
  private final int port;
  private final Path log;

  private Haproxy(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Round robin over {@code backends} (loopback ports), each checked every 500 ms. */
  public static Haproxy tcp(Path dir, List<Integer> backends) throws IOException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: run scripts/test once (it installs Debian's haproxy),"
          + " or apt-get install haproxy");
    }
    int port = freePort();
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < backends.size(); i++) {
      servers.append("  server gw").append(i).append(" 127.0.0.1:").append(backends.get(i))
          .append(" send-proxy-v2 check check-send-proxy inter 500ms fall 1 rise 1\n");
    }
    Path config = Files.writeString(dir.resolve("haproxy.cfg"), """
        global
          maxconn 2000
        defaults
          mode tcp
          timeout connect 2s
          timeout client 60s
          timeout server 60s
          retries 2
          option redispatch
        frontend wsgate
          bind 127.0.0.1:%d
          default_backend gateways
        backend gateways
          balance roundrobin
        %s""".formatted(port, servers));
    Path log = dir.resolve("haproxy.log");
    Process process = new ProcessBuilder(BINARY.toString(), "-db", "-f", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Haproxy haproxy = new Haproxy(process, port, log);
    try {
      Await.until("haproxy listens on " + port, Duration.ofSeconds(10), () -> !process.isAlive() || listens(port));
      if (!process.isAlive()) {
        throw new IllegalStateException("haproxy exited: " + Files.readString(log));
      }
    } catch (RuntimeException | AssertionError e) {
      haproxy.close();
      throw e;
    }
    return haproxy;
  }

  public int port() {
    return port;
  }

  public String log() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log).stream().collect(Collectors.joining("\n")) : "";
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

  private static boolean listens(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
