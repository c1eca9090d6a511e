package io.wsgate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything the gateway logs (application log and audit log) while it admits and refuses tokens
 * in every source, and while a JWKS fetch fails, is free of tokens, JWT fragments and the HMAC secret.
 */
class SecretsNeverLoggedIT {
  @TempDir
  Path dir;

  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger audit = (Logger) LoggerFactory.getLogger("wsgate.audit");
  private Level rootLevel;
  private Level auditLevel;

  @BeforeEach
  void capture() {
    rootLevel = root.getLevel();
    auditLevel = audit.getLevel();
    root.setLevel(Level.INFO);
    audit.setLevel(Level.INFO);
    captured.start();
    root.addAppender(captured);
    audit.addAppender(captured);
  }

  @AfterEach
  void restore() {
    root.detachAppender(captured);
    audit.detachAppender(captured);
    captured.stop();
    root.setLevel(rootLevel);
    audit.setLevel(auditLevel);
  }

  @Test
  void noTokenSecretOrJwtFragmentReachesAnyLog() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    TestIssuer hmac = TestIssuer.hmacFile("hmac", dir);
    Vertx jwksVertx = Vertx.vertx();
    HttpServer failingJwks = jwksVertx.createHttpServer()
        .requestHandler(req -> req.response().setStatusCode(500).end("internal error"));
    Await.result(failingJwks.listen(0, "127.0.0.1"));
    TestIssuer remote = TestIssuer.jwks("remote", URI.create("http://127.0.0.1:" + failingJwks.actualPort() + "/jwks"),
        TestIssuer.RSA_OTHER);

    Instant now = Instant.now();
    String valid = idp.token("alice");
    String validHmac = hmac.token("bob");
    String expired = idp.sign(idp.claims("carol").issueTime(Date.from(now.minusSeconds(600)))
        .expirationTime(Date.from(now.minusSeconds(60))).build());
    String[] parts = validHmac.split("\\.");
    String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
    JWTClaimsSet forgedClaims = hmac.claims("mallory").build();
    String forged = TestIssuer.sign(new MACSigner("not-the-secret-not-the-secret-not-the-secret"
        .getBytes(StandardCharsets.US_ASCII)), new JWSHeader(JWSAlgorithm.HS256), forgedClaims);
    String unavailable = remote.token("dave");
    List<String> tokens = List.of(valid, validHmac, expired, tampered, forged, unavailable);

    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .issuers(List.of(idp.issuer(), hmac.issuer(), remote.issuer()))
             .route("/chat", upstream.url("/"))
             .security(TestAuth.trusting("idp", "hmac", "remote")
                 .sources(TestAuth.HEADER, TestAuth.SUBPROTOCOL, TestAuth.query("access_token")).route())
             .build())) {
      var metrics = harness.gateway.services().audit().metrics();
      List<WebSocket> sessions = new ArrayList<>();
      // Admitted, once per source.
      sessions.add(Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + valid))));
      sessions.add(Await.result(harness.connect(harness.options("/chat").setSubProtocols(List.of("bearer", validHmac)))));
      sessions.add(Await.result(harness.connect("/chat?access_token=" + valid)));
      // Refused, in every source.
      for (String bad : List.of(expired, tampered, forged)) {
        assertEquals(401, status(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + bad))));
        assertEquals(401, status(harness.connect(harness.options("/chat").setSubProtocols(List.of("bearer", bad)))));
        assertEquals(401, status(harness.connect("/chat?access_token=" + bad)));
      }
      // Keys unavailable: the JWKS endpoint answers 500, which the gateway logs.
      assertEquals(503, status(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + unavailable))));
      assertEquals(503, status(harness.connect("/chat?access_token=" + unavailable)));
      // Refused before the token guard, with the token in the request line.
      assertEquals(404, status(harness.connect("/elsewhere?access_token=" + valid)));
      try (RawClient raw = new RawClient(harness.port(), true)) {
        raw.send("GET /chat?access_token=" + valid + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + valid
            + "\r\n\r\n");
        assertEquals(426, RawClient.status(raw.readHead()));
      }
      assertEquals(9, metrics.outcomes(Reason.TOKEN_INVALID) + metrics.outcomes(Reason.TOKEN_EXPIRED));
      assertEquals(2, metrics.outcomes(Reason.TOKEN_KEYS_UNAVAILABLE));
      for (WebSocket ws : sessions) {
        Await.result(ws.close());
      }
      Await.until("the sessions' close is audited", () -> metrics.closedTotal() == 3);
    } finally {
      Await.result(jwksVertx.close());
    }

    List<String> lines = lines();
    assertTrue(lines.stream().anyMatch(l -> l.contains("handshake.rejected")), "the audit log was captured");
    assertTrue(lines.stream().anyMatch(l -> l.contains("session.accepted")), "the audit log was captured");
    assertTrue(lines.stream().anyMatch(l -> l.contains("JWKS fetch") && l.contains("remote")),
        "the JWKS failure was captured: " + lines);
    for (String line : lines) {
      for (String token : tokens) {
        assertFalse(line.contains(token), "a token in the log: " + line);
        for (String part : token.split("\\.")) {
          assertFalse(part.length() >= 16 && line.contains(part), "a token segment in the log: " + line);
        }
      }
      assertFalse(line.contains(hmac.secret()), "the HMAC secret in the log: " + line);
      assertFalse(line.contains("eyJ"), "a JWT fragment in the log: " + line);
    }
  }

  private static int status(io.vertx.core.Future<WebSocket> attempt) throws Exception {
    return attempt.toCompletionStage().toCompletableFuture().handle((ws, failure) -> {
      if (ws != null) {
        ws.close();
        return 101;
      }
      return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus();
    }).get(15, TimeUnit.SECONDS);
  }

  /** Each captured event's formatted message, arguments and throwable chain (messages), one string per event. */
  private List<String> lines() {
    List<ILoggingEvent> events;
    synchronized (captured) {
      events = new ArrayList<>(captured.list);
    }
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : events) {
      StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      }
      lines.add(line.toString());
    }
    return lines;
  }
}
