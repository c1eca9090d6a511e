package io.wsgate;

import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the gateway answers before any upstream is dialled: routing (exact and prefix), the
 * RFC 6455 §4.2.1 checks on the upgrade request, and the demo page. Every refusal is counted and
 * ends the connection, so nothing can be smuggled behind a refused upgrade.
 */
class HandshakeValidationIT {
  private static final List<String> FORWARD = List.of("user-agent");
  /** The accept key RFC 6455 §1.3 gives for the sample nonce {@link RawClient#KEY}. */
  private static final String SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
  private static final String SMUGGLED = "GET /api/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n";

  private EchoUpstream chat;
  private EchoUpstream api;
  private EchoUpstream apiAdmin;
  private EchoUpstream apiStatus;
  private GatewayHarness harness;

  @BeforeEach
  void start() {
    chat = new EchoUpstream();
    api = new EchoUpstream();
    apiAdmin = new EchoUpstream();
    apiStatus = new EchoUpstream();
    // Declared shortest prefix first and exact after prefix: the matcher, not the order, decides.
    harness = new GatewayHarness(TestPolicy.create()
        .route("/chat", chat.url("/"))
        .route("/api", true, FORWARD, upstreamAt(api))
        .route("/api/admin", true, FORWARD, upstreamAt(apiAdmin))
        .route("/api/status", false, FORWARD, upstreamAt(apiStatus))
        .build());
  }

  @AfterEach
  void stop() {
    harness.close();
    chat.close();
    api.close();
    apiAdmin.close();
    apiStatus.close();
  }

  /** No path in the URL: the upstream is asked for the client's own path, which the test reads back. */
  private static String upstreamAt(EchoUpstream upstream) {
    return "ws://127.0.0.1:" + upstream.port();
  }

  private long count(Reason reason) {
    return harness.gateway.services().audit().metrics().outcomes(reason);
  }

  // --- refusals on the wire -----------------------------------------------------------------

  @Test
  void unknownPathIs404() throws Exception {
    String head = refusedAndClosed(RawClient.upgrade("/nowhere"), Reason.ROUTE_NOT_FOUND);
    assertEquals(404, RawClient.status(head));
  }

  @Test
  void plainGetOnAWebSocketRouteIs426WithUpgradeHeader() throws Exception {
    String head = refusedAndClosed("GET /chat HTTP/1.1\r\nHost: localhost\r\n\r\n", Reason.UPGRADE_REQUIRED);
    assertEquals(426, RawClient.status(head));
    assertEquals("websocket", header(head, "upgrade"));
  }

  @Test
  void postWithUpgradeHeadersIs400() throws Exception {
    String head = refusedAndClosed(RawClient.upgrade("/chat").replaceFirst("^GET ", "POST ")
        .replace("\r\n\r\n", "\r\nContent-Length: 0\r\n\r\n"), Reason.BAD_UPGRADE);
    assertEquals(400, RawClient.status(head));
  }

  @Test
  void missingSecWebSocketKeyIs400() throws Exception {
    String head = refusedAndClosed(RawClient.upgrade("/chat").replace("Sec-WebSocket-Key: " + RawClient.KEY + "\r\n", ""),
        Reason.BAD_UPGRADE);
    assertEquals(400, RawClient.status(head));
  }

  @Test
  void keyThatIsNotSixteenBase64BytesIs400() throws Exception {
    // 24 characters of valid base64 that decode to 17 bytes; 24 characters that are not base64; too short.
    for (String key : List.of("AAECAwQFBgcICQoLDA0ODxA=", "!!!!!!!!!!!!!!!!!!!!!!!!", "c2hvcnQ=")) {
      String head = refusedAndClosed(RawClient.upgrade("/chat").replace(RawClient.KEY, key), Reason.BAD_UPGRADE);
      assertEquals(400, RawClient.status(head), key);
    }
  }

  @Test
  void unsupportedWebSocketVersionIs400NamingVersion13() throws Exception {
    String head = refusedAndClosed(RawClient.upgrade("/chat").replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"),
        Reason.UNSUPPORTED_WS_VERSION);
    assertEquals(400, RawClient.status(head));
    assertEquals("13", header(head, "sec-websocket-version"));
  }

  @Test
  void missingConnectionUpgradeIs400() throws Exception {
    String head = refusedAndClosed(RawClient.upgrade("/chat").replace("Connection: Upgrade\r\n", ""), Reason.BAD_UPGRADE);
    assertEquals(400, RawClient.status(head));
  }

  @Test
  void aWellFormedUpgradeOnTheSameRouteIsAccepted() throws Exception {
    // The control for the refusals above: the same request, unmodified, gets its 101.
    try (RawClient raw = new RawClient(harness.port(), true)) {
      raw.send(RawClient.upgrade("/chat"));
      String head = raw.readHead();
      assertEquals(101, RawClient.status(head));
      assertEquals(SAMPLE_ACCEPT, header(head, "sec-websocket-accept"));
    }
  }

