package io.wsgate.interop;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.wsgate.Reason;
import io.wsgate.demo.DemoPage;
import io.wsgate.demo.DemoUpstream;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.policy.TokenSource;
import io.wsgate.testing.Await;
import io.wsgate.testing.DevKeyIssuer;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The demo chat page in a real headless Chromium (Debian's {@code /usr/bin/chromium}, driven by
 * {@code playwright-core} from {@code src/test/node/browser-check.js}) against a real gateway over TLS:
 * the browser sets Origin and offers the token as a subprotocol itself, which no Java or Node client
 * test can vouch for. A missing Chromium or playwright-core fails, never skips.
 */
class BrowserDemoPageIT {
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final String HINT = "run `scripts/test` (it installs chromium if /usr/bin/chromium is missing, "
      + "and `npm ci --prefix src/test/node` installs playwright-core)";
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final String MESSAGE = "你好 from chromium";

  private GatewayHarness harness;
  private HttpServer foreign;

  @BeforeAll
  static void chromiumAndPlaywrightAreInstalled() {
    NodePeer.requireNodeAndWs();
    if (!Files.isExecutable(CHROMIUM)) {
      fail(CHROMIUM + " is missing: " + HINT);
    }
    if (!Files.isRegularFile(NodePeer.DIR.resolve("node_modules/playwright-core/package.json"))) {
      fail("playwright-core is not installed in " + NodePeer.DIR + "/node_modules: " + HINT);
    }
  }

  @AfterEach
  void stop() {
    try {
      if (foreign != null) {
        Await.result(foreign.close());
      }
    } finally {
      if (harness != null) {
        harness.close();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Only the gateway's own page origin; no missing or null Origin. */
  private static OriginRules ownOriginOnly(int port) {
    return new OriginRules(List.of("https://localhost:" + port), false, false, Mode.ENFORCE);
  }

  private static PeerProcess.Exit browse(String url, String... more) throws Exception {
    String[] args = new String[more.length + 1];
    args[0] = url;
    System.arraycopy(more, 0, args, 1, more.length);
    long started = System.nanoTime();
    PeerProcess.Exit exit = NodePeer.run(DEADLINE, "browser-check.js", args);
    System.out.printf("browser-check.js %s: exit %d in %d ms%n%s%n", url, exit.code(),
        (System.nanoTime() - started) / 1_000_000, String.join("\n", exit.stdout()));
    return exit;
  }

  private static void assertChatted(PeerProcess.Exit exit, String protocol) {
    assertEquals(0, exit.code(), () -> "browser-check.js exited " + exit.code() + ", stdout: " + exit.stdout()
        + ", stderr: " + exit.stderr());
    List<String> out = exit.stdout();
    assertTrue(out.contains("LOG in ← " + DemoUpstream.WELCOME), out::toString);
    assertTrue(out.contains("LOG out → " + MESSAGE), out::toString);
    assertTrue(out.contains("LOG in ← " + DemoUpstream.ACK_PREFIX + MESSAGE), out::toString);
    assertEquals("PROTOCOL " + protocol, out.get(out.size() - 2));
    assertEquals("STATE open", out.get(out.size() - 1));
  }

  @Test
  void pageOnTheGatewaysOwnOriginChats() throws Exception {
    int port = freePort();
    harness = new GatewayHarness(TestPolicy.create().port(port).demoPage().route("/chat", "demo")
        .security(new RouteSecurity(null, ownOriginOnly(port), Auth.ANONYMOUS, MessageRules.NONE)).build());

    assertChatted(browse("https://localhost:" + port + "/", "", MESSAGE), "");
    assertEquals(0, harness.gateway.services().audit().metrics().outcomes(Reason.ORIGIN_DENIED));
  }

  @Test
  void pageWithATokenConnectsAndTheGatewayAnswersBearer(@TempDir Path dir) throws Exception {
    DevKeyIssuer issuer = DevKeyIssuer.in(dir);
    Auth bySubprotocol = new Auth(false, List.of(DevKeyIssuer.NAME),
        List.of(new TokenSource(TokenSource.Kind.SUBPROTOCOL, null)), List.of(), List.of(), Map.of(),
        "x-wsgate-subject", Map.of(), false, Mode.ENFORCE);
    int port = freePort();
    harness = new GatewayHarness(TestPolicy.create().port(port).demoPage().issuers(List.of(issuer.issuer()))
        .route("/chat", "demo")
        .security(new RouteSecurity(null, ownOriginOnly(port), bySubprotocol, MessageRules.NONE)).build());
    String token = issuer.mint("alice", Duration.ofMinutes(5));

    PeerProcess.Exit exit = browse("https://localhost:" + port + "/", token, MESSAGE);

    // The page's own anonymous attempt on load is refused first; then the token gets it in, and the
    // handshake answered 'bearer', never the token.
    assertChatted(exit, "bearer");
    assertTrue(exit.stdout().stream().anyMatch(line -> line.startsWith("LOG event connecting to wss://localhost:"
        + port + "/chat with a bearer token")), exit.stdout()::toString);
    assertFalse(String.join("\n", exit.stdout()).contains(token), "the page never shows the token");
    assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.TOKEN_MISSING));
    assertEquals(0, harness.gateway.services().audit().metrics().outcomes(Reason.ORIGIN_DENIED));
  }

  @Test
  void pageFromAForeignOriginIsRefused() throws Exception {
    int port = freePort();
    harness = new GatewayHarness(TestPolicy.create().port(port).demoPage().route("/chat", "demo")
        .security(new RouteSecurity(null, ownOriginOnly(port), Auth.ANONYMOUS, MessageRules.NONE)).build());
    // A copy of the page on another origin (plain http, another port), pointed at the gateway's wss URL:
    // what a cross-site WebSocket hijacking page would do with the visitor's browser.
    String page = DemoPage.load().toString(StandardCharsets.UTF_8);
    String ownUrl = "(location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/chat'";
    assertTrue(page.contains(ownUrl), "index.html no longer builds its URL as this test expects");
    Buffer foreignPage = Buffer.buffer(page.replace(ownUrl, "'wss://localhost:" + port + "/chat'"),
        StandardCharsets.UTF_8.name());
    foreign = Await.result(harness.clientVertx.createHttpServer()
        .requestHandler(request -> request.response().putHeader("content-type", DemoPage.CONTENT_TYPE).end(foreignPage))
        .listen(0, "127.0.0.1"));

    PeerProcess.Exit exit = browse("http://localhost:" + foreign.actualPort() + "/", "", MESSAGE);

    assertEquals(1, exit.code(), () -> "browser-check.js exited " + exit.code() + ", stdout: " + exit.stdout()
        + ", stderr: " + exit.stderr());
    List<String> out = exit.stdout();
    assertEquals("STATE closed", out.get(out.size() - 1));
    assertTrue(out.stream().noneMatch(line -> line.startsWith("LOG in ")), out::toString);
    assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.ORIGIN_DENIED));
  }
}
