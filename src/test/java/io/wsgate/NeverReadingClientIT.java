package io.wsgate;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayProcess;
import io.wsgate.testing.RawClient;
import io.wsgate.token.DevTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory bound per session, for every byte the gateway writes: clients that never read send,
 * as fast as TCP lets them, each kind of message that makes the gateway answer — re-authentication
 * (answered, within the session's budget), messages a rate rule drops (a notice each), messages the upstream
 * echoes (relayed), pings (a pong each) and frames that break the protocol (a close). The gateway
 * runs as its own process with a small heap, so its resident memory is its own: it must stay
 * within {@link #RSS_GROWTH_BOUND_MIB} of where it started, never run out of heap, close every such
 * session (its queue never drains: {@code limits.sendTimeout}, or the flood's own limit), balance
 * its audit trail, and serve an honest client throughout.
 */
class NeverReadingClientIT {
  private static final int CLIENTS_PER_KIND = 10;
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration ATTACK = Duration.ofSeconds(15);
  /**
   * The gateway's hard bounds: a heap and a direct-memory budget it may not exceed (Netty's pooled
   * buffers count against the latter). Exceeding either is an OutOfMemoryError, which fails the test.
   */
  private static final int HEAP_MIB = 96;
  private static final int DIRECT_MIB = 128;
  /**
   * What the 50 sessions may add to the resident set on top of the pre-touched heap: the direct
   * budget plus malloc and code-cache growth (measured 87-120 MiB; the pooled allocator keeps what it
   * once used, so this is the high-water mark of the pool, not memory held per session).
   */
  private static final long RSS_GROWTH_BOUND_MIB = 160;
  private static final String ISSUER = "https://wsgate.test/dev";

  @TempDir
  Path tmp;

  private enum Kind {
    REAUTH("/reauth", Set.of("reauth_flood")),
    DROPPED("/rated", Set.of("client_not_reading")),
    ECHOED("/reauth", Set.of("client_not_reading")),
    PINGS("/reauth", Set.of("control_frame_flood", "client_not_reading")),
    BAD_FRAMES("/reauth", Set.of("protocol_error"));

    final String path;
    final Set<String> closeReasons;

    Kind(String path, Set<String> closeReasons) {
      this.path = path;
      this.closeReasons = closeReasons;
    }
  }

  @Test
  void clientsThatNeverReadAreClosedAndTheGatewaysMemoryStaysBounded() throws Exception {
    Path audit = tmp.resolve("audit");
    Path jwk = tmp.resolve("dev-issuer.jwk.json");
    Vertx upstreamVertx = Vertx.vertx();
    try {
      HttpServer upstream = Await.result(upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")
          .setPort(0)).webSocketHandler(NeverReadingClientIT::echoWithBackpressure).listen());
      Path policies = Files.createDirectory(tmp.resolve("policies"));
      Files.writeString(policies.resolve("gateway.yaml"), policy("ws://127.0.0.1:" + upstream.actualPort() + "/", jwk, audit));
      GatewayProcess gateway = GatewayProcess.start(policies, tmp.resolve("gateway.log"), "-Xms" + HEAP_MIB + "m",
          "-Xmx" + HEAP_MIB + "m", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=" + DIRECT_MIB + "m");
      try {
        String token = DevTokens.mint(jwk, ISSUER, "wsgate", "alice", List.of(), Duration.ofMinutes(10));
        honestRoundTrip(gateway.port(), token);
        // A first, smaller round warms up what grows once per process (JIT code, buffer pool arenas),
        // so that the second round's growth is what the sessions themselves hold.
        int warmUp = attack(gateway, audit, token, 2, 1, null);
        long baselineKiB = gateway.rssKiB();
        AtomicLong peakKiB = new AtomicLong(baselineKiB);
        int sessions = attack(gateway, audit, token, CLIENTS_PER_KIND, warmUp + 1, peakKiB);
        honestRoundTrip(gateway.port(), token);

        long growthMiB = (peakKiB.get() - baselineKiB) / 1024;
        System.out.printf("never-reading clients: %d sessions, gateway RSS %d MiB -> peak %d MiB (+%d MiB, bound %d)%n",
            sessions, baselineKiB / 1024, peakKiB.get() / 1024, growthMiB, RSS_GROWTH_BOUND_MIB);
        assertTrue(growthMiB <= RSS_GROWTH_BOUND_MIB, "RSS grew by " + growthMiB + " MiB");
        String log = gateway.log();
        assertFalse(log.contains("OutOfMemoryError") || log.contains("OutOfDirectMemoryError"), log);

        gateway.process().destroy();
        assertTrue(gateway.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, gateway.process().exitValue(), gateway.log());
      } finally {
        gateway.process().destroyForcibly();
      }
      List<String> reasons = closedReasons(audit);
      Map<String, Integer> byReason = count(reasons);
      System.out.println("never-reading clients closed for: " + byReason);
      List<JsonObject> records = records(audit);
      long accepted = records.stream().filter(r -> "session.accepted".equals(r.getString("event"))).count();
      assertEquals(accepted, reasons.size(), "one session.closed per session.accepted");
      Set<String> expected = new java.util.HashSet<>(Set.of("peer_closed"));
      for (Kind kind : Kind.values()) {
        expected.addAll(kind.closeReasons);
      }
      assertTrue(expected.containsAll(byReason.keySet()), byReason.toString());
      assertTrue(byReason.getOrDefault("client_not_reading", 0) >= 2 * CLIENTS_PER_KIND,
          "the dropped and the echoed kinds end by the send timeout: " + byReason);
      AuditVerifier.Result verified = AuditVerifier.verify(AuditFileName.collect(List.of(audit)), null);
      assertTrue(verified.intact(), verified::problem);
    } finally {
      Await.result(upstreamVertx.close());
    }
  }

  /** A well-behaved upstream: echoes each frame, and stops reading while its own write queue is full. */
  private static void echoWithBackpressure(ServerWebSocket ws) {
    ws.drainHandler(v -> ws.resume());
    ws.frameHandler(frame -> {
      if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
        ws.writeFrame(frame);
        if (ws.writeQueueFull()) {
          ws.pause();
        }
      }
    });
  }

  /**
   * Starts {@code perKind} non-reading clients of each kind and waits until the gateway has closed
   * every one of them (the audit holds {@code closedBefore} + their count of session.closed).
   *
   * @return how many sessions the round opened
   */
  private static int attack(GatewayProcess gateway, Path audit, String token, int perKind, int closedBefore,
                            AtomicLong peakKiB) {
    List<Thread> attackers = new ArrayList<>();
    long deadline = System.nanoTime() + ATTACK.toNanos();
    for (Kind kind : Kind.values()) {
      for (int i = 0; i < perKind; i++) {
        Thread attacker = new Thread(() -> neverRead(gateway.port(), kind, token, deadline), "attacker-" + kind);
        attacker.setDaemon(true);
        attacker.start();
        attackers.add(attacker);
      }
    }
    int sessions = Kind.values().length * perKind;
    try {
      Await.until("every non-reading session closed", ATTACK.plus(Duration.ofSeconds(30)), () -> {
        if (peakKiB != null) {
          peakKiB.accumulateAndGet(rss(gateway), Math::max);
        }
        return closedReasons(audit).size() >= closedBefore + sessions && attackers.stream().noneMatch(Thread::isAlive);
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; closed so far: " + count(closedReasons(audit))
          + ", attackers alive: " + attackers.stream().filter(Thread::isAlive).map(Thread::getName).toList(), e);
    }
    return sessions;
  }

  private static Map<String, Integer> count(List<String> values) {
    Map<String, Integer> out = new TreeMap<>();
    values.forEach(v -> out.merge(v, 1, Integer::sum));
    return out;
  }

  private static long rss(GatewayProcess gateway) {
    try {
      return gateway.rssKiB();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Upgrades, then writes its kind of message until the gateway hangs up or the attack is over; never reads. */
  private static void neverRead(int port, Kind kind, String token, long deadline) {
    try (RawClient raw = new RawClient(port, false, 2048)) {
      raw.send(RawClient.upgrade(kind.path).replace("\r\n\r\n", "\r\nAuthorization: Bearer " + token + "\r\n\r\n"));
      if (RawClient.status(raw.readHead()) != 101) {
        return;
      }
      byte[] frame = switch (kind) {
        case REAUTH -> RawClient.frame(0x81, new JsonObject().put("wsgate", "reauth").put("token", token).encode()
            .getBytes(StandardCharsets.UTF_8), true);
        case DROPPED -> RawClient.frame(0x81, "hello!".getBytes(StandardCharsets.UTF_8), true);
        // Echoed back whole: the gateway's queue to this client fills within a few hundred writes.
        case ECHOED -> RawClient.frame(0x82, new byte[16 * 1024], true);
        case PINGS -> RawClient.frame(0x89, new byte[0], true);
        case BAD_FRAMES -> RawClient.frame(0x81, "unmasked".getBytes(StandardCharsets.UTF_8), false);
      };
      int copies = Math.max(1, 1024 / frame.length);
      byte[] batch = new byte[frame.length * copies];
      for (int i = 0; i < copies; i++) {
        System.arraycopy(frame, 0, batch, i * frame.length, frame.length);
      }
      while (System.nanoTime() < deadline) {
        raw.send(batch);
      }
    } catch (IOException e) {
      // the gateway hung up: what this client is waiting for
    }
  }

  private static void honestRoundTrip(int port, String token) throws IOException {
    try (RawClient raw = new RawClient(port, false)) {
      raw.send(RawClient.upgrade("/reauth").replace("\r\n\r\n", "\r\nAuthorization: Bearer " + token + "\r\n\r\n"));
      assertEquals(101, RawClient.status(raw.readHead()));
      raw.send(RawClient.frame(0x81, "still served".getBytes(StandardCharsets.UTF_8), true));
      assertEquals("still served", raw.readFrame().text());
      raw.send(RawClient.frame(0x88, new byte[] {0x03, (byte) 0xE8}, true));
      assertEquals(1000, raw.readCloseCode());
    }
  }

  private static List<JsonObject> records(Path audit) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (Path file : AuditFileName.collect(List.of(audit))) {
      for (String line : Files.readAllLines(file)) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  private static List<String> closedReasons(Path audit) {
    try {
      return records(audit).stream().filter(r -> "session.closed".equals(r.getString("event")))
          .map(r -> r.getString("reason")).toList();
    } catch (IOException | RuntimeException e) {
      return List.of(); // not written yet, or a line half written: poll again
    }
  }

  private static String policy(String upstreamUrl, Path jwk, Path audit) {
    return """
        listen:
          host: 127.0.0.1
          port: 0
          plain: true
          clients:
            allow: [127.0.0.1/32]
        issuers:
          dev:
            issuer: %s
            audiences: [wsgate]
            algorithms: [ES256]
            keys:
              jwkFile: %s
              generateDevKey: true
        routes:
          - path: /reauth
            upstreams: [%s]
            origins: { allow: ["*"], allowMissing: true }
            auth: { issuers: [dev], tokenFrom: [authorization], reauth: true }
          - path: /rated
            upstreams: [%s]
            origins: { allow: ["*"], allowMissing: true }
            auth: { issuers: [dev], tokenFrom: [authorization] }
            messages:
              toUpstream:
                - { name: rate, rate: { messages: 1/s, burst: 1, per: connection }, action: drop }
        limits:
          sendTimeout: %dms
        audit:
          dir: %s
          flushInterval: 100ms
        """.formatted(ISSUER, jwk, upstreamUrl, upstreamUrl, SEND_TIMEOUT.toMillis(), audit);
  }
}
