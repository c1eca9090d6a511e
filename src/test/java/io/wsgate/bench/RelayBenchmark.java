package io.wsgate.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.wsgate.policy.Action;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.StartedGateway;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Echo round trips over loopback: straight to the upstream, through the gateway (TLS, no message
 * rules), and through the gateway with a typical rule set. Prints throughput, latency percentiles
 * and memory. Indicative only: clients, gateway and upstream share one JVM and this machine's cores.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.wsgate.bench.RelayBenchmark \
 *     -Dexec.args="50 20 256"   # connections, seconds per phase, message bytes</pre>
 */
public final class RelayBenchmark {
  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    Vertx upstreamVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpServer echo = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(ws -> ws.frameHandler(frame -> {
          if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
            ws.writeFrame(frame);
          }
        }));
    Await.result(echo.listen());
    String url = "ws://127.0.0.1:" + echo.actualPort() + "/";
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    System.out.printf("wsgate relay benchmark: %d connections, %d s per phase, %d-byte text messages, %d cores%n",
        connections, seconds, size, Runtime.getRuntime().availableProcessors());
    System.out.println("phase                       msgs/s     p50 ms   p90 ms   p99 ms   p99.9 ms  heap MB  RSS MB");

    run("direct (ws, no gateway)", clientVertx, false, echo.actualPort(), connections, seconds, size);

    Process nginx = Files.isExecutable(NGINX) ? startNginx(echo.actualPort()) : null;
    if (nginx != null) {
      run("nginx (ws, reference)", clientVertx, false, nginxPlainPort, connections, seconds, size);
      run("nginx (wss, reference)", clientVertx, true, nginxTlsPort, connections, seconds, size);
      nginx.destroy();
      nginx.waitFor();
    } else {
      System.out.println("(nginx not installed: apt-get install nginx-light for the reference rows)");
    }

    try (StartedGateway plain = StartedGateway.startLogOnly(TestPolicy.create().plain().route("/echo", url).build())) {
      run("gateway (ws, no rules)", clientVertx, false, plain.gateway().port(), connections, seconds, size);
    }

    try (StartedGateway tls = StartedGateway.startLogOnly(TestPolicy.create().route("/echo", url).build())) {
      run("gateway (wss, no rules)", clientVertx, true, tls.gateway().port(), connections, seconds, size);
    }

    RouteSecurity rules = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS, new MessageRules(
        List.of(new MessageRule.Size("size", 65536, Action.CLOSE, Mode.ENFORCE),
            new MessageRule.RateLimit("rate", MessageRule.Scope.CONNECTION, Rate.of(100_000, Duration.ofSeconds(1)), null,
                Action.DROP, Mode.ENFORCE),
            new MessageRule.Json("json", 16, Action.CLOSE, Mode.ENFORCE),
            new MessageRule.Patterns("deny", List.of("(?i)<script", "\\bDROP\\s+TABLE\\b"), Action.DROP, Mode.ENFORCE)),
        List.of()));
    try (StartedGateway filtered = StartedGateway.startLogOnly(TestPolicy.create().route("/echo", url).security(rules).build())) {
      run("gateway (wss, 4 rules)", clientVertx, true, filtered.gateway().port(), connections, seconds, size);
    }

    Await.result(clientVertx.close());
    Await.result(upstreamVertx.close());
  }

  private static final Path NGINX = Path.of("/usr/sbin/nginx");
  private static int nginxPlainPort;
  private static int nginxTlsPort;

  /** nginx as the plain-proxy reference: the same upstream, loopback, 2 workers, TLS 1.2/1.3. */
  private static Process startNginx(int upstreamPort) throws Exception {
    Path dir = Files.createTempDirectory("wsgate-bench-nginx");
    nginxPlainPort = freePort();
    nginxTlsPort = freePort();
    String location = "location / { proxy_pass http://127.0.0.1:" + upstreamPort + "; proxy_http_version 1.1;"
        + " proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; proxy_read_timeout 1h; }";
    Files.writeString(dir.resolve("nginx.conf"), "worker_processes 2; daemon off; pid " + dir + "/nginx.pid;\n"
        + "error_log " + dir + "/error.log;\nevents { worker_connections 4096; }\nhttp { access_log off;\n"
        + "  server { listen 127.0.0.1:" + nginxPlainPort + "; " + location + " }\n"
        + "  server { listen 127.0.0.1:" + nginxTlsPort + " ssl; ssl_certificate " + TestCerts.cert() + ";"
        + " ssl_certificate_key " + TestCerts.key() + "; ssl_protocols TLSv1.2 TLSv1.3; " + location + " }\n}\n");
    Process process = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
        "-e", dir.resolve("error.log").toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    Await.until("nginx listening", Duration.ofSeconds(10), () -> {
      try (java.net.Socket probe = new java.net.Socket("127.0.0.1", nginxTlsPort)) {
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    });
    return process;
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void run(String phase, Vertx vertx, boolean tls, int port, int connections, int seconds, int size)
      throws Exception {
    WebSocketClientOptions options = new WebSocketClientOptions().setMaxConnections(connections * 2);
    if (tls) {
      options.setSsl(true).setTrustOptions(TestCerts.trust()).setVerifyHost(true);
    }
    WebSocketClient client = vertx.createWebSocketClient(options);
    String payload = "{\"type\":\"chat\",\"text\":\"" + "x".repeat(Math.max(0, size - 26)) + "\"}";
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      sockets.add(Await.result(client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(port)
          .setURI("/echo").setSsl(tls))));
    }
    int capacity = 4_000_000;
    long[] samples = new long[capacity];
    AtomicInteger count = new AtomicInteger();
    long warmupEnd = System.nanoTime() + 2_000_000_000L;
    long end = warmupEnd + seconds * 1_000_000_000L;
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (WebSocket ws : sockets) {
      CompletableFuture<Void> finished = new CompletableFuture<>();
      done.add(finished);
      long[] sentAt = {0};
      ws.textMessageHandler(reply -> {
        long now = System.nanoTime();
        if (now > warmupEnd) {
          int i = count.getAndIncrement();
          if (i < capacity) {
            samples[i] = now - sentAt[0];
          }
        }
        if (now >= end) {
          finished.complete(null);
          return;
        }
        sentAt[0] = System.nanoTime();
        ws.writeTextMessage(payload);
      });
      vertx.runOnContext(v -> {
        sentAt[0] = System.nanoTime();
        ws.writeTextMessage(payload);
      });
    }
    CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(seconds + 60L, java.util.concurrent.TimeUnit.SECONDS);
    int n = Math.min(count.get(), capacity);
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    ManagementFactory.getMemoryMXBean().gc();
    long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    System.out.printf("%-26s %8.0f  %7.3f  %7.3f  %7.3f  %8.3f  %7d  %6d%n", phase, n / (double) seconds,
        pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 99.9), heapMb, rssMb());
    Future.join(sockets.stream().map(WebSocket::close).toList()).await();
    client.close().await();
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
  }

  private static long rssMb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }
}
