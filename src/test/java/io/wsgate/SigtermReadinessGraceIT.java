package io.wsgate;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shutdown.readinessGrace} with a real SIGTERM to the packaged gateway: during the grace the
 * probes listener's {@code /ready} answers 503 ({@code shutdown} DOWN) while a new upgrade still
 * gets 101; once it is over, upgrades get 503 {@code draining}, every session (the one opened during
 * the grace too) is closed with 1001, the process exits 0, and the audit trail balances and verifies.
 */
class SigtermReadinessGraceIT {
  private static final Duration GRACE = Duration.ofSeconds(3);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Spreads the two closes over 4 s, so a session is still open (and the process alive) when the
   * test tries its upgrade after the grace; with no window the drain ended within milliseconds and
   * the process could exit before that upgrade was answered.
   */
  private static final Duration DRAIN_WINDOW = Duration.ofSeconds(4);

  @TempDir
  Path tmp;

  @Test
  void sigtermTurnsReadyDownForTheGraceWhileUpgradesAreStillAcceptedThenDrains() throws Exception {
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
          probes: { host: 127.0.0.1, port: 0 }
          shutdown:
            drainWindow: %dms
            drainTimeout: %dms
            readinessGrace: %dms
          audit:
            dir: %s
          """.formatted(upstream.url("/"), DRAIN_WINDOW.toMillis(), DRAIN_TIMEOUT.toMillis(), GRACE.toMillis(),
              audit));
      GatewayProcess gateway = GatewayProcess.start(policies, tmp.resolve("gateway.log"), "-Xmx128m");
      Vertx vertx = Vertx.vertx();
      try {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions chat = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
            .setURI("/chat").setAllowOriginHeader(false);
        AdminClient probes = new AdminClient(gateway.probesPort());
        assertEquals(200, probes.get("/ready").status(), "ready before the signal");
        CompletableFuture<String> before = closeOf(Await.result(client.connect(chat)));

        long signalled = System.nanoTime();
        gateway.process().destroy(); // SIGTERM
        AtomicReference<AdminClient.Response> ready = new AtomicReference<>();
        Await.until("/ready 503 after SIGTERM", GRACE, () -> {
          ready.set(probes.get("/ready"));
          return ready.get().status() == 503;
        });
        assertEquals(new JsonArray().add("shutdown"), ready.get().json().getJsonArray("failed"));
        assertEquals("UP", ready.get().json().getJsonObject("checks").getString("listeners"), "still accepting");
        assertEquals(200, probes.get("/health").status(), "alive");

        // Still within the grace (the gateway's began after the signal was sent): a new client gets 101.
        CompletableFuture<String> during = closeOf(Await.result(client.connect(chat)));
        long acceptedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
        assertTrue(acceptedMs < GRACE.toMillis(), "the upgrade was tried within the grace: " + acceptedMs + " ms");
        assertTrue(!before.isDone() && !during.isDone(), "live sessions carry on during the grace");

        // Once the grace is over the drain begins: the client listeners stop accepting, and /ready says so.
        Await.until("the drain to begin", GRACE.plus(Duration.ofSeconds(5)), () ->
            "DOWN".equals(probes.get("/ready").json().getJsonObject("checks").getString("listeners")));
        Throwable refused = Await.failure(client.connect(chat));
        long refusedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
        assertInstanceOf(UpgradeRejectedException.class, refused, String.valueOf(refused));
        assertEquals(503, ((UpgradeRejectedException) refused).getStatus());
        assertTrue(refusedMs >= GRACE.toMillis(), "not refused before the grace was over: " + refusedMs + " ms");

        assertEquals("1001 gateway shutting down", before.get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals("1001 gateway shutting down", during.get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(gateway.process().waitFor(GRACE.plus(DRAIN_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS), "exited");
        assertEquals(0, gateway.process().exitValue(), "clean exit; log: " + gateway.log());
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
      assertEquals(2, accepted.size(), "the session from before the signal and the one from the grace");
      assertEquals(accepted, requestIds(records, "session.closed"), "one session.closed per session.accepted");
      assertTrue(records.stream().anyMatch(r -> "draining".equals(r.getString("reason"))
          && !"session.closed".equals(r.getString("event"))), "the refused upgrade is audited as draining");
      AuditVerifier.Result result = AuditVerifier.verify(files, null);
      assertTrue(result.intact(), result::problem);
    }
  }

  private static CompletableFuture<String> closeOf(WebSocket ws) {
    CompletableFuture<String> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode() + " " + ws.closeReason()));
    return closed;
  }

  private static Set<String> requestIds(List<JsonObject> records, String event) {
    Set<String> ids = new TreeSet<>();
    records.stream().filter(r -> event.equals(r.getString("event"))).forEach(r -> ids.add(r.getString("requestId")));
    return ids;
  }
}
