package io.wsgate;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.cli.Main;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real SIGTERM to a gateway process with 1,000 live sessions: every client gets
 * {@code 1001 gateway shutting down}, spread over the drain window, every upstream connection is
 * closed with 1001 too, the process exits 0 within the drain timeout, and the audit files it leaves
 * hold one {@code session.closed} (reason {@code shutdown}) for every {@code session.accepted},
 * in one intact hash chain that {@code audit verify} accepts.
 *
 * <p>The gateway runs from {@code target/wsgate.jar} (Failsafe runs after {@code package}), or from
 * this JVM's classpath when the jar is not there; the upstream and the clients live in this JVM.
 */
class SigtermDrainIT {
  private static final int SESSIONS = 1000;
  private static final Duration DRAIN_WINDOW = Duration.ofSeconds(2);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

  @TempDir
  Path tmp;

  @Test
  void sigtermWithAThousandLiveSessionsClosesEachWith1001AndLosesNoAuditRecord() throws Exception {
    Path audit = tmp.resolve("audit");
    try (EchoUpstream upstream = new EchoUpstream()) {
      Path policies = Files.createDirectory(tmp.resolve("policies"));
      Files.writeString(policies.resolve("gateway.yaml"), """
          listen:
            host: 127.0.0.1
            port: 0
            plain: true
            clients:
              allow: [127.0.0.1/32]
          routes:
            - path: /chat
              upstreams: [%s]
              origins: { allow: ["*"], allowMissing: true }
              auth: { anonymous: true }
          shutdown:
            closeCode: 1001
            drainWindow: %dms
            drainTimeout: %dms
          audit:
            dir: %s
          """.formatted(upstream.url("/"), DRAIN_WINDOW.toMillis(), DRAIN_TIMEOUT.toMillis(), audit));
      GatewayProcess gateway = GatewayProcess.start(policies, tmp.resolve("gateway.log"), "-Xmx256m");
      Vertx vertx = Vertx.vertx();
      try {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(2 * SESSIONS));
        ConcurrentLinkedQueue<String> closes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> closedAt = new ConcurrentLinkedQueue<>();
        AtomicInteger echoes = new AtomicInteger();
        List<WebSocket> sockets = new ArrayList<>();
        for (int batch = 0; batch < SESSIONS; batch += 100) {
          List<Future<WebSocket>> connecting = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            connecting.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/chat").setAllowOriginHeader(false)));
          }
          for (Future<WebSocket> f : connecting) {
            WebSocket ws = Await.result(f);
            ws.textMessageHandler(text -> echoes.incrementAndGet());
            ws.closeHandler(v -> {
              closedAt.add(System.nanoTime());
              closes.add(ws.closeStatusCode() + " " + ws.closeReason());
            });
            sockets.add(ws);
          }
        }
        // Every session relays both ways before the signal.
        for (WebSocket ws : sockets) {
          ws.writeTextMessage("live");
        }
        Await.until("an echo on every session", Duration.ofSeconds(60), () -> echoes.get() == SESSIONS);
        assertEquals(SESSIONS, upstream.sockets.size());

        long signalled = System.nanoTime();
        gateway.process().destroy(); // SIGTERM
        Await.until("every client closed", DRAIN_TIMEOUT, () -> closes.size() == SESSIONS);
        assertTrue(gateway.process().waitFor(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "exited within the drain timeout");
        long exitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
        assertEquals(0, gateway.process().exitValue(), "clean exit; log: " + gateway.log());

        Map<String, Integer> byClose = count(closes);
        assertEquals(Map.of("1001 gateway shutting down", SESSIONS), byClose);
        long spreadMs = TimeUnit.NANOSECONDS.toMillis(closedAt.stream().mapToLong(Long::longValue).max().getAsLong()
            - closedAt.stream().mapToLong(Long::longValue).min().getAsLong());
        assertTrue(spreadMs >= DRAIN_WINDOW.toMillis() / 2, "closes spread over the drain window: " + spreadMs + " ms");
        Await.until("every upstream connection closed", () -> upstream.closes.size() == SESSIONS);
        assertEquals(Map.of("1001", SESSIONS), count(upstream.closes.stream().map(c -> c.split(" ")[0]).toList()));
        System.out.printf("SIGTERM with %d sessions: closes spread over %d ms, process exited %d ms after the signal%n",
            SESSIONS, spreadMs, exitedMs);
      } finally {
        gateway.process().destroyForcibly();
        Await.result(vertx.close());
      }

      List<Path> files = AuditFileName.collect(List.of(audit));
      List<JsonObject> records = new ArrayList<>();
      for (Path file : files) {
        for (String line : Files.readAllLines(file)) {
          records.add(new JsonObject(line));
        }
      }
      Set<String> accepted = requestIds(records, "session.accepted");
      assertEquals(SESSIONS, accepted.size(), "every session.accepted");
      List<JsonObject> closed = records.stream().filter(r -> "session.closed".equals(r.getString("event"))).toList();
      assertEquals(SESSIONS, closed.size(), "one session.closed per session");
      assertEquals(accepted, requestIds(records, "session.closed"));
      assertTrue(closed.stream().allMatch(r -> "shutdown".equals(r.getString("reason"))
          && r.getInteger("clientCloseCode") == 1001 && r.getInteger("upstreamCloseCode") == 1001), "closed by the stop");
      AuditVerifier.Result result = AuditVerifier.verify(files, null);
      assertTrue(result.intact(), result::problem);
      assertEquals(records.size(), result.records());
      assertEquals(0, new CommandLine(new Main()).execute("audit", "verify", audit.toString()), "audit verify");
    }
  }

  private static Map<String, Integer> count(Iterable<String> values) {
    Map<String, Integer> out = new TreeMap<>();
    values.forEach(v -> out.merge(v, 1, Integer::sum));
    return out;
  }

  private static Set<String> requestIds(List<JsonObject> records, String event) {
    Set<String> ids = new TreeSet<>();
    records.stream().filter(r -> event.equals(r.getString("event"))).forEach(r -> ids.add(r.getString("requestId")));
    return ids;
  }
}
