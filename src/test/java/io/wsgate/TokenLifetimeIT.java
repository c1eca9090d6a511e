package io.wsgate;

import io.wsgate.limits.SubjectId;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.DevKeyIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session lives as long as its token: closed with 4001 when it expires, unless the client
 * re-authenticates in band with a fresh token for the same subject; a revoked subject is shut out.
 */
class TokenLifetimeIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Timers and the network: how early or late a close at exp may be observed. */
  private static final Duration EARLY = Duration.ofMillis(250);
  private static final Duration LATE = Duration.ofSeconds(3);

  @TempDir
  Path dir;

  private DevKeyIssuer issuer;

  private GatewayHarness gateway(EchoUpstream upstream, boolean reauth) {
    return gateway(upstream.url("/"), reauth);
  }

  private GatewayHarness gateway(String upstreamUrl, boolean reauth) {
    issuer = DevKeyIssuer.in(dir);
    RouteSecurity security = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), issuer.auth(reauth),
        MessageRules.NONE);
    return new GatewayHarness(TestPolicy.create().issuers(List.of(issuer.issuer()))
        .route("/chat", upstreamUrl).security(security).build());
  }

  /** A connected client: its text messages, and when and how it was closed. */
  private record Client(WebSocket ws, BlockingQueue<String> texts, CompletableFuture<Closed> closed) {
    record Closed(short code, String reason, Instant at) {
    }

    String next() throws InterruptedException {
      String text = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(text, "no message within " + WAIT);
      return text;
    }

    void roundTrip(String text) throws InterruptedException {
      ws.writeTextMessage(text);
      assertEquals(text, next());
    }

    Closed awaitClose() throws Exception {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static Client connect(GatewayHarness harness, String token) {
    WebSocket ws = Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + token)));
    BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    CompletableFuture<Client.Closed> closed = new CompletableFuture<>();
    ws.textMessageHandler(texts::add);
    ws.closeHandler(v -> closed.complete(new Client.Closed(ws.closeStatusCode(), ws.closeReason(), Instant.now())));
    return new Client(ws, texts, closed);
  }

  private static String reauth(String token) {
    return new JsonObject().put("wsgate", "reauth").put("token", token).encode();
  }

  private static void assertClosedAtExpiry(Client.Closed closed, Instant exp) {
    assertEquals(4001, closed.code());
    assertFalse(closed.at().isBefore(exp.minus(EARLY)), "closed at " + closed.at() + ", before exp " + exp);
    assertTrue(closed.at().isBefore(exp.plus(LATE)), "closed at " + closed.at() + ", long after exp " + exp);
  }

  private static List<String> upstreamTexts(EchoUpstream upstream) {
    return upstream.frames.stream().map(WebSocketFrame::textData).toList();
  }

  @Test
  void sessionIsClosedWith4001WhenItsTokenExpires() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, false)) {
      String token = issuer.mint("alice", Duration.ofSeconds(2));
      Instant exp = DevKeyIssuer.expiry(token);
      Client client = connect(harness, token);
      client.roundTrip("before expiry");

      assertClosedAtExpiry(client.awaitClose(), exp);
      assertEquals("4001 token expired", upstream.closes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      Await.until("metric counted",
          () -> harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_EXPIRED_CLOSE) == 1);
    }
  }

  @Test
  void reauthenticationExtendsTheSessionAndIsNotForwarded() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, true)) {
      String shortLived = issuer.mint("alice", Duration.ofSeconds(2));
      Instant exp = DevKeyIssuer.expiry(shortLived);
      Client renewed = connect(harness, shortLived);
      Client control = connect(harness, shortLived);

      String fresh = issuer.mint("alice", Duration.ofMinutes(5));
      renewed.ws().writeTextMessage(reauth(fresh));
      JsonObject answer = new JsonObject(renewed.next());
      assertEquals("reauth", answer.getString("wsgate"));
      assertEquals(true, answer.getBoolean("ok"));
      assertEquals(DevKeyIssuer.expiry(fresh), Instant.parse(answer.getString("expiresAt")));
      renewed.roundTrip("after reauth");

      // The session that did not re-authenticate ends at the first expiry; the other one outlives it.
      assertClosedAtExpiry(control.awaitClose(), exp);
      renewed.roundTrip("still here");
      assertTrue(Instant.now().isAfter(exp));
      assertFalse(renewed.closed().isDone());

      assertEquals(List.of("after reauth", "still here"), upstreamTexts(upstream),
          "the re-auth message never reached the upstream");
    }
  }

  @Test
  void lateReauthenticationExpiresAtTheFreshTokensExpNotEarlier() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, true)) {
      Client client = connect(harness, issuer.mint("alice", Duration.ofSeconds(3)));
      // Re-authenticate well into the session, so its age matters if the expiry is measured wrongly.
      Await.result(harness.clientVertx.timer(1500));
      String fresh = issuer.mint("alice", Duration.ofSeconds(3));
      Instant exp = DevKeyIssuer.expiry(fresh);
      client.ws().writeTextMessage(reauth(fresh));
      assertEquals(true, new JsonObject(client.next()).getBoolean("ok"));

      assertClosedAtExpiry(client.awaitClose(), exp);
    }
  }

  @Test
  void refusedReauthenticationEndsTheSession() throws Exception {
    List<String> attempts = List.of(
        reauth("not-a-token"),
        "{\"wsgate\":\"reauth\" but this is no JSON",
        "{\"wsgate\":\"reauth\",\"token\":42}");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, true)) {
      String token = issuer.mint("alice", Duration.ofMinutes(5));
      for (String attempt : attempts) {
        Client client = connect(harness, token);
        client.ws().writeTextMessage(attempt);
        JsonObject answer = new JsonObject(client.next());
        assertEquals("reauth", answer.getString("wsgate"));
        assertEquals(false, answer.getBoolean("ok"), attempt);
        assertEquals(1008, client.awaitClose().code(), attempt);
      }
      // A bad signature on an otherwise fine token for the same subject.
      Client client = connect(harness, token);
      String fresh = issuer.mint("alice", Duration.ofMinutes(5));
      client.ws().writeTextMessage(reauth(fresh.substring(0, fresh.length() - 4) + "AAAA"));
      assertEquals(false, new JsonObject(client.next()).getBoolean("ok"));
      assertEquals(1008, client.awaitClose().code());

      assertEquals(List.of(), upstreamTexts(upstream), "no re-auth attempt reached the upstream");
      Await.until("every refusal counted", () -> harness.gateway.services().audit().metrics()
          .outcomes(Reason.REAUTH_REJECTED) == attempts.size() + 1);
    }
  }

  @Test
  void revokedSubjectIsClosedAndShutOut() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, true)) {
      Client alice = connect(harness, issuer.mint("alice", Duration.ofMinutes(5)));
      Client bob = connect(harness, issuer.mint("bob", Duration.ofMinutes(5)));
      // A client sees 101 a moment before the gateway registers its session: a relayed message
      // shows it is registered.
      alice.roundTrip("alice is here");
      bob.roundTrip("bob is here");

      assertEquals(1, Await.result(harness.gateway.revokeSubject(new SubjectId(DevKeyIssuer.NAME, "alice"), Instant.now().plusSeconds(3600))));
      Client.Closed closed = alice.awaitClose();
      assertEquals(1008, closed.code());
      bob.roundTrip("bob is not affected");

      Throwable refused = Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Authorization", "Bearer " + issuer.mint("alice", Duration.ofMinutes(5)))));
      assertInstanceOf(UpgradeRejectedException.class, refused);
      assertEquals(401, ((UpgradeRejectedException) refused).getStatus());
      var metrics = harness.gateway.services().audit().metrics();
      assertEquals(1, metrics.outcomes(Reason.TOKEN_REVOKED));
      Await.until("close counted", () -> metrics.outcomes(Reason.SUBJECT_REVOKED) == 1);
    }
  }

  @Test
  void revokedSubjectCannotReauthenticate() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, true)) {
      String shortLived = issuer.mint("alice", Duration.ofSeconds(2));
      Instant exp = DevKeyIssuer.expiry(shortLived);
      Client client = connect(harness, shortLived);
      client.roundTrip("relayed, so the session is started and registered");
      // Only the revocation list, not revokeSubject (which would close the session at once): a
      // re-auth checks it too, so no fresh token can extend a revoked subject's session.
      harness.gateway.services().revocations().revoke(new SubjectId(DevKeyIssuer.NAME, "alice"), Instant.now().plusSeconds(3600));

      client.ws().writeTextMessage(reauth(issuer.mint("alice", Duration.ofMinutes(5))));
      assertEquals(false, new JsonObject(client.next()).getBoolean("ok"));
      Client.Closed closed = client.awaitClose();
      assertEquals(1008, closed.code());
      assertTrue(closed.at().isBefore(exp), "closed at the refusal, not left to run until exp");
    }
  }

  @Test
  void subjectRevokedWhileItsUpstreamConnectsIsClosedOnceAccepted() throws Exception {
    // An upstream that holds the gateway's upgrade until the test lets it through.
    Vertx upstreamVertx = Vertx.vertx();
    CompletableFuture<ServerWebSocketHandshake> held = new CompletableFuture<>();
    BlockingQueue<Short> upstreamCloses = new LinkedBlockingQueue<>();
    HttpServer upstream = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandshakeHandler(held::complete);
    Await.result(upstream.listen());
    try (GatewayHarness harness = gateway("ws://127.0.0.1:" + upstream.actualPort() + "/", false)) {
      CompletableFuture<Short> closed = new CompletableFuture<>();
      harness.connect(harness.options("/chat")
          .addHeader("Authorization", "Bearer " + issuer.mint("alice", Duration.ofMinutes(5))))
          .onComplete(ar -> {
            // On the client's event loop: the socket cannot close between these lines.
            if (ar.failed()) {
              closed.completeExceptionally(ar.cause());
            } else if (ar.result().isClosed()) {
              closed.complete(ar.result().closeStatusCode());
            } else {
              ar.result().closeHandler(v -> closed.complete(ar.result().closeStatusCode()));
            }
          });
      ServerWebSocketHandshake handshake = held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      // The token passed its checks; the session is not registered yet.
      assertEquals(0, Await.result(harness.gateway.revokeSubject(new SubjectId(DevKeyIssuer.NAME, "alice"), Instant.now().plusSeconds(3600))));
      upstreamVertx.runOnContext(v -> handshake.accept()
          .onSuccess(ws -> ws.closeHandler(c -> upstreamCloses.add(ws.closeStatusCode()))));

      assertEquals((short) 1008, closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      assertEquals((short) 1008, upstreamCloses.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    } finally {
      Await.result(upstreamVertx.close());
    }
  }
}