  /**
   * Sends {@code request} with a second request pipelined behind it, reads the refusal, and checks
   * that the gateway then closed the connection without ever answering the second one, and that
   * the refusal was counted once under {@code reason}.
   */
  private String refusedAndClosed(String request, Reason reason) throws Exception {
    long before = count(reason);
    try (RawClient raw = new RawClient(harness.port(), true)) {
      raw.send(request + SMUGGLED);
      String head = raw.readHead();
      String rest = raw.readUntilClosed();
      assertFalse(rest.contains("HTTP/1."), "the request behind the refused one was answered: " + rest);
      Await.until(reason + " counted once", () -> count(reason) == before + 1);
      assertEquals(0, harness.gateway.services().globalConnections());
      assertEquals(0, harness.gateway.services().sessions().size());
      assertTrue(chat.handshakes.isEmpty() && api.handshakes.isEmpty(), "no upstream was dialled");
      return head;
    }
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  // --- routing -----------------------------------------------------------------------------

  @Test
  void exactRouteDoesNotMatchAPathBelowIt() {
    assertEquals(404, rejectedStatus("/chat/x"));
    assertEquals(404, rejectedStatus("/chat2"));
    assertEquals(2, count(Reason.ROUTE_NOT_FOUND));
    Await.result(harness.connect("/chat"));
    Await.until("the exact path reached its upstream", () -> chat.sockets.size() == 1);
  }

  @Test
  void prefixRouteMatchesItselfAndPathsBelowButNotLongerNames() {
    Await.result(harness.connect("/api"));
    Await.result(harness.connect("/api/v1"));
    Await.until("both reached the prefix route's upstream", () -> api.sockets.size() == 2);
    assertEquals(List.of("/api", "/api/v1"), api.sockets.stream().map(ws -> ws.path()).sorted().toList());
    assertEquals(404, rejectedStatus("/apiary"));
    assertEquals(2, api.sockets.size());
  }

  @Test
  void longestPrefixWins() {
    Await.result(harness.connect("/api/admin/users"));
    Await.until("reached the /api/admin upstream", () -> apiAdmin.sockets.size() == 1);
    assertEquals("/api/admin/users", apiAdmin.sockets.get(0).path());
    assertTrue(api.sockets.isEmpty(), "the shorter prefix /api did not take it");
  }

  @Test
  void exactRouteWinsOverAMatchingPrefix() {
    Await.result(harness.connect("/api/status"));
    Await.until("reached the exact route's upstream", () -> apiStatus.sockets.size() == 1);
    assertTrue(api.sockets.isEmpty(), "the prefix /api did not take it");
    // ...and only the exact path: below it the prefix route answers.
    Await.result(harness.connect("/api/status/x"));
    Await.until("reached the prefix route's upstream", () -> api.sockets.size() == 1);
    assertEquals(1, apiStatus.sockets.size());
  }

  private int rejectedStatus(String path) {
    Throwable failure = Await.failure(harness.connect(path));
    assertInstanceOf(UpgradeRejectedException.class, failure);
    return ((UpgradeRejectedException) failure).getStatus();
  }

  // --- demo page ---------------------------------------------------------------------------

  @Test
  void demoPageIsServedAtRootWithItsContentSecurityPolicy() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness demo = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).demoPage().build())) {
      Page page = get(demo, "/");
      assertEquals(200, page.status);
      assertTrue(page.contentType.startsWith("text/html"), page.contentType);
      assertTrue(page.csp != null && page.csp.contains("default-src 'none'"), "CSP: " + page.csp);
      assertTrue(page.body.contains("new WebSocket"), "the page opens a WebSocket");
      assertNull(upstream.handshakes.poll(0, TimeUnit.MILLISECONDS), "serving the page dialled no upstream");
    }
  }

  @Test
  void rootIs404WithoutTheDemoPage() throws Exception {
    Page page = get(harness, "/");
    assertEquals(404, page.status);
    assertNull(page.csp);
    assertFalse(page.body.contains("new WebSocket"));
    Await.until("counted", () -> count(Reason.ROUTE_NOT_FOUND) == 1);
  }

  private record Page(int status, String contentType, String csp, String body) {
  }

  private static Page get(GatewayHarness target, String path) {
    HttpClientAgent http = target.clientVertx.createHttpClient(new HttpClientOptions()
        .setSsl(true).setTrustOptions(TestCerts.trust()).setVerifyHost(true));
    try {
      return Await.result(http.request(HttpMethod.GET, target.port(), "localhost", path)
          .compose(request -> request.send())
          .compose((HttpClientResponse response) -> response.body().map(body -> new Page(response.statusCode(),
              response.getHeader("content-type"), response.getHeader("content-security-policy"), body.toString()))));
    } finally {
      Await.result(http.close());
    }
  }
}
