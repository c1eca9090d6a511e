package io.wsgate;

import io.wsgate.limits.SubjectId;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token guard on the wire: a real gateway trusting issuers whose keys are files in a temporary
 * directory (or a real JWKS endpoint), real signed tokens, and an upstream that records what it saw.
 */
class TokenGuardWireIT {
  @TempDir
  Path dir;

  static UpgradeRejectedException rejected(Throwable failure) {
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
  }

  static String bearer(String token) {
    return "Bearer " + token;
  }

  private static GatewayHarness gateway(EchoUpstream upstream, TestIssuer issuer, TestAuth auth) {
    return new GatewayHarness(TestPolicy.create().issuers(List.of(issuer.issuer()))
        .route("/chat", upstream.url("/")).security(auth.route()).build());
  }

  @Test
  void noTokenIs401WithABearerChallenge() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, TestAuth.trusting("idp"))) {
      UpgradeRejectedException refused = rejected(Await.failure(harness.connect("/chat")));
      assertEquals(401, refused.getStatus());
      String challenge = refused.getHeaders().get("www-authenticate");
      assertNotNull(challenge, "RFC 6750 §3: a 401 carries WWW-Authenticate");
      assertTrue(challenge.startsWith("Bearer "), challenge);
      assertFalse(challenge.contains("error="), "RFC 6750 §3.1: no error code without credentials: " + challenge);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_MISSING));
      assertEquals(0, upstream.handshakes.size(), "a refused client never reaches the upstream");
    }
  }

  @Test
  void hostileTokensAre401AndNeverReachTheUpstream() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    Instant now = Instant.now();
    String good = idp.token("alice");
    String[] parts = good.split("\\.");
    Map<String, String> hostile = new LinkedHashMap<>();
    hostile.put("garbage", "not-a-token");
    hostile.put("alg none", b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".");
    hostile.put("alg none with the real signature", b64("{\"alg\":\"none\"}") + "." + parts[1] + "." + parts[2]);
    // The key confusion attack: HMAC keyed with the RS256 issuer's public key, as PEM text and as DER.
    hostile.put("HS256 keyed with the public PEM", TestIssuer.sign(
        new MACSigner(TestIssuer.publicPem(TestIssuer.RSA).getBytes(StandardCharsets.US_ASCII)),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(TestIssuer.RSA.getKeyID()).build(),
        idp.claims("alice").build()));
    hostile.put("HS256 keyed with the public DER", TestIssuer.sign(
        new MACSigner(TestIssuer.RSA.toRSAPublicKey().getEncoded()),
        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(TestIssuer.RSA.getKeyID()).build(),
        idp.claims("alice").build()));
    hostile.put("not yet valid", idp.sign(idp.claims("alice").notBeforeTime(Date.from(now.plusSeconds(300))).build()));
    hostile.put("wrong iss", idp.sign(idp.claims("alice").issuer(TestIssuer.iss("evil")).build()));
    hostile.put("wrong aud", idp.sign(idp.claims("alice").audience("another-service").build()));
    hostile.put("unknown kid", TestIssuer.sign(new com.nimbusds.jose.crypto.RSASSASigner(TestIssuer.RSA_OTHER),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(TestIssuer.RSA_OTHER.getKeyID()).build(),
        idp.claims("alice").build()));
    hostile.put("known kid, other key", TestIssuer.sign(new com.nimbusds.jose.crypto.RSASSASigner(TestIssuer.RSA_OTHER),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(TestIssuer.RSA.getKeyID()).build(),
        idp.claims("alice").build()));
    hostile.put("oversized", idp.sign(idp.claims("alice").claim("pad", "x".repeat(5000)).build()));
    hostile.put("tampered payload", parts[0] + "." + b64(idp.claims("admin").build().toString()) + "." + parts[2]);
    hostile.put("truncated signature", good.substring(0, good.length() - 4));

    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, TestAuth.trusting("idp"))) {
      for (Map.Entry<String, String> token : hostile.entrySet()) {
        UpgradeRejectedException refused = rejected(Await.failure(harness.connect(harness.options("/chat")
            .addHeader("Authorization", bearer(token.getValue())))));
        assertEquals(401, refused.getStatus(), token.getKey());
        assertTrue(refused.getHeaders().get("www-authenticate").contains("error=\"invalid_token\""), token.getKey());
      }
      String expired = idp.sign(idp.claims("alice").issueTime(Date.from(now.minusSeconds(600)))
          .expirationTime(Date.from(now.minusSeconds(60))).build());
      assertEquals(401, rejected(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Authorization", bearer(expired))))).getStatus());

      var metrics = harness.gateway.services().audit().metrics();
      assertEquals(hostile.size(), metrics.outcomes(Reason.TOKEN_INVALID));
      assertEquals(1, metrics.outcomes(Reason.TOKEN_EXPIRED));
      assertEquals(0, upstream.handshakes.size(), "no refused token reaches the upstream");

      // The same gateway does admit the well-formed token: the refusals above are about the tokens.
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", bearer(good))));
      Await.until("the session is accepted", () -> metrics.acceptedTotal() == 1);
    }
  }

  @Test
  void bearerHeaderAdmitsAndTheUpstreamSeesTheVerifiedSubjectNotTheToken() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.sign(idp.claims("alice")
        .claim("tenant", "acme")
        .build());
    TestAuth auth = TestAuth.trusting("idp")
        .forwardClaims(Map.of("tenant", "x-wsgate-tenant", "note", "x-wsgate-note"));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, auth)) {
      Await.result(harness.connect(harness.options("/chat")
          .addHeader("Authorization", bearer(token))
          .addHeader("X-Wsgate-Subject", "mallory")
          .addHeader("X-Wsgate-Tenant", "evil-corp")
          .addHeader("X-Wsgate-Note", "forged")));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertNotNull(seen);
      assertEquals(List.of("alice"), seen.getAll("x-wsgate-subject"), "the client's copy is replaced");
      assertEquals(List.of("acme"), seen.getAll("x-wsgate-tenant"));
      assertEquals(List.of(), seen.getAll("x-wsgate-note"), "the token has no note: the forged copy is dropped");
      assertNull(seen.get("authorization"), "the credential stays at the gateway");
    }
  }

  @Test
  void identityValuesAreForwardedExactlyOrRefused() throws Exception {
    // Header bytes are ISO-8859-1 on the wire: anything past U+00FF used to become '?', so the
    // subjects "名前" and "東京" both reached the upstream as "??". RFC 9110 §5.5: new fields carry
    // visible US-ASCII, SP and HTAB only, and no whitespace at either end. A value that cannot
    // cross exactly is the token's fault: 401, before any upstream is dialled.
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    TestAuth auth = TestAuth.trusting("idp").forwardClaims(Map.of("tenant", "x-wsgate-tenant", "tier", "x-wsgate-tier"));
    List<String> refusedTenants = List.of("東京", "Zoë", "a\u2028b", " acme", "\tacme", "acme ", "hello\r\nX-Injected: yes");
    List<String> refusedSubjects = List.of("名前", "alice\r\nX-Injected: yes", " alice", "\talice", "alice ", "alice\t");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, auth)) {
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization",
          bearer(idp.sign(idp.claims("alice").claim("tenant", "tab\tand space ok").claim("tier", 2).build())))));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals("alice", seen.get("x-wsgate-subject"));
      assertEquals("2", seen.get("x-wsgate-tier"), "a number claim is forwarded as its JSON text");
      assertEquals("tab\tand space ok", seen.get("x-wsgate-tenant"));
      for (String tenant : refusedTenants) {
        var attempt = harness.connect(harness.options("/chat").addHeader("Authorization",
            bearer(idp.sign(idp.claims("alice").claim("tenant", tenant).build()))));
        assertEquals(401, rejected(Await.failure(attempt)).getStatus(), tenant);
      }
      for (String subject : refusedSubjects) {
        var attempt = harness.connect(harness.options("/chat").addHeader("Authorization", bearer(idp.token(subject))));
        assertEquals(401, rejected(Await.failure(attempt)).getStatus(), subject);
      }
      // Plain ASCII: fine, and no longer anyone else's name upstream.
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", bearer(idp.token("??")))));
      assertEquals("??", upstream.handshakes.poll(10, TimeUnit.SECONDS).get("x-wsgate-subject"));
      var metrics = harness.gateway.services().audit().metrics();
      assertEquals(refusedTenants.size(), metrics.outcomes(Reason.CLAIM_NOT_FORWARDABLE));
      assertEquals(refusedSubjects.size(), metrics.outcomes(Reason.SUBJECT_INVALID));
      assertEquals(0, upstream.handshakes.size(), "no refused token reached the upstream");
    }
  }

  @Test
  void authorizationIsForwardedOnlyWhenTheRouteListsIt() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.token("alice");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .route("/chat", false, List.of("authorization"), upstream.url("/"))
             .security(TestAuth.trusting("idp").route()).build())) {
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", bearer(token))));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals(bearer(token), seen.get("authorization"));
      assertEquals("alice", seen.get("x-wsgate-subject"));
    }
  }

  @Test
  void tokenInTheBearerSubprotocolIsAnsweredWithBearerAndNeverForwarded() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.token("alice");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, TestAuth.trusting("idp").sources(TestAuth.SUBPROTOCOL))) {
      WebSocket ws = Await.result(harness.connect(harness.options("/chat").setSubProtocols(List.of("bearer", token))));
      assertEquals("bearer", ws.subProtocol(), "a browser requires one of its own offers back, never the token");
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertNotNull(seen);
      String offers = String.join(",", seen.getAll("sec-websocket-protocol"));
      assertFalse(offers.contains(token), offers);
      assertFalse(offers.contains("bearer"), offers);
      assertEquals("alice", seen.get("x-wsgate-subject"));
    }
  }

  @Test
  void bearerSubprotocolNextToARealOneLetsTheUpstreamChooseWithoutSeeingTheToken() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.token("alice");
    try (EchoUpstream upstream = new EchoUpstream(List.of("chat.v1"));
         GatewayHarness harness = gateway(upstream, idp, TestAuth.trusting("idp").sources(TestAuth.SUBPROTOCOL))) {
      WebSocket ws = Await.result(harness.connect(harness.options("/chat")
          .setSubProtocols(List.of("bearer", token, "chat.v1"))));
      assertEquals("chat.v1", ws.subProtocol());
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals(List.of("chat.v1"), seen.getAll("sec-websocket-protocol"));
    }
  }

  @Test
  void queryTokenIsIgnoredUnlessTheRouteOptsIn() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.token("alice");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, TestAuth.trusting("idp"))) {
      assertEquals(401, rejected(Await.failure(harness.connect("/chat?access_token=" + token))).getStatus());
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_MISSING));
      assertEquals(0, upstream.handshakes.size());
    }
  }

  @Test
  void queryTokenWhenListedIsRemovedFromTheUpstreamUri() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.token("alice");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp,
             TestAuth.trusting("idp").sources(TestAuth.HEADER, TestAuth.query("access_token")))) {
      Await.result(harness.connect("/chat?room=42&access_token=" + token + "&lang=en"));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals("alice", seen.get("x-wsgate-subject"));
      String uri = upstream.uris.poll(10, TimeUnit.SECONDS);
      assertEquals("/?room=42&lang=en", uri);

      Await.result(harness.connect("/chat?access_token=" + token));
      assertEquals("/", upstream.uris.poll(10, TimeUnit.SECONDS), "nothing left: no dangling '?'");
    }
  }

  @Test
  void cookieTokenWorksAndTheForwardedCookieLacksIt() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    String token = idp.token("alice");
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, TestAuth.trusting("idp").sources(TestAuth.cookie("wsgate_at")))) {
      Await.result(harness.connect(harness.options("/chat")
          .addHeader("Cookie", "theme=dark; wsgate_at=" + token + "; lang=en")));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals("alice", seen.get("x-wsgate-subject"));
      assertEquals("theme=dark; lang=en", seen.get("cookie"));
      assertFalse(String.join(";", seen.getAll("cookie")).contains(token));
    }
  }

  @Test
  void pemAndHmacIssuersOnOneRoute() throws Exception {
    TestIssuer pem = TestIssuer.rsaPemFile("pem", dir);
    TestIssuer hmac = TestIssuer.hmacFile("hmac", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(pem.issuer(), hmac.issuer()))
             .route("/chat", upstream.url("/")).security(TestAuth.trusting("pem", "hmac").route()).build())) {
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", bearer(pem.token("alice")))));
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", bearer(hmac.token("bob")))));
      assertEquals("alice", upstream.handshakes.poll(10, TimeUnit.SECONDS).get("x-wsgate-subject"));
      assertEquals("bob", upstream.handshakes.poll(10, TimeUnit.SECONDS).get("x-wsgate-subject"));

      // An HS256 token claiming the RS256 issuer, keyed with that issuer's PEM text: refused.
      JWTClaimsSet claims = pem.claims("mallory").build();
      String confused = TestIssuer.sign(new MACSigner(TestIssuer.publicPem(TestIssuer.RSA)
          .getBytes(StandardCharsets.US_ASCII)), new JWSHeader(JWSAlgorithm.HS256), claims);
      assertEquals(401, rejected(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Authorization", bearer(confused))))).getStatus());
      // An HMAC token with the wrong secret: refused.
      String forged = TestIssuer.sign(new MACSigner("0123456789abcdef0123456789abcdef0123".getBytes(StandardCharsets.US_ASCII)),
          new JWSHeader(JWSAlgorithm.HS256), hmac.claims("mallory").build());
      assertEquals(401, rejected(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Authorization", bearer(forged))))).getStatus());
      assertEquals(2, harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_INVALID));
      assertEquals(0, upstream.handshakes.size());
    }
  }

  @Test
  void jwksIssuerServedByALocalHttpServer() throws Exception {
    Vertx jwksVertx = Vertx.vertx();
    AtomicInteger fetches = new AtomicInteger();
    // Starts with the first key only; the rotation adds the second.
    String[] served = {new JWKSet(TestIssuer.RSA).toPublicJWKSet().toString()};
    HttpServer jwks = jwksVertx.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      req.response().putHeader("content-type", "application/jwk-set+json").end(served[0]);
    });
    try {
      Await.result(jwks.listen(0, "127.0.0.1"));
      URI url = URI.create("http://127.0.0.1:" + jwks.actualPort() + "/.well-known/jwks.json");
      TestIssuer current = TestIssuer.jwks("remote", url, TestIssuer.RSA);
      TestIssuer rotated = TestIssuer.jwks("remote", url, TestIssuer.RSA_OTHER);
      try (EchoUpstream upstream = new EchoUpstream();
           GatewayHarness harness = gateway(upstream, current, TestAuth.trusting("remote"))) {
        Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", bearer(current.token("alice")))));
        assertEquals("alice", upstream.handshakes.poll(10, TimeUnit.SECONDS).get("x-wsgate-subject"));

        // A kid the endpoint does not serve (yet): refetched, still unknown, refused.
        assertEquals(401, rejected(Await.failure(harness.connect(harness.options("/chat")
            .addHeader("Authorization", bearer(rotated.token("bob")))))).getStatus());
        assertTrue(fetches.get() >= 2, "an unknown kid triggers a refetch: " + fetches.get());
        assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_INVALID));
        assertEquals(0, upstream.handshakes.size());
      }
    } finally {
      Await.result(jwksVertx.close());
    }
  }

  @Test
  void revokedSubjectIsClosedWith1008AndRefusedUntilTheRevocationEnds() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, idp, TestAuth.trusting("idp"))) {
      WebSocket alice = Await.result(harness.connect(harness.options("/chat")
          .addHeader("Authorization", bearer(idp.token("alice")))));
      WebSocket bob = Await.result(harness.connect(harness.options("/chat")
          .addHeader("Authorization", bearer(idp.token("bob")))));
      CompletableFuture<Short> aliceClosed = new CompletableFuture<>();
      alice.closeHandler(v -> aliceClosed.complete(alice.closeStatusCode()));
      CompletableFuture<Short> bobClosed = new CompletableFuture<>();
      bob.closeHandler(v -> bobClosed.complete(bob.closeStatusCode()));

      assertEquals(1, Await.result(harness.gateway.revokeSubject(new SubjectId("idp", "alice"), Instant.now().plusSeconds(60))));
      assertEquals((short) 1008, aliceClosed.get(10, TimeUnit.SECONDS));

      UpgradeRejectedException refused = rejected(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Authorization", bearer(idp.token("alice"))))));
      assertEquals(401, refused.getStatus());
      assertTrue(refused.getHeaders().get("www-authenticate").contains("error=\"invalid_token\""));
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_REVOKED));

      // Bob's session still relays, and bob can still connect.
      CompletableFuture<String> echo = new CompletableFuture<>();
      bob.textMessageHandler(echo::complete);
      Await.result(bob.writeTextMessage("still here"));
      assertEquals("still here", echo.get(10, TimeUnit.SECONDS));
      assertFalse(bobClosed.isDone());
      Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", bearer(idp.token("bob")))));
    }
  }

  @Test
  void revocationWhileTheUpstreamHandshakeIsInFlightStillEndsTheSession() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    CompletableFuture<Runnable> held = new CompletableFuture<>();
    try (RawUpstream upstream = new RawUpstream((socket, key) -> held.complete(
             () -> socket.write(RawUpstream.switchingProtocols(RawUpstream.acceptKey(key)))));
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .route("/chat", "ws://127.0.0.1:" + upstream.port() + "/").security(TestAuth.trusting("idp").route())
             .build())) {
      CompletableFuture<Short> closed = new CompletableFuture<>();
      var attempt = harness.connect(harness.options("/chat").addHeader("Authorization", bearer(idp.token("alice"))))
          .onSuccess(ws -> ws.closeHandler(v -> closed.complete(ws.closeStatusCode())));
      Runnable answer = held.get(10, TimeUnit.SECONDS); // alice passed the guards; the upstream has not answered
      assertEquals(0, Await.result(harness.gateway.revokeSubject(new SubjectId("idp", "alice"), Instant.now().plusSeconds(60))), "no live session yet");
      answer.run();
      Await.result(attempt);
      assertEquals((short) 1008, closed.get(10, TimeUnit.SECONDS), "revoked before the session began: closed at once");
      Await.until("the session ends, counted as a revocation",
          () -> harness.gateway.services().audit().metrics().outcomes(Reason.SUBJECT_REVOKED) == 1);
    }
  }

  private static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
