package io.wsgate;

import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JWKS endpoint that fails before the gateway ever had its keys, seen on the wire: a client
 * with a genuine token gets 503 {@code token_keys_unavailable} (audited, counted, the failed fetch
 * counted in {@code wsgate_jwks_failures_total}) and the upstream is never dialled. A slow endpoint,
 * silent or dripping its body, is cut at the issuer's {@code keys.fetchTimeout}.
 */
class JwksOutageIT {
  private static final String ISSUER = "remote";
  private static final Duration FETCH_TIMEOUT = Duration.ofMillis(600);

  private final FaultyJwks jwks = new FaultyJwks();
  private EchoUpstream upstream;
  private AuditCapture audit;

  @BeforeEach
  void start() {
    upstream = new EchoUpstream();
    audit = new AuditCapture();
  }

  @AfterEach
  void stop() {
    audit.close();
    upstream.close();
    jwks.close();
  }

  private GatewayHarness gateway(URI jwksUrl, Duration refresh) {
    Issuer issuer = new Issuer(ISSUER, TestIssuer.iss(ISSUER), List.of(TestIssuer.AUDIENCE), Set.of("RS256"),
        new KeySource(jwksUrl, refresh, Duration.ofMillis(100), FETCH_TIMEOUT, null, null, null, null),
        Duration.ZERO, 4096, List.of());
    return new GatewayHarness(TestPolicy.create().issuers(List.of(issuer))
        .route("/chat", upstream.url("/")).security(TestAuth.trusting(ISSUER).route())
        .admin(AdminSettings.loopback(0)).build());
  }

  private static WebSocketConnectOptions withToken(GatewayHarness harness) {
    String token = TestIssuer.jwks(ISSUER, URI.create("http://unused/"), TestIssuer.RSA).token("alice");
    return harness.options("/chat").addHeader("Authorization", "Bearer " + token);
  }

  /** One refused handshake: 503 with the reason's text, and nothing reached the upstream. */
  private static void assertKeysUnavailable(GatewayHarness harness) {
    Throwable failure = Await.failure(harness.connect(withToken(harness)));
    UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
    assertEquals(503, rejected.getStatus());
    Buffer body = rejected.getBody();
    assertEquals(Reason.TOKEN_KEYS_UNAVAILABLE.description() + "\n", body == null ? null : body.toString());
  }

  /** Counted, audited, the failed fetches visible in the scrape, no session and no upstream dial. */
  private void assertRefusalsRecorded(GatewayHarness harness, int refusals) {
    var metrics = harness.gateway.services().audit().metrics();
    Await.until(refusals + " refusals counted", () -> metrics.outcomes(Reason.TOKEN_KEYS_UNAVAILABLE) == refusals);
    List<JsonObject> rejected = audit.await("handshake.rejected", l -> l.stream()
        .filter(e -> "token_keys_unavailable".equals(e.getString("reason"))).count() == refusals);
    assertTrue(rejected.stream().allMatch(e -> e.getInteger("status") == 503), rejected::toString);
    AdminClient.Metrics scrape = new AdminClient(harness.gateway.adminPort()).metrics();
    assertEquals(refusals, scrape.value("wsgate_handshakes_total{outcome=\"rejected\",reason=\"token_keys_unavailable\"}"),
        scrape.text());
    assertTrue(scrape.value("wsgate_jwks_failures_total{issuer=\"" + ISSUER + "\"}") >= 1, scrape.text());
    assertEquals(0, metrics.acceptedTotal());
    assertEquals(0, harness.gateway.services().globalConnections());
    assertTrue(upstream.handshakes.isEmpty(), "the upstream was never dialled");
  }

  private static long failures(GatewayHarness harness) {
    return harness.gateway.services().current().tokens().jwksFailures(ISSUER);
  }

  @Test
  void endpointDownFromTheStartIs503KeysUnavailable() throws Exception {
    try (GatewayHarness harness = gateway(URI.create("http://127.0.0.1:" + UpstreamFailureIT.closedPort() + "/jwks"),
        Duration.ofHours(1))) {
      assertKeysUnavailable(harness);
      assertKeysUnavailable(harness);
      assertRefusalsRecorded(harness, 2);
    }
  }

