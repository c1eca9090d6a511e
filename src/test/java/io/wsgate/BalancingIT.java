package io.wsgate;

import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.wsgate.metrics.UpstreamGauges;
import io.wsgate.policy.Balancing;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RestartableUpstream;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Balancing through the real gateway to three real upstreams: leastConnections by live sessions,
 * hashing that keeps a subject on its member, health checks that bring a restarted member back
 * within one interval, and slow start for a member that came back.
 */
class BalancingIT {
  @TempDir
  Path dir;

  private static Balancing leastConnections() {
    return new Balancing(Balancing.Strategy.LEAST_CONNECTIONS, null, null, Duration.ZERO);
  }

  private static long open(EchoUpstream upstream) {
    return upstream.openSockets();
  }

  /** Sessions the gateway counts on each member of /chat, as /metrics reads them. */
  private static List<Integer> counted(GatewayHarness harness) {
    return harness.gateway.services().current().upstreamGauges().stream().map(UpstreamGauges.Member::sessions).toList();
  }

  private static boolean up(GatewayHarness harness, String member) {
    return harness.gateway.services().current().upstreamGauges().stream()
        .filter(m -> m.member().equals(member)).allMatch(UpstreamGauges.Member::up);
  }

  @Test
  void leastConnectionsPutsEachNewSessionOnTheMemberWithFewest() {
    try (EchoUpstream a = new EchoUpstream();
         EchoUpstream b = new EchoUpstream();
         EchoUpstream c = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/chat", a.url("/"), b.url("/"), c.url("/")).balancing(leastConnections()).build())) {
      List<WebSocket> clients = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        clients.add(Await.result(harness.connect("/chat")));
      }
      Await.until("6 upstream sessions", () -> open(a) + open(b) + open(c) == 6);
      assertEquals(List.of(2L, 2L, 2L), List.of(open(a), open(b), open(c)));
      assertEquals(List.of(2, 2, 2), counted(harness));

      // a's two sessions end (from the upstream's side): its count drops to 0, and the next two are a's.
      a.sockets.forEach(ServerWebSocket::close);
      Await.until("a's sessions released", () -> counted(harness).equals(List.of(0, 2, 2)));
      for (int i = 0; i < 2; i++) {
        clients.add(Await.result(harness.connect("/chat")));
      }
      Await.until("8 upstream sockets", () -> a.sockets.size() + b.sockets.size() + c.sockets.size() == 8);
      assertEquals(List.of(2L, 2L, 2L), List.of(open(a), open(b), open(c)));
      assertEquals(4, a.sockets.size(), "both new sessions went to a");

      // b's sessions end too: the next one goes to b, the only member below two.
      b.sockets.forEach(ServerWebSocket::close);
      Await.until("b's sessions released", () -> counted(harness).equals(List.of(2, 0, 2)));
      clients.add(Await.result(harness.connect("/chat")));
      Await.until("b got it", () -> open(b) == 1);
      assertEquals(List.of(2, 1, 2), counted(harness));
      clients.forEach(ws -> ws.close());
      Await.until("every session released", () -> counted(harness).equals(List.of(0, 0, 0)));
    }
  }

  @Test
  void aReloadChangesTheBalancingOfNewSessionsAndKeepsTheMembersCounts() throws Exception {
    try (EchoUpstream a = new EchoUpstream();
         EchoUpstream b = new EchoUpstream();
         EchoUpstream c = new EchoUpstream()) {
      String yaml = """
          listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [127.0.0.1/32] } }
          reload: { watch: false }
          routes:
            - path: /chat
              upstreams: ["%s", "%s", "%s"]
              origins: { allow: ["*"], allowMissing: true }
              auth: { anonymous: true }
              balance: %s
          shutdown: { drainWindow: 0s, drainTimeout: 10s }
          audit: { dir: "%s", flushInterval: 50ms }
          """;
      Path policies = java.nio.file.Files.createDirectories(dir.resolve("policies"));
      Path file = policies.resolve(io.wsgate.policy.PolicyLoader.FILE_NAME);
      java.nio.file.Files.writeString(file, yaml.formatted(a.url("/"), b.url("/"), c.url("/"), "roundRobin", dir.resolve("audit")));
      try (GatewayHarness harness = new GatewayHarness(io.wsgate.policy.PolicyLoader.load(policies))) {
        Await.result(harness.gateway.watchPolicy(3_600_000));
        List<WebSocket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          clients.add(Await.result(harness.connect("/chat")));
        }
        Await.until("one each, round-robin", () -> open(a) == 1 && open(b) == 1 && open(c) == 1);
        b.sockets.forEach(ServerWebSocket::close);
        c.sockets.forEach(ServerWebSocket::close);
        Await.until("b's and c's sessions released", () -> counted(harness).equals(List.of(1, 0, 0)));

        java.nio.file.Files.writeString(file, yaml.formatted(a.url("/"), b.url("/"), c.url("/"), "leastConnections",
            dir.resolve("audit")));
        assertEquals(io.wsgate.metrics.ReloadOutcome.OK, Await.result(harness.gateway.reload("test")).outcome());
        assertEquals(List.of(1, 0, 0), counted(harness), "a's live session still counts on the new snapshot's member");
        // Round-robin would start again at a; leastConnections skips it: a holds the only live session.
        for (int i = 0; i < 2; i++) {
          clients.add(Await.result(harness.connect("/chat")));
        }
        Await.until("b and c got one each", () -> open(b) == 1 && open(c) == 1);
        assertEquals(1, a.sockets.size(), "no new session on a");
        clients.forEach(WebSocket::close);
        Await.until("every session released", () -> counted(harness).equals(List.of(0, 0, 0)));
      }
    }
  }

  @Test
  void hashKeepsEachSubjectOnOneMemberAndAStoppedMemberMovesOnlyItsOwn() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    EchoUpstream b = new EchoUpstream();
    try (EchoUpstream a = new EchoUpstream();
         EchoUpstream c = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .route("/chat", a.url("/"), b.url("/"), c.url("/")).security(TestAuth.trusting("idp").route())
             .cooldown(Duration.ofMinutes(5))
             .balancing(new Balancing(Balancing.Strategy.HASH, Balancing.HashKey.SUBJECT, null, Duration.ZERO))
             .build())) {
      Map<String, EchoUpstream> byName = Map.of("a", a, "b", b, "c", c);
      Map<String, String> home = new HashMap<>();
      // 48 subjects: the ports, and so the members' hashes, differ each run; all three get some but for 1 run in 10^8.
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 48; i++) {
          String subject = "user-" + i;
          String landed = landing(harness, byName, idp.token(subject), subject);
          String first = home.putIfAbsent(subject, landed);
          assertEquals(first == null ? landed : first, landed, subject + " stays on one member");
        }
      }
      assertEquals(Set.of("a", "b", "c"), new HashSet<>(home.values()), "48 subjects spread over all three: " + home);

      b.close(); // b stops: its port refuses
      for (int i = 0; i < 48; i++) {
        String subject = "user-" + i;
        String landed = landing(harness, byName, idp.token(subject), subject);
        if (home.get(subject).equals("b")) {
          assertTrue(!landed.equals("b"), subject + " moved off the stopped member");
        } else {
          assertEquals(home.get(subject), landed, subject + " was not on b and does not move");
        }
      }
    } finally {
      b.close();
    }
  }

  @Test
  void hashedSubjectsReturnToTheirMemberOnceItsHealthCheckSeesItBack() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    Balancing hashed = new Balancing(Balancing.Strategy.HASH, Balancing.HashKey.SUBJECT,
        new Balancing.HealthCheck(Balancing.HealthCheck.Type.WEBSOCKET, "/health", Duration.ofMillis(500),
            Duration.ofMillis(500), 1, 2), Duration.ZERO);
    try (EchoUpstream a = new EchoUpstream();
         RestartableUpstream b = new RestartableUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .route("/chat", a.url("/"), b.url()).security(TestAuth.trusting("idp").route())
             .cooldown(Duration.ofMinutes(5)).balancing(hashed).build())) {
      Map<String, String> home = new HashMap<>();
      for (int i = 0; i < 24; i++) {
        home.put("user-" + i, onAOrB(harness, a, b, idp, "user-" + i));
      }
      assertTrue(home.containsValue("a") && home.containsValue("b"), "24 subjects over both: " + home);

      b.kill();
      Await.until("b seen down", () -> !up(harness, b.url()));
      for (String subject : home.keySet()) {
        assertEquals("a", onAOrB(harness, a, b, idp, subject), subject + " while b is down");
      }
      b.restart();
      Await.until("b seen up", () -> up(harness, b.url()));
      for (Map.Entry<String, String> e : home.entrySet()) {
        assertEquals(e.getValue(), onAOrB(harness, a, b, idp, e.getKey()), e.getKey() + " is back on its own member");
      }
    }
  }

  /** One session of {@code subject}, opened and closed: "a" or "b", by which upstream's count of sessions grew. */
  private static String onAOrB(GatewayHarness harness, EchoUpstream a, RestartableUpstream b, TestIssuer idp,
                               String subject) {
    long onA = sessions(a.uris);
    long onB = sessions(b.uris);
    WebSocket ws = Await.result(harness.connect(harness.options("/chat")
        .addHeader("authorization", "Bearer " + idp.token(subject))));
    Await.until(subject + " seen upstream", () -> sessions(a.uris) + sessions(b.uris) == onA + onB + 1);
    Await.result(ws.close());
    return sessions(a.uris) > onA ? "a" : "b";
  }

  /** Opens and closes one session of {@code subject}; which upstream saw it (by the subject header it was sent). */
  private static String landing(GatewayHarness harness, Map<String, EchoUpstream> upstreams, String token, String subject)
      throws Exception {
    WebSocket ws = Await.result(harness.connect(harness.options("/chat").addHeader("authorization", "Bearer " + token)));
    String landed = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (landed == null && System.nanoTime() < deadline) {
      for (Map.Entry<String, EchoUpstream> e : upstreams.entrySet()) {
        MultiMap seen = e.getValue().handshakes.poll();
        if (seen != null) {
          assertEquals(subject, seen.get("x-wsgate-subject"));
          landed = e.getKey();
        }
      }
    }
    assertTrue(landed != null, "an upstream saw " + subject);
    Await.result(ws.close());
    return landed;
  }

  @Test
  void aHealthCheckedMemberRestartedOnItsPortGetsTrafficWithinOneInterval() {
    Duration interval = Duration.ofMillis(500);
    Balancing checked = new Balancing(Balancing.Strategy.ROUND_ROBIN, null,
        new Balancing.HealthCheck(Balancing.HealthCheck.Type.WEBSOCKET, "/health", interval, interval, 1, 2),
        Duration.ZERO);
    try (RestartableUpstream upstream = new RestartableUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url())
             .cooldown(Duration.ofMinutes(5)).balancing(checked).build())) {
      Await.result(harness.connect("/chat")).close();
      upstream.kill();
      Await.until("the health check sees it down, with no client asking", () -> !up(harness, upstream.url()));
      assertTrue(Await.failure(harness.connect("/chat")) instanceof io.vertx.core.http.UpgradeRejectedException,
          "no member up: refused");

      long restarted = System.nanoTime();
      upstream.restart();
      Await.until("back in the pool", () -> up(harness, upstream.url()));
      WebSocket ws = Await.result(harness.connect("/chat"));
      long tookMs = Duration.ofNanos(System.nanoTime() - restarted).toMillis();
      // One interval, plus scheduling slack on a shared machine; its 5 min cool-down would otherwise hold it out.
      assertTrue(tookMs <= interval.toMillis() + 1000, "used again after " + tookMs + " ms");
      Await.until("its session is on the restarted upstream", () -> upstream.liveSessions() == 1);
      ws.close();
    }
  }

  /** A WebSocket upstream whose {@code GET /ready} answers {@link #status}; counts its sessions. */
  private static final class ReadyUpstream {
    final java.util.concurrent.atomic.AtomicInteger status = new java.util.concurrent.atomic.AtomicInteger(200);
    final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
    final String url;

    ReadyUpstream(io.vertx.core.Vertx vertx) {
      io.vertx.core.http.HttpServer server = Await.result(vertx.createHttpServer(
              new io.vertx.core.http.HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(request -> {
            if (request.canUpgradeToWebSocket()) {
              request.toWebSocket().onSuccess(ws -> sessions.incrementAndGet());
              return;
            }
            asked.incrementAndGet();
            request.response().setStatusCode(request.path().equals("/ready") ? status.get() : 404).end();
          })
          .listen());
      url = "ws://127.0.0.1:" + server.actualPort() + "/";
    }
  }

  @Test
  void anHttpHealthCheckTakesAMemberOutWhileItsEndpointSaysNotReady() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      ReadyUpstream a = new ReadyUpstream(vertx);
      ReadyUpstream b = new ReadyUpstream(vertx);
      Balancing checked = new Balancing(Balancing.Strategy.ROUND_ROBIN, null,
          new Balancing.HealthCheck(Balancing.HealthCheck.Type.HTTP, "/ready", Duration.ofMillis(500),
              Duration.ofMillis(500), 1, 2), Duration.ZERO);
      try (GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", a.url, b.url)
          .balancing(checked).build())) {
        Await.until("b's readiness asked", () -> b.asked.get() > 0);
        b.status.set(503);
        Await.until("b down: 503 is not ready", () -> !up(harness, b.url));
        for (int i = 0; i < 4; i++) {
          Await.result(Await.result(harness.connect("/chat")).close());
        }
        assertEquals(0, b.sessions.get(), "no session on a member its check says is down");
        assertEquals(4, a.sessions.get());

        b.status.set(200);
        Await.until("b up again", () -> up(harness, b.url));
        for (int i = 0; i < 4; i++) {
          Await.result(Await.result(harness.connect("/chat")).close());
        }
        assertEquals(2, b.sessions.get(), "round-robin over both again");
        assertTrue(up(harness, a.url), "a answered 200 throughout");
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  private static long sessions(java.util.Collection<String> uris) {
    return uris.stream().filter("/"::equals).count();
  }

  @Test
  void aMemberInSlowStartGetsASmallShareOfNewSessions() {
    Balancing slow = new Balancing(Balancing.Strategy.ROUND_ROBIN, null,
        new Balancing.HealthCheck(Balancing.HealthCheck.Type.WEBSOCKET, "/health", Duration.ofMillis(500),
            Duration.ofMillis(500), 1, 2),
        Duration.ofMinutes(20));
    try (EchoUpstream a = new EchoUpstream();
         EchoUpstream b = new EchoUpstream();
         RestartableUpstream c = new RestartableUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/chat", a.url("/"), b.url("/"), c.url()).balancing(slow).build())) {
      c.kill();
      Await.until("c seen down", () -> !up(harness, c.url()));
      c.restart();
      Await.until("c back, in slow start", () -> up(harness, c.url()));
      for (int i = 0; i < 42; i++) {
        Await.result(Await.result(harness.connect("/chat")).close());
      }
      // Each member's URL has the path "/", which sessions are sent to; the checks ask for /health.
      Await.until("every session seen upstream", () -> sessions(a.uris) + sessions(b.uris) + sessions(c.uris) == 42);
      long onA = sessions(a.uris);
      long onB = sessions(b.uris);
      long onC = sessions(c.uris);
      // Weights 1, 1 and ~0.1: c gets about 2 of 42, where its steady share would be 14.
      assertTrue(onC >= 1 && onC <= 4, "c in slow start got " + onC + " of 42 (a " + onA + ", b " + onB + ")");
      assertTrue(onA >= 19 && onB >= 19, "a " + onA + ", b " + onB);
    }
  }
}
