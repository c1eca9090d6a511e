package io.wsgate.admin;

import io.wsgate.limits.SubjectId;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.Action;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.policy.TokenSource;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.StartedGateway;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin listener over real HTTP, in front of a real gateway with real upstreams and clients. */
class AdminApiIT {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-test-only";
  private static final String ISS = "https://idp.test/";

  @TempDir
  Path dir;

  private static AdminClient admin(GatewayHarness harness) {
    assertTrue(harness.gateway.adminPort() > 0, "admin listener bound");
    return new AdminClient(harness.gateway.adminPort());
  }

  @Test
  void metricsChangeAsTrafficFlows() throws Exception {
    RouteSecurity rules = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS,
        new MessageRules(List.of(
            new MessageRule.Patterns("watch", List.of("secret"), Action.DROP, Mode.MONITOR),
            new MessageRule.Size("size", 8, Action.DROP, Mode.ENFORCE)), List.of()));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .security(rules).admin(AdminSettings.loopback(0)).build())) {
      AdminClient admin = admin(harness);
      AdminClient.Metrics before = admin.metrics();
      assertEquals(0, before.value("wsgate_handshakes_total{outcome=\"accepted\",reason=\"none\"}"));
      assertEquals(0, before.sum("wsgate_messages_total{direction=\"to_upstream\"}"));
      assertEquals(0, before.sum("wsgate_sessions_active"));
      assertTrue(before.samples().containsKey("wsgate_handshakes_total{outcome=\"rejected\",reason=\"route_not_found\"}"),
          "every rejection reason is there from the start, at 0");
      assertTrue(before.text().contains("# TYPE wsgate_handshake_duration_seconds histogram"), before.text());

      WebSocket ws = Await.result(harness.connect("/chat"));
      BlockingQueue<String> texts = new LinkedBlockingQueue<>();
      ws.textMessageHandler(texts::add);
      ws.writeTextMessage("hi");
      assertEquals("hi", texts.poll(10, TimeUnit.SECONDS));
      ws.writeTextMessage("a secret"); // 8 bytes: passes, but the monitor rule would have refused it
      assertEquals("a secret", texts.poll(10, TimeUnit.SECONDS));
      ws.writeTextMessage("far too long"); // over 8 bytes: dropped, the client is told
      assertTrue(texts.poll(10, TimeUnit.SECONDS).contains("\"rule\":\"size\""));
      assertEquals(1, admin.metrics().sum("wsgate_sessions_active"));
      Await.result(ws.close());
      Await.until("session ended and counted", () -> harness.gateway.services().audit().metrics().closedTotal() == 1);

      UpgradeRejectedException refused = assertInstanceOf(UpgradeRejectedException.class,
          Await.failure(harness.connect("/nowhere")));
      assertEquals(404, refused.getStatus());

      AdminClient.Metrics after = admin.metrics();
      assertEquals(1, after.value("wsgate_handshakes_total{outcome=\"accepted\",reason=\"none\"}"));
      assertEquals(1, after.value("wsgate_handshakes_total{outcome=\"rejected\",reason=\"route_not_found\"}"));
      assertEquals(0, after.sum("wsgate_sessions_active"));
      assertEquals(1, after.sum("wsgate_sessions_closed_total{reason=\"peer_closed\"}"));
      assertEquals(2, after.sum("wsgate_messages_total{direction=\"to_upstream\"}"));
      assertEquals(2, after.sum("wsgate_messages_total{direction=\"to_client\"}"));
      assertEquals(10, after.sum("wsgate_message_bytes_total{direction=\"to_upstream\"}"));
      assertEquals(1, after.value("wsgate_message_refusals_total{action=\"drop\",reason=\"message_too_big\"}"));
      assertEquals(1, after.value("wsgate_monitor_hits_total{reason=\"pattern_denied\"}"));
      assertEquals(1, after.value("wsgate_handshake_duration_seconds_count{outcome=\"accepted\"}"));
      assertEquals(1, after.value("wsgate_handshake_duration_seconds_count{outcome=\"rejected\"}"));
      assertEquals(1, after.value("wsgate_upstream_connect_duration_seconds_count{outcome=\"ok\"}"));
      assertEquals(1, after.value("wsgate_upstream_connect_duration_seconds_bucket{outcome=\"ok\",le=\"+Inf\"}"));
      assertEquals(0, after.value("wsgate_audit_dropped_total"));
    }
  }

  @Test
  void sessionsAreListedPagedAndKilledWith1008() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .admin(AdminSettings.loopback(0)).build());
         AuditCapture audit = new AuditCapture()) {
      AdminClient admin = admin(harness);
      WebSocket first = Await.result(harness.connect("/chat"));
      BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
      first.textMessageHandler(echoes::add);
      first.writeTextMessage("hello");
      assertEquals("hello", echoes.poll(10, TimeUnit.SECONDS));
      WebSocket second = Await.result(harness.connect("/chat"));
      Await.until("two sessions", () -> harness.gateway.services().sessions().size() == 2);

      JsonObject all = admin.get("/sessions").json();
      assertEquals(2, all.getInteger("total"));
      assertEquals(100, all.getInteger("limit"));
      JsonArray sessions = all.getJsonArray("sessions");
      JsonObject oldest = sessions.getJsonObject(0);
      assertEquals(Set.of("id", "node", "subject", "issuer", "clientIp", "route", "listener", "upstream", "ageMs",
          "messagesToUpstream", "bytesToUpstream", "messagesToClient", "bytesToClient"), oldest.fieldNames());
      assertEquals("default", oldest.getString("listener"), "a listen: policy's one listener");
      assertEquals(harness.gateway.services().audit().node(), oldest.getString("node"), "the audit's node id");
      assertEquals("/chat", oldest.getString("route"));
      assertEquals("127.0.0.1", oldest.getString("clientIp"));
      assertEquals(1, oldest.getLong("messagesToUpstream"), "the oldest is the one that sent a message");
      assertEquals(5, oldest.getLong("bytesToClient"));
      assertTrue(oldest.getLong("ageMs") >= sessions.getJsonObject(1).getLong("ageMs"), "oldest first");

      JsonObject page = admin.get("/sessions?limit=1&offset=1").json();
      assertEquals(2, page.getInteger("total"));
      assertEquals(1, page.getJsonArray("sessions").size());
      assertEquals(sessions.getJsonObject(1).getString("id"), page.getJsonArray("sessions").getJsonObject(0).getString("id"));
      assertEquals(400, admin.get("/sessions?limit=1001").status());
      assertEquals(400, admin.get("/sessions?limit=0").status());
      assertEquals(400, admin.get("/sessions?offset=-1").status());
      assertEquals(1000, admin.get("/sessions?limit=1000").json().getInteger("limit"));

      CompletableFuture<String> closed = new CompletableFuture<>();
      first.closeHandler(v -> closed.complete(first.closeStatusCode() + " " + first.closeReason()));
      String id = oldest.getString("id");
      AdminClient.Response killed = admin.send(HttpMethod.DELETE, "/sessions/" + id, null);
      assertEquals(200, killed.status(), killed.body());
      assertEquals(new JsonObject().put("id", id).put("reason", "session_killed").put("closeCode", 1008), killed.json());
      assertEquals("1008 closed by an administrator", closed.get(10, TimeUnit.SECONDS));
      assertEquals("1008 closed by an administrator", upstream.closes.poll(10, TimeUnit.SECONDS));
      Await.until("one session left", () -> harness.gateway.services().sessions().size() == 1);
      assertEquals(1, admin.get("/sessions").json().getInteger("total"));
      assertEquals(false, second.isClosed());
      assertEquals(404, admin.send(HttpMethod.DELETE, "/sessions/0123456789abcdef0123456789abcdef", null).status());
      Await.until("closed by reason counted", () -> admin.metrics()
          .sum("wsgate_sessions_closed_total{reason=\"session_killed\"}") == 1);

      List<JsonObject> actions = audit.await("admin.action", list -> AuditCapture.has(list, "action", "session.kill",
          "target", id, "outcome", "ok") && AuditCapture.has(list, "action", "session.kill", "outcome", "not_found")
          && AuditCapture.has(list, "action", "sessions.list", "outcome", "bad_request"));
      assertTrue(actions.stream().anyMatch(e -> e.getString("action").equals("session.kill")
          && e.getString("target").equals(id) && e.getString("outcome").equals("ok")
          && e.getString("remoteIp").equals("127.0.0.1")), actions::toString);
      assertTrue(actions.stream().anyMatch(e -> e.getString("action").equals("session.kill")
          && e.getString("outcome").equals("not_found")), actions::toString);
      assertTrue(actions.stream().anyMatch(e -> e.getString("action").equals("sessions.list")
          && e.getString("outcome").equals("ok")), actions::toString);
      assertTrue(actions.stream().anyMatch(e -> e.getString("action").equals("sessions.list")
          && e.getString("outcome").equals("bad_request")), actions::toString);
    }
  }

  @Test
  void revokingASubjectClosesItsSessionsAndRefusesItsTokens() throws Exception {
    Path secret = Files.writeString(dir.resolve("hs.secret"), SECRET);
    Issuer issuer = new Issuer("hs", ISS, List.of("wsgate"), Set.of("HS256"),
        new KeySource(null, null, null, null, null, secret, null), Duration.ZERO, 8192, List.of("sub", "exp"));
    Auth auth = new Auth(false, List.of("hs"), List.of(new TokenSource(TokenSource.Kind.AUTHORIZATION, null)),
        List.of(), List.of(), Map.of(), "x-wsgate-subject", Map.of(), false, Mode.ENFORCE);
    RouteSecurity security = new RouteSecurity(null, new OriginRules(List.of("*"), true, true, Mode.ENFORCE), auth,
        MessageRules.NONE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(issuer))
             .route("/chat", upstream.url("/")).security(security).admin(AdminSettings.loopback(0)).build());
         AuditCapture audit = new AuditCapture()) {
      AdminClient admin = admin(harness);
      WebSocket alice = Await.result(harness.connect(harness.options("/chat")
          .addHeader("authorization", "Bearer " + token("alice"))));
      WebSocket bob = Await.result(harness.connect(harness.options("/chat")
          .addHeader("authorization", "Bearer " + token("bob"))));
      Await.until("two sessions", () -> harness.gateway.services().sessions().size() == 2);
      assertTrue(admin.get("/sessions").json().getJsonArray("sessions").stream()
          .anyMatch(s -> "alice".equals(((JsonObject) s).getString("subject"))));
      CompletableFuture<String> closed = new CompletableFuture<>();
      alice.closeHandler(v -> closed.complete(alice.closeStatusCode() + " " + alice.closeReason()));

      Instant before = Instant.now();
      AdminClient.Response revoked = admin.send(HttpMethod.POST, "/subjects/alice/revoke?for=10m", null);
      assertEquals(200, revoked.status(), revoked.body());
      JsonObject answer = revoked.json();
      assertEquals("alice", answer.getString("subject"));
      assertEquals(1, answer.getInteger("sessionsClosed"));
      Instant until = Instant.parse(answer.getString("until"));
      assertTrue(!until.isBefore(before.plus(Duration.ofMinutes(10)).minusMillis(1))
          && until.isBefore(Instant.now().plus(Duration.ofMinutes(10)).plusSeconds(1)), until::toString);
      assertEquals("1008 subject revoked", closed.get(10, TimeUnit.SECONDS));
      assertEquals(false, bob.isClosed());

      UpgradeRejectedException refused = assertInstanceOf(UpgradeRejectedException.class, Await.failure(
          harness.connect(harness.options("/chat").addHeader("authorization", "Bearer " + token("alice")))));
      assertEquals(401, refused.getStatus());

      // An explicit end time in the body; the default (one hour); and what is refused.
      String untilText = "2099-01-01T00:00:00Z";
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/bob/revoke", "{\"until\":\"" + untilText + "\"}")
          .status(), "more than a year ahead");
      String soon = Instant.now().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
      JsonObject bobRevoked = admin.send(HttpMethod.POST, "/subjects/bob/revoke", "{\"until\":\"" + soon + "\"}").json();
      assertEquals(soon, bobRevoked.getString("until"));
      assertEquals(1, bobRevoked.getInteger("sessionsClosed"));
      JsonObject carol = admin.send(HttpMethod.POST, "/subjects/carol/revoke", null).json();
      assertEquals(0, carol.getInteger("sessionsClosed"));
      long hour = Duration.between(Instant.now(), Instant.parse(carol.getString("until"))).toMinutes();
      assertTrue(hour >= 59 && hour <= 60, "default one hour, got " + hour + " minutes");
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/dave/revoke?for=soon", null).status());
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/dave/revoke", "{\"until\":\"yesterday\"}").status());
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/dave/revoke", "{\"until\":\"2001-01-01T00:00:00Z\"}").status());
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/dave/revoke", "[1]").status());
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/dave/revoke?for=1h", "{\"until\":\"" + soon + "\"}").status());
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/dave/revoke", "{\"for\":\"1h\"}").status());
      assertEquals(false, harness.gateway.services().revocations().isRevoked(new SubjectId("hs", "dave")));
      // Subjects are path segments: percent-encoded by the caller, decoded once by the gateway.
      assertEquals("auth0|x/y z", admin.send(HttpMethod.POST, "/subjects/auth0%7Cx%2Fy%20z/revoke", null).json()
          .getString("subject"));
      assertTrue(harness.gateway.services().revocations().isRevoked(new SubjectId("hs", "auth0|x/y z")));

      List<JsonObject> actions = audit.await("admin.action", list -> AuditCapture.has(list, "action", "subject.revoke",
          "target", "alice (hs)", "outcome", "ok") && AuditCapture.has(list, "action", "subject.revoke", "target", "dave (hs)",
          "outcome", "bad_request"));
      assertTrue(actions.stream().anyMatch(e -> e.getString("action").equals("subject.revoke")
          && e.getString("target").equals("alice (hs)") && e.getString("outcome").equals("ok")), actions::toString);
      assertTrue(actions.stream().anyMatch(e -> e.getString("action").equals("subject.revoke")
          && e.getString("target").equals("dave (hs)") && e.getString("outcome").equals("bad_request")), actions::toString);
    }
  }

  @Test
  void withATokenConfiguredEveryRequestNeedsIt() throws Exception {
    String token = "s3cr3t-admin-token-for-tests-only";
    Path file = Files.writeString(dir.resolve("admin.token"), token + "\n");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .admin(new AdminSettings(true, "127.0.0.1", 0, file, null)).build());
         AuditCapture audit = new AuditCapture()) {
      AdminClient admin = admin(harness);
      for (String path : List.of("/metrics", "/health", "/ready", "/sessions", "/nowhere")) {
        AdminClient.Response none = admin.get(path);
        assertEquals(401, none.status(), path);
        assertEquals("Bearer realm=\"wsgate-admin\"", none.headers().get("www-authenticate"));
        AdminClient.Response wrong = admin.get(path, "authorization", "Bearer " + token.replace('s', 'x'));
        assertEquals(401, wrong.status(), path);
        assertEquals("Bearer realm=\"wsgate-admin\", error=\"invalid_token\"", wrong.headers().get("www-authenticate"));
        assertEquals(401, admin.get(path, "authorization", "Bearer " + token + "x").status(), path);
        assertEquals(401, admin.get(path, "authorization", "Basic " + token).status(), path);
      }
      assertEquals(401, admin.send(HttpMethod.POST, "/subjects/alice/revoke", null).status());
      assertEquals(false, harness.gateway.services().revocations().isRevoked(new SubjectId("hs", "alice")));

      assertEquals(200, admin.get("/metrics", "authorization", "Bearer " + token).status());
      assertEquals(200, admin.get("/health", "authorization", "bearer " + token).status(), "the scheme is case-insensitive");
      assertEquals(new JsonObject().put("status", "UP"), admin.get("/health", "authorization", "Bearer " + token).json());
      assertEquals(404, admin.get("/nowhere", "authorization", "Bearer " + token).status());
      // With a token, the Host header is not what protects the API.
      assertEquals(200, admin.get("/health", "authorization", "Bearer " + token, "host", "admin.example.com").status());

      List<JsonObject> refused = audit.await("admin.action", list -> AuditCapture.has(list, "outcome", "unauthorized",
          "target", "POST /subjects/alice/revoke")).stream()
          .filter(e -> e.getString("outcome").equals("unauthorized")).toList();
      assertTrue(refused.stream().anyMatch(e -> e.getString("target").equals("POST /subjects/alice/revoke")), refused::toString);
      audit.events("admin.action").forEach(e -> assertTrue(!e.encode().contains(token.substring(0, 12)),
          "the token never reaches the audit: " + e));
    }
  }

  @Test
  void browsersAndRebindingHostsAreRefused() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .admin(AdminSettings.loopback(0)).build());
         AuditCapture audit = new AuditCapture()) {
      AdminClient admin = admin(harness);
      assertEquals(200, admin.get("/health").status());
      assertEquals(200, admin.get("/health", "host", "localhost").status());
      assertEquals(403, admin.get("/sessions", "host", "attacker.example").status());
      assertEquals(403, admin.send(HttpMethod.POST, "/subjects/alice/revoke", null, "origin", "https://evil.example")
          .status());
      assertEquals(false, harness.gateway.services().revocations().isRevoked(new SubjectId("hs", "alice")));
      assertEquals(2, audit.await("admin.action", list -> list.stream()
          .filter(e -> e.getString("outcome").equals("forbidden")).count() >= 2).stream()
          .filter(e -> e.getString("outcome").equals("forbidden")).count());
    }
  }

  @Test
  void readyReflectsTheListeners() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .shutdown(1001, Duration.ofSeconds(4), Duration.ofSeconds(10)).admin(AdminSettings.loopback(0)).build())) {
      AdminClient admin = admin(harness);
      AdminClient.Response ready = admin.get("/ready");
      assertEquals(200, ready.status());
      assertEquals(new JsonObject().put("status", "UP").put("checks", new JsonObject().put("policy", "UP")
          .put("listeners", "UP").put("audit", "UP").put("shutdown", "UP")), ready.json());

      // Two sessions: the drain closes the second one two seconds in, and the admin listener
      // outlives the client listeners, so readiness can be asked during the drain.
      Await.result(harness.connect("/chat"));
      Await.result(harness.connect("/chat"));
      Await.until("two sessions", () -> harness.gateway.services().sessions().size() == 2);
      var stopped = harness.gateway.stop();
      AdminClient.Response draining = admin.get("/ready");
      assertEquals(503, draining.status());
      assertEquals("DOWN", draining.json().getString("status"));
      // No readiness grace: the stop refuses upgrades at once, so both say so.
      assertEquals(new JsonArray().add("listeners").add("shutdown"), draining.json().getJsonArray("failed"));
      assertEquals("DOWN", draining.json().getJsonObject("checks").getString("listeners"));
      assertEquals(200, admin.get("/health").status(), "alive while draining");
      Await.result(stopped);
    }
  }

  @Test
  void anAdminPortInUseFailsTheStart() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness first = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .admin(AdminSettings.loopback(0)).build())) {
      Throwable failure = StartedGateway.startFailure(TestPolicy.create().route("/chat", upstream.url("/"))
          .admin(AdminSettings.loopback(first.gateway.adminPort())).build());
      assertTrue(failure instanceof java.net.BindException || String.valueOf(failure.getMessage()).contains("in use"),
          failure::toString);
    }
  }

  @Test
  void noAdminSectionNoAdminListener() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build())) {
      assertEquals(-1, harness.gateway.adminPort());
      assertNotEquals(-1, harness.port());
    }
  }

  private static String token(String subject) throws JOSEException {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .issuer(ISS).audience("wsgate").subject(subject)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build());
    jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }
}