  @Test
  void garbageFromTheStartIs503UntilTheEndpointServesKeys() throws Exception {
    jwks.mode = FaultyJwks.Mode.GARBAGE;
    // A short background refresh picks the keys up once the endpoint is repaired.
    try (GatewayHarness harness = gateway(jwks.uri(), Duration.ofMillis(300))) {
      assertKeysUnavailable(harness);
      assertRefusalsRecorded(harness, 1);

      jwks.mode = FaultyJwks.Mode.KEYS;
      Await.until("a successful fetch", () -> harness.gateway.services().current().tokens().jwksFetches(ISSUER)
          > failures(harness));
      WebSocket ws = Await.result(harness.connect(withToken(harness)));
      var echoes = CloseIT.texts(ws);
      ws.writeTextMessage("keys are back");
      assertEquals("keys are back", echoes.poll(10, TimeUnit.SECONDS));
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_KEYS_UNAVAILABLE));
    }
  }

  /**
   * A handshake now waits for a fetch of its own: refused no sooner than the fetch timeout, and the
   * gateway hangs up on both held requests (the first fetch's and this one's), this one after about that long.
   */
  private void assertHeldForTheFetchTimeout(GatewayHarness harness) {
    long start = System.nanoTime();
    assertKeysUnavailable(harness);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsedMs >= FETCH_TIMEOUT.toMillis() - 50, "not before the fetch timeout: " + elapsedMs + " ms");
    assertTrue(elapsedMs < 10_000, "not held for long: " + elapsedMs + " ms");
    Await.until("both held requests hung up on", () -> jwks.heldMs.size() == 2);
    // The handshake's own fetch (the first one started while this JVM was still cold).
    long held = jwks.heldMs.get(1);
    assertTrue(held >= FETCH_TIMEOUT.toMillis() - 50 && held < FETCH_TIMEOUT.toMillis() + 1000,
        "the fetch lasted the fetch timeout: " + jwks.heldMs + " ms");
  }

  @Test
  void silentEndpointIsCutAtTheFetchTimeout() throws Exception {
    jwks.mode = FaultyJwks.Mode.SILENT;
    try (GatewayHarness harness = gateway(jwks.uri(), Duration.ofHours(1))) {
      Await.until("the first fetch timed out", () -> failures(harness) == 1);
      assertEquals(1, jwks.requests.get());

      // The handshake starts a fetch of its own and waits for it: the fetch timeout, not forever.
      assertHeldForTheFetchTimeout(harness);
      assertEquals(2, jwks.requests.get());
      assertRefusalsRecorded(harness, 1);
    }
  }

  @Test
  void slowDripBodyIsCutAtTheFetchTimeout() throws Exception {
    jwks.mode = FaultyJwks.Mode.DRIP;
    try (GatewayHarness harness = gateway(jwks.uri(), Duration.ofHours(1))) {
      Await.until("the first fetch timed out", () -> failures(harness) == 1);

      // A byte every 50 ms never trips an idle timeout; the whole-fetch deadline ends it.
      assertHeldForTheFetchTimeout(harness);
      assertRefusalsRecorded(harness, 1);
      assertTrue(jwks.dripped.get() > 10, "the body really was dripping: " + jwks.dripped.get() + " bytes");
    }
  }

  /** A JWKS endpoint on 127.0.0.1 that misbehaves as told. */
  private static final class FaultyJwks implements AutoCloseable {
    enum Mode { KEYS, GARBAGE, SILENT, DRIP }

    final Vertx vertx = Vertx.vertx();
    final AtomicInteger requests = new AtomicInteger();
    /** How long each held (silent or dripping) request lasted until the client closed its connection, in ms. */
    final List<Long> heldMs = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger dripped = new AtomicInteger();
    volatile Mode mode = Mode.KEYS;
    private final HttpServer server;

    FaultyJwks() {
      server = vertx.createHttpServer().requestHandler(this::handle);
      Await.result(server.listen(0, "127.0.0.1"));
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json");
    }

    private void handle(HttpServerRequest request) {
      requests.incrementAndGet();
      long arrived = System.nanoTime();
      var response = request.response().putHeader("content-type", "application/json");
      switch (mode) {
        case KEYS -> response.end(new JWKSet(TestIssuer.RSA).toPublicJWKSet().toString());
        case GARBAGE -> response.putHeader("content-type", "text/html").end("<html><body>502 Bad Gateway</body></html>");
        case SILENT -> request.connection().closeHandler(v -> heldMs.add(since(arrived)));
        case DRIP -> {
          response.setChunked(true).write("{\"keys\":[");
          long timer = vertx.setPeriodic(50, id -> {
            response.write(" ");
            dripped.incrementAndGet();
          });
          request.connection().closeHandler(v -> {
            vertx.cancelTimer(timer);
            heldMs.add(since(arrived));
          });
        }
      }
    }

    private static long since(long nanos) {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    @Override
    public void close() {
      Await.result(vertx.close());
    }
  }
}
