package io.wsgate.soak;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import io.wsgate.demo.DevCertificate;
import io.wsgate.testing.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak test: the packaged gateway as its own process, N TLS client connections through it to a
 * broadcast upstream, broadcast (and some echo) traffic for a while, then proof that nothing was
 * lost, reordered or closed early, and the gateway's RSS over time. Exits 1 if anything unexpected
 * happened. Run it with {@code scripts/soak}; docs/soak.md has the figures.
 */
public final class SoakDriver {
  private static final int MAX_HANDSHAKES_IN_FLIGHT = 32;

  public static void main(String[] args) throws Exception {
    SoakOptions o;
    try {
      o = SoakOptions.parse(args);
    } catch (RuntimeException e) {
      System.err.println("soak: " + e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(o.work());
    Path cert = o.work().resolve("gateway.crt");
    Path key = o.work().resolve("gateway.key");
    DevCertificate.ensure(cert, key);
    int n = o.connections();
    log("soak: %d connections, broadcast every %d ms for %s, echo every %d s per connection, ramp %d/s, %d cores",
        n, o.intervalMs(), o.duration(), o.echoEverySeconds(), o.rampPerSecond(), Runtime.getRuntime().availableProcessors());

    Vertx upstreamVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    BroadcastUpstream upstream = new BroadcastUpstream(upstreamVertx, n);
    int upstreamPort = Await.result(upstream.start());
    List<String> failures = new ArrayList<>();
    try (GatewayProcess gateway = new GatewayProcess(o.jar(), o.work())) {
      gateway.writePolicy(cert, key, upstreamPort, n, o.rampPerSecond());
      gateway.start(o.gatewayJvm());
      Thread.sleep(2000); // let the freshly started JVM settle before the idle sample
      RssSamples rss = new RssSamples(gateway);
      rss.sample("idle", 0);
      log("gateway pid %d on wss://127.0.0.1:%d/soak (%s), upstream ws://127.0.0.1:%d, idle RSS %d MiB, %d fds",
          gateway.pid(), gateway.port(), String.join(" ", o.gatewayJvm()), upstreamPort, rss.last().rssMb(),
          rss.last().gatewayFds());

      upstream.broadcastEvery(o.intervalMs());
      Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
      WebSocketClient client = clientVertx.createWebSocketClient(new WebSocketClientOptions()
          .setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(cert.toString())).setVerifyHost(true)
          .setMaxConnections(n + MAX_HANDSHAKES_IN_FLIGHT).setConnectTimeout(30_000));
      DeliveryLatency latency = new DeliveryLatency();
      SoakConnection[] connections = new SoakConnection[n];
      for (int i = 0; i < n; i++) {
        connections[i] = new SoakConnection(i, latency);
      }

      long rampStart = System.nanoTime();
      int refused = ramp(client, gateway.port(), connections, o.rampPerSecond(), failures);
      double rampSeconds = (System.nanoTime() - rampStart) / 1e9;
      log("ramp: %d of %d connected in %.1f s (%d refused)", n - refused, n, rampSeconds, refused);

      int slices = o.echoEverySeconds() * 10;
      AtomicInteger tick = new AtomicInteger();
      long echoTimer = clientVertx.setPeriodic(100, t -> {
        for (int i = tick.getAndIncrement() % slices; i < n; i += slices) {
          connections[i].sendEcho();
        }
      });

      long soakStart = System.nanoTime();
      long durationNanos = o.duration().toNanos();
      long sampleNanos = TimeUnit.SECONDS.toNanos(o.sampleSeconds());
      latency.start();
      long relayedStart = relayed(connections);
      rss.sample("start", 0);
      progress(rss, connections);
      boolean midTaken = false;
      for (long next = sampleNanos; next < durationNanos; next += sampleNanos) {
        LockSupport.parkNanos(soakStart + next - System.nanoTime());
        boolean mid = !midTaken && next * 2 >= durationNanos;
        midTaken |= mid;
        rss.sample(mid ? "mid" : "", next / 1e9);
        progress(rss, connections);
      }
      LockSupport.parkNanos(soakStart + durationNanos - System.nanoTime());
      rss.sample("end", durationNanos / 1e9);
      long relayedEnd = relayed(connections);
      progress(rss, connections);

      clientVertx.cancelTimer(echoTimer);
      Await.result(upstream.stopBroadcast());
      BroadcastUpstream.Snapshot sent = Await.result(upstream.snapshot());
      quiesce(connections, sent);

      Integer exitedEarly = gateway.exitedWith();
      String before = gateway.metrics();
      double activeBeforeClose = GatewayProcess.sum(before, "wsgate_sessions_active", "");
      double closedBeforeClose = GatewayProcess.sum(before, "wsgate_sessions_closed_total", "");
      double rejected = GatewayProcess.sum(before, "wsgate_handshakes_total", "outcome=\"rejected\"");
      double reloads = GatewayProcess.sum(before, "wsgate_policy_reloads_total", "");
      double handshakeMeanMs = 1000 * GatewayProcess.sum(before, "wsgate_handshake_duration_seconds_sum", "accepted")
          / GatewayProcess.sum(before, "wsgate_handshake_duration_seconds_count", "accepted");

      Await.result(upstream.expectCloses());
      List<Future<Void>> closes = new ArrayList<>();
      for (SoakConnection c : connections) {
        c.expectClose();
        WebSocket ws = c.socket();
        if (ws != null && !ws.isClosed()) {
          closes.add(ws.close((short) 1000, "soak done"));
        }
      }
      Future.join(closes).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      double activeAfterClose = awaitNoSessions(gateway);
      String after = gateway.metrics();
      double relayedToClients = GatewayProcess.sum(after, "wsgate_messages_total", "direction=\"to_client\"");
      double peerClosed = GatewayProcess.sum(after, "wsgate_sessions_closed_total", "reason=\"peer_closed\"");
      double auditDropped = GatewayProcess.sum(after, "wsgate_audit_dropped_total", "");
      boolean stopped = gateway.stop();
      String audit = stopped ? gateway.verifyAudit() : "FAILED gateway did not stop";
      Await.result(client.close());
      Await.result(clientVertx.close());
      Await.result(upstream.close());
      Await.result(upstreamVertx.close());

      Tally t = Tally.of(connections, sent);
      long expectedToClients = t.sent + t.echoesReceived;
      check(failures, exitedEarly == null, "the gateway exited during the soak with code " + exitedEarly);
      check(failures, refused == 0, "connections refused or failed: " + refused);
      check(failures, t.unexpectedCloses == 0 && t.upstreamClosedEarly == 0,
          "unexpected closes: " + t.unexpectedCloses + " client side, " + t.upstreamClosedEarly + " upstream side"
              + (t.closeDetails.isEmpty() ? "" : " " + t.closeDetails));
      check(failures, t.lost == 0 && t.missing == 0, "broadcasts lost: " + t.lost + " gaps, " + t.missing + " never arrived");
      check(failures, t.reordered == 0 && t.surplus == 0 && t.wrongStart == 0,
          "broadcasts reordered or duplicated: " + t.reordered + ", surplus " + t.surplus + ", wrong first " + t.wrongStart);
      check(failures, t.echoesLost == 0 && t.echoesOutOfOrder == 0,
          "echoes lost: " + t.echoesLost + ", out of order: " + t.echoesOutOfOrder);
      check(failures, sent.badRequests() == 0, "upstream saw bad or duplicate ids: " + sent.badRequests());
      check(failures, activeBeforeClose == n - refused && closedBeforeClose == 0 && rejected == 0,
          "gateway before close: active " + fmt(activeBeforeClose) + ", closed " + fmt(closedBeforeClose)
              + ", rejected handshakes " + fmt(rejected));
      check(failures, activeAfterClose == 0 && peerClosed == n - refused,
          "gateway after close: active " + fmt(activeAfterClose) + ", peer_closed " + fmt(peerClosed));
      check(failures, relayedToClients == expectedToClients,
          "gateway relayed " + fmt(relayedToClients) + " messages to clients, clients got " + expectedToClients);
      check(failures, reloads == 0, "the gateway reloaded its policy " + fmt(reloads) + " times (nothing changed it)");
      check(failures, auditDropped == 0, "audit records dropped: " + fmt(auditDropped));
      check(failures, audit.startsWith("OK"), "audit verify: " + audit);
      // Flat memory: the live heap may not grow by more than 10 % (or 16 MiB) during the soak, nor RSS
      // by more than 20 % (or 64 MiB). Over the full soak (2.4 million messages) a leak of a few tens of
      // bytes per message exceeds the heap bound.
      long heapStart = rss.heap("start");
      long heapEnd = rss.heap("end");
      check(failures, heapStart < 0 || heapEnd <= heapStart + Math.max(16, heapStart / 10),
          "gateway live heap grew from " + heapStart + " to " + heapEnd + " MiB");
      check(failures, rss.get("end") <= rss.get("start") + Math.max(64, rss.get("start") / 5),
          "gateway RSS grew from " + rss.get("start") + " to " + rss.get("end") + " MiB");

      System.out.println();
      System.out.println("== soak summary ==");
      summary("connections", "%d of %d (ramp %.1f s at %d/s)", n - refused, n, rampSeconds, o.rampPerSecond());
      summary("duration", "%d s, broadcast every %d ms (%d ticks)", o.duration().toSeconds(), o.intervalMs(), sent.ticks());
      summary("broadcasts delivered", "%d of %d sent", t.received, t.sent);
      summary("echoes delivered", "%d of %d sent", t.echoesReceived, t.echoesSent);
      summary("lost / reordered", "%d / %d (echoes %d / %d)", t.lost + t.missing, t.reordered + t.surplus,
          t.echoesLost, t.echoesOutOfOrder);
      summary("unexpected closes", "%d", t.unexpectedCloses + t.upstreamClosedEarly);
      if (t.orphans > 0) {
        summary("refused, upstream side", "%d upstream sessions of refused clients were closed by the gateway"
            + " (it answered 504 before the upstream's late 101)", t.orphans);
      }
      summary("broadcast latency", "p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max bucket %.1f ms",
          latency.percentileMs(50), latency.percentileMs(99), latency.percentileMs(99.9), latency.percentileMs(100));
      summary("gateway RSS MiB", "idle %d, start %d, mid %d, end %d (end - start %+d)", rss.get("idle"), rss.get("start"),
          rss.get("mid"), rss.get("end"), rss.get("end") - rss.get("start"));
      summary("gateway live heap MiB", "idle %d, start %d, mid %d, end %d (after a full GC)", rss.heap("idle"),
          rss.heap("start"), rss.heap("mid"), rss.heap("end"));
      long heapPerConnection = (rss.heap("start") - rss.heap("idle")) * 1024 / Math.max(1, n - refused);
      long offHeapPerConnection = (rss.get("start") - rss.get("idle")) * 1024 / Math.max(1, n - refused);
      summary("per connection", "%d KiB live heap + %d KiB outside the heap (RSS start - idle, heap pre-touched)"
              + " = %d KiB; %.2f gateway fds", heapPerConnection, offHeapPerConnection,
          heapPerConnection + offHeapPerConnection,
          (rss.byLabel("start").gatewayFds() - rss.byLabel("idle").gatewayFds()) / (double) Math.max(1, n - refused));
      summary("gateway metrics", "%s relayed to clients, %s peer_closed, %s rejected handshakes, handshake mean %.1f ms",
          fmt(relayedToClients), fmt(peerClosed), fmt(rejected), handshakeMeanMs);
      summary("gateway stop + audit", "%s; %s", stopped ? "stopped on SIGTERM" : "did not stop", audit);
      RssSamples.Sample idle = rss.byLabel("idle");
      RssSamples.Sample start = rss.byLabel("start");
      RssSamples.Sample end = rss.byLabel("end");
      summary("gateway CPU", "%.1f s for the ramp (%.1f ms per connection), %.1f s for the soak (%.0f%% of one core,"
              + " %.1f µs per relayed message)", start.gatewayCpuSeconds() - idle.gatewayCpuSeconds(),
          1000 * (start.gatewayCpuSeconds() - idle.gatewayCpuSeconds()) / Math.max(1, n - refused),
          end.gatewayCpuSeconds() - start.gatewayCpuSeconds(),
          100 * (end.gatewayCpuSeconds() - start.gatewayCpuSeconds()) / o.duration().toSeconds(),
          1e6 * (end.gatewayCpuSeconds() - start.gatewayCpuSeconds()) / Math.max(1, relayedEnd - relayedStart));
      summary("driver CPU", "%.1f s in all (clients, upstream and checks share its JVM)", driverCpuSeconds());
      System.out.println("samples: s, gateway RSS MiB, live heap MiB, CPU s, gateway fds, driver fds");
      for (RssSamples.Sample s : rss.all()) {
        System.out.printf(Locale.ROOT, "  %6.0f  %5d  %5s  %7.1f  %6d  %6d  %s%n", s.atSeconds(), s.rssMb(),
            s.liveHeapMb() < 0 ? "" : Long.toString(s.liveHeapMb()), s.gatewayCpuSeconds(), s.gatewayFds(),
            s.driverFds(), s.label());
      }
      System.out.println(failures.isEmpty() ? "RESULT: PASS" : "RESULT: FAIL");
      failures.forEach(f -> System.out.println("  - " + f));
    } catch (Exception e) {
      e.printStackTrace();
      failures.add("driver error: " + e);
      System.out.println("RESULT: FAIL (" + e + ")");
    }
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /** Opens every connection at a bounded rate with a bounded number of handshakes in flight. */
  private static int ramp(WebSocketClient client, int port, SoakConnection[] connections, int perSecond,
      List<String> failures) throws InterruptedException {
    Semaphore inFlight = new Semaphore(MAX_HANDSHAKES_IN_FLIGHT);
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Map<String, Integer> reasons = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    for (int i = 0; i < connections.length; i++) {
      LockSupport.parkNanos(start + i * 1_000_000_000L / perSecond - System.nanoTime());
      inFlight.acquire();
      SoakConnection c = connections[i];
      client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setSsl(true)
          .setURI("/soak?id=" + i).setAllowOriginHeader(false)).onComplete(ar -> {
            if (ar.succeeded()) {
              c.attach(ar.result());
            } else {
              refused.incrementAndGet();
              reasons.merge(String.valueOf(ar.cause()), 1, Integer::sum);
            }
            done.incrementAndGet();
            inFlight.release();
          });
      if (i > 0 && i % 1000 == 0) {
        log("ramp: %d started", i);
      }
    }
    Await.until("every handshake answered", Duration.ofSeconds(120), () -> done.get() == connections.length);
    if (!reasons.isEmpty()) {
      failures.add("refusals by cause: " + new TreeMap<>(reasons));
    }
    return refused.get();
  }

  /** Waits until every broadcast the upstream sent and every echo has arrived (or 30 s pass). */
  private static void quiesce(SoakConnection[] connections, BroadcastUpstream.Snapshot sent) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (SoakConnection c : connections) {
        if (c.isOpen() && (c.received < sent.sent()[c.id] || c.echoesReceived < c.echoesSent)) {
          all = false;
          break;
        }
      }
      if (all) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private static double awaitNoSessions(GatewayProcess gateway) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    double active;
    do {
      active = GatewayProcess.sum(gateway.metrics(), "wsgate_sessions_active", "");
      if (active == 0) {
        return 0;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return active;
  }

  private static double driverCpuSeconds() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
  }

  /** Messages the gateway relayed so far, as the clients see them: a broadcast once, an echo twice. */
  private static long relayed(SoakConnection[] connections) {
    long total = 0;
    for (SoakConnection c : connections) {
      total += c.received + 2 * c.echoesReceived;
    }
    return total;
  }

  private static void progress(RssSamples rss, SoakConnection[] connections) {
    long received = 0;
    long lost = 0;
    int open = 0;
    for (SoakConnection c : connections) {
      received += c.received;
      lost += c.lost;
      open += c.isOpen() ? 1 : 0;
    }
    RssSamples.Sample s = rss.last();
    log("t=%4.0f s  open %d  broadcasts received %d  lost %d  gateway RSS %d MiB, %d fds", s.atSeconds(), open,
        received, lost, s.rssMb(), s.gatewayFds());
  }

  private static void check(List<String> failures, boolean ok, String what) {
    if (!ok) {
      failures.add(what);
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static void summary(String what, String format, Object... args) {
    System.out.printf(Locale.ROOT, "%-22s " + format + "%n", prepend(what + ":", args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  static void log(String format, Object... args) {
    System.out.println(Instant.now().toString().substring(11, 19) + " " + String.format(Locale.ROOT, format, args));
  }

  /** The per-connection results added up and reconciled with what the upstream sent. */
  private static final class Tally {
    long sent;
    long received;
    long lost;
    int upstreamClosedEarly;
    int orphans;
    long reordered;
    long missing;
    long surplus;
    long wrongStart;
    long echoesSent;
    long echoesReceived;
    long echoesLost;
    long echoesOutOfOrder;
    int unexpectedCloses;
    final List<String> closeDetails = new ArrayList<>();

    static Tally of(SoakConnection[] connections, BroadcastUpstream.Snapshot sent) {
      Tally t = new Tally();
      for (SoakConnection c : connections) {
        if (c.socket() == null) {
          t.orphans += sent.closedEarly()[c.id] ? 1 : 0;
          continue;
        }
        t.upstreamClosedEarly += sent.closedEarly()[c.id] ? 1 : 0;
        t.sent += sent.sent()[c.id];
        t.received += c.received;
        t.lost += c.lost;
        t.reordered += c.reordered;
        long expected = sent.sent()[c.id];
        t.missing += Math.max(0, expected - c.received);
        t.surplus += Math.max(0, c.received - expected);
        if (expected > 0 && c.firstSeq != sent.firstSeq()[c.id]) {
          t.wrongStart++;
        }
        t.echoesSent += c.echoesSent;
        t.echoesReceived += c.echoesReceived;
        t.echoesLost += Math.max(0, c.echoesSent - c.echoesReceived);
        t.echoesOutOfOrder += c.echoesOutOfOrder;
        if (c.closedUnexpectedly || c.closeDetail != null) {
          t.unexpectedCloses++;
          if (t.closeDetails.size() < 5) {
            t.closeDetails.add("#" + c.id + " " + c.closeDetail);
          }
        }
      }
      return t;
    }
  }

  private SoakDriver() {
  }
}
