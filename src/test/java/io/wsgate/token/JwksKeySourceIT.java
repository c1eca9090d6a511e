package io.wsgate.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.policy.Issuer;
import io.wsgate.Reason;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestCerts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.wsgate.token.TestTokens.RSA;
import static io.wsgate.token.TestTokens.RSA_2;
import static io.wsgate.token.TestTokens.claims;
import static io.wsgate.token.TestTokens.issuer;
import static io.wsgate.token.TestTokens.rs256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwksKeySourceIT {
  private static final Duration LONG = Duration.ofHours(1);
  private static final List<String> IDP = List.of("idp");

  private Vertx vertx;
  private JwksServer server;
  private final MutableClock clock = new MutableClock();
  private final List<TokenVerifier> verifiers = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server = JwksServer.start(vertx);
  }

  @AfterEach
  void stop() {
    verifiers.forEach(v -> Await.result(v.close()));
    server.close();
    Await.result(vertx.close());
  }

  private TokenVerifier verifier(Duration refresh, Duration minRefetch) {
    return verifier(server.uri(), refresh, minRefetch);
  }

  private TokenVerifier verifier(URI url, Duration refresh, Duration minRefetch) {
    TokenVerifier v = Await.result(TokenVerifier.create(vertx,
        List.of(issuer("idp", TestTokens.jwks(url, refresh, minRefetch), "RS256")), clock));
    verifiers.add(v);
    return v;
  }

  private static String withKid(String kid) {
    return TestTokens.sign(TestTokens.signer(RSA_2), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
        claims("alice").expirationTime(java.util.Date.from(java.time.Instant.now().plus(Duration.ofHours(1)))).build());
  }

  private static TokenRejection rejection(Future<VerifiedToken> f, String token) {
    TokenRejection r = assertInstanceOf(TokenRejection.class, Await.failure(f));
    TokenVerifierTest.assertNoTokenIn(r, token);
    return r;
  }

  @Test
  void keysAreFetchedAndUsed() {
    server.serve(RSA);
    TokenVerifier v = verifier(LONG, LONG);

    assertEquals("alice", Await.result(v.verify(rs256(RSA, claims("alice").build()), IDP)).subject());

    assertEquals(1, server.requests());
    assertEquals(1, v.jwksFetches("idp"));
    assertEquals(0, v.jwksFailures("idp"));
    assertEquals(0, v.jwksFetches("no-such-issuer"));
  }

  @Test
  void sharedSourcesKeepAnUnchangedIssuersKeysAcrossSnapshots() {
    server.serve(RSA_2);
    KeySources sources = KeySources.live(vertx, clock);
    try {
      Issuer idp = issuer("idp", TestTokens.jwks(server.uri(), LONG, LONG), "RS256");
      TokenVerifier first = Await.result(TokenVerifier.create(vertx, List.of(idp), sources));
      String token = withKid(RSA_2.getKeyID());
      Await.result(first.verify(token, IDP));
      int fetched = server.requests();

      // The next snapshot, same issuer definition: same cache, no fetch, keys at once.
      TokenVerifier second = Await.result(TokenVerifier.create(vertx, List.of(idp), sources));
      assertEquals("alice", Await.result(second.verify(token, IDP)).subject());
      assertEquals(fetched, server.requests(), "no refetch for an unchanged issuer");
      assertEquals(1, sources.size());

      // A changed key source is another cache; retainOnly closes the one no snapshot defines any more.
      Issuer changed = issuer("idp", TestTokens.jwks(server.uri(), LONG.plusSeconds(1), LONG), "RS256");
      Await.result(TokenVerifier.create(vertx, List.of(changed), sources));
      Await.until("the changed issuer fetched", () -> server.requests() > fetched);
      sources.retainOnly(List.of(changed));
      assertEquals(1, sources.size());
    } finally {
      Await.result(sources.close());
    }
  }

  @Test
  void aRotatedKeyIsPickedUpOnItsUnknownKid() {
    server.serve(RSA);
    TokenVerifier v = verifier(LONG, LONG);
    Await.result(v.verify(rs256(RSA, claims("alice").build()), IDP));
    server.serve(RSA_2); // rotation: rsa-1 retired, rsa-2 published

    assertEquals("bob", Await.result(v.verify(rs256(RSA_2, claims("bob").build()), IDP)).subject());
    assertEquals(2, server.requests());

    String retired = rs256(RSA, claims("alice").build());
    assertEquals(Reason.TOKEN_INVALID, rejection(v.verify(retired, IDP), retired).reason());
    assertEquals(2, server.requests(), "within jwksMinRefetch, an unknown kid does not fetch again");
  }

  @Test
  void unknownKidsRefetchAtMostOncePerInterval() {
    server.serve(RSA);
    TokenVerifier v = verifier(LONG, Duration.ofMinutes(1));
    Await.result(v.verify(rs256(RSA, claims("alice").build()), IDP));
    assertEquals(1, server.requests());

    List<Future<VerifiedToken>> burst = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      burst.add(v.verify(withKid("unknown-" + i), IDP));
    }
    for (Future<VerifiedToken> f : burst) {
      assertEquals(Reason.TOKEN_INVALID, ((TokenRejection) Await.failure(f)).reason());
    }
    assertEquals(2, server.requests(), "25 unknown kids, one refetch");

    clock.advance(Duration.ofSeconds(61));
    Await.failure(v.verify(withKid("unknown-late"), IDP));
    assertEquals(3, server.requests(), "after the interval, one more");
    assertEquals(3, v.jwksFetches("idp"));
  }

  @Test
  void concurrentVerificationsShareOneFetch() {
    server.serve(RSA).hold();
    TokenVerifier v = verifier(LONG, LONG);
    Await.until("the first fetch reached the server", () -> server.requests() == 1);

    List<Future<VerifiedToken>> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(v.verify(rs256(RSA, claims("user" + i).build()), IDP));
    }
    waiting.forEach(f -> assertFalse(f.isComplete(), "waits for the fetch in flight"));
    server.release();

    for (int i = 0; i < 10; i++) {
      assertEquals("user" + i, Await.result(waiting.get(i)).subject());
    }
    assertEquals(1, server.requests());
  }

  @Test
  void aVerificationWaitingForAFetchCompletesOnTheCallersContext() {
    server.serve(RSA).hold();
    TokenVerifier v = verifier(LONG, LONG);
    Context caller = vertx.getOrCreateContext();
    AtomicReference<Context> completedOn = new AtomicReference<>();
    caller.runOnContext(x -> v.verify(rs256(RSA, claims("alice").build()), IDP)
        .onComplete(ar -> completedOn.set(Vertx.currentContext())));
    Await.until("the fetch reached the server", () -> server.requests() == 1);
    server.release();

    Await.until("verification completed", () -> completedOn.get() != null);
    assertSame(caller, completedOn.get());

    Future<VerifiedToken> cached = v.verify(rs256(RSA, claims("alice").build()), IDP);
    assertTrue(cached.isComplete(), "with the keys cached, the answer is immediate");
  }

  @Test
  void whenTheEndpointGoesDownTheCachedKeysStillVerify() {
    server.serve(RSA);
    TokenVerifier v = verifier(LONG, LONG);
    String token = rs256(RSA, claims("alice").build());
    Await.result(v.verify(token, IDP));
    server.stop();

    String unknown = withKid("rotated-away");
    assertEquals(Reason.TOKEN_INVALID, rejection(v.verify(unknown, IDP), unknown).reason());
    assertEquals(1, v.jwksFailures("idp"), "the refetch failed and was counted");
    assertEquals(2, v.jwksFetches("idp"));
    assertEquals("alice", Await.result(v.verify(token, IDP)).subject());
  }

  @Test
  void garbageResponsesKeepTheCachedKeysAndCountAsFailures() {
    server.serve(RSA);
    TokenVerifier v = verifier(LONG, Duration.ofMinutes(1));
    // valid across the 14 minutes the clock moves below
    String token = rs256(RSA, claims("alice").expirationTime(java.util.Date.from(
        java.time.Instant.now().plus(Duration.ofHours(1)))).build());
    Await.result(v.verify(token, IDP));
    String tooBig = "{\"keys\":[" + " ".repeat(JwksKeySource.MAX_RESPONSE_BYTES) + "]}";
    List<Runnable> garbage = List.of(
        () -> server.respond(200, "<html>login</html>"),
        () -> server.respond(200, "{\"keys\":\"nope\"}"),
        () -> server.respond(200, "{\"keys\":[]}"),
        () -> server.respond(200, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\"}]}"),
        () -> server.respond(500, new com.nimbusds.jose.jwk.JWKSet(RSA_2).toPublicJWKSet().toString()),
        () -> server.respond(200, tooBig),
        () -> server.respondChunked(tooBig));

    long failures = 0;
    for (Runnable serve : garbage) {
      serve.run();
      clock.advance(Duration.ofMinutes(2));
      int before = server.requests();
      String unknown = withKid("rsa-2");
      rejection(v.verify(unknown, IDP), unknown);
      assertEquals(before + 1, server.requests(), "the unknown kid triggered a refetch");
      assertEquals(++failures, v.jwksFailures("idp"));
      assertEquals("alice", Await.result(v.verify(token, IDP)).subject(), "last good keys kept");
    }
  }

  @Test
  void withNoKeysEverFetchedTheAnswerIsKeysUnavailableUntilTheEndpointRecovers() {
    server.respond(503, "maintenance");
    TokenVerifier v = verifier(LONG, Duration.ofMinutes(1));
    String token = rs256(RSA, claims("alice").build());

    TokenRejection r = rejection(v.verify(token, IDP), token);
    assertEquals(Reason.TOKEN_KEYS_UNAVAILABLE, r.reason());
    assertEquals(503, r.reason().code());
    assertEquals(TokenRejection.TEMPORARILY_UNAVAILABLE, r.errorCode());
    assertEquals("signing keys of issuer idp unavailable", r.description());
    assertTrue(v.jwksFailures("idp") >= 1);

    server.serve(RSA);
    clock.advance(Duration.ofMinutes(2));
    assertEquals("alice", Await.result(v.verify(token, IDP)).subject());
  }

  @Test
  void anEndpointThatNeverAnsweredGivesKeysUnavailable() {
    URI url = server.uri();
    server.stop();
    TokenVerifier v = verifier(url, LONG, LONG);
    String token = rs256(RSA, claims("alice").build());

    assertEquals(Reason.TOKEN_KEYS_UNAVAILABLE, rejection(v.verify(token, IDP), token).reason());
    assertEquals(Reason.TOKEN_KEYS_UNAVAILABLE, rejection(v.verify(token, IDP), token).reason());
    assertEquals(v.jwksFetches("idp"), v.jwksFailures("idp"));
    assertTrue(v.jwksFailures("idp") >= 1);
  }

  @Test
  void backgroundRefreshBringsNewKeysAndCloseCancelsIt() {
    server.serve(RSA);
    TokenVerifier v = verifier(Duration.ofMillis(100), LONG);
    Await.result(v.verify(rs256(RSA, claims("alice").build()), IDP));
    Await.failure(v.verify(withKid("spend-the-on-demand-refetch"), IDP));
    server.serve(RSA, RSA_2);

    String next = rs256(RSA_2, claims("bob").build());
    Await.until("the background refresh brought rsa-2", () -> {
      Future<VerifiedToken> f = v.verify(next, IDP);
      return f.isComplete() && f.succeeded();
    });

    JwksKeySource source = v.jwks("idp");
    long timer = source.timerId();
    assertTrue(timer >= 0);
    Await.result(v.close());
    assertFalse(vertx.cancelTimer(timer), "close() already cancelled the refresh timer");
  }

  @Test
  void httpsIsCheckedAgainstTheJvmTrustStore() {
    AtomicInteger requests = new AtomicInteger();
    HttpServer tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(TestCerts.cert().toString()).setKeyPath(TestCerts.key().toString())))
        .requestHandler(r -> {
          requests.incrementAndGet();
          r.response().end(new com.nimbusds.jose.jwk.JWKSet(RSA).toPublicJWKSet().toString());
        });
    Await.result(tls.listen(0, "127.0.0.1"));
    TokenVerifier v = verifier(URI.create("https://localhost:" + tls.actualPort() + "/jwks"), LONG, LONG);
    String token = rs256(RSA, claims("alice").build());

    assertEquals(Reason.TOKEN_KEYS_UNAVAILABLE, rejection(v.verify(token, IDP), token).reason(),
        "a self-signed certificate is not in the JVM trust store");
    assertTrue(v.jwksFailures("idp") >= 1);
    assertEquals(0, requests.get());
    Await.result(tls.close());
  }

}
