package io.wsgate;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.metrics.ReloadOutcome;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.reload.PolicyReloader;
import io.wsgate.testing.AdminClient;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.StartedGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Hot reload of a real {@code gateway.yaml}: the gateway is started from the loaded file, watches
 * it, and is observed on the wire (plain ws) as the file changes.
 */
class PolicyReloadIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** How soon a change must be live: the watcher polls every 200 ms. */
  private static final Duration APPLIED_WITHIN = Duration.ofSeconds(2);
  private static final String DENY_FORBIDDEN = """
          messages:
            toUpstream:
              - { name: no-forbidden, denyPatterns: ["forbidden"], action: drop }
      """;
  private static final String DROPPED = "{\"error\":\"pattern_denied\",\"rule\":\"no-forbidden\"}";

  @TempDir
  Path root;

  private Path policyDir;
  private EchoUpstream upstream;
  private StartedGateway started;
  private Gateway gateway;
  private Vertx clientVertx;
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    policyDir = Files.createDirectory(root.resolve("policies"));
    upstream = new EchoUpstream();
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient(new WebSocketClientOptions());
  }

  @AfterEach
  void stop() {
    try {
      if (started != null) {
        started.close();
      }
    } finally {
      Await.result(clientVertx.close());
      upstream.close();
    }
  }

  /** A complete policy; each argument is YAML text spliced into its place. */
  private String policy(boolean recheck, String clientsDeny, String origins, String routeExtra) {
    return policy(recheck, clientsDeny, origins, routeExtra, upstream.url("/"));
  }

  private String policy(boolean recheck, String clientsDeny, String origins, String routeExtra, String upstreamUrl) {
    return """
        listen:
          host: 127.0.0.1
          port: 0
          plain: true
          clients:
            allow: [0.0.0.0/0, "::/0"]
            deny: %s
        reload:
          recheckSessions: %s
        routes:
          - path: /chat
            upstreams: [%s]
            origins: %s
            auth: { anonymous: true }
        %s
        shutdown:
          drainWindow: 0s
          drainTimeout: 10s
        admin: { port: 0 }
        audit: { dir: "%s", flushInterval: 50ms }
        """.formatted(clientsDeny, recheck, upstreamUrl, origins, routeExtra, root.resolve("audit"));
  }

  private static String watchOff(String yaml) {
    return yaml.replace("  recheckSessions: false\n", "  recheckSessions: false\n  watch: false\n");
  }

  private static final String ANY_ORIGIN = "{ allow: [\"*\"], allowMissing: true }";

  private String plainPolicy(boolean recheck, String routeExtra) {
    return policy(recheck, "[]", ANY_ORIGIN, routeExtra);
  }

  /** Replaces gateway.yaml in one step, so the watcher never reads a half-written file. */
  private void write(String yaml) throws Exception {
    io.wsgate.testing.PolicyDirectory.replace(policyDir, yaml);
  }

  private void startGateway(String yaml, long pollMs) throws Exception {
    write(yaml);
    started = StartedGateway.start(PolicyLoader.load(policyDir));
    gateway = started.gateway();
    Await.result(gateway.watchPolicy(pollMs));
  }

  private GatewayMetrics metrics() {
    return gateway.services().audit().metrics();
  }

  private void awaitReloads(boolean ok, long count) {
    Await.until((ok ? "successful" : "failed") + " reload #" + count, APPLIED_WITHIN,
        () -> metrics().reloads(ok) == count);
  }

  /** A non-browser client: no Origin header. */
  private WebSocketConnectOptions options() {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/chat")
        .setAllowOriginHeader(false);
  }

  /** A page of {@code origin}. */
  private WebSocketConnectOptions options(String origin) {
    // allowOriginHeader(false) would strip our own Origin header too.
    return options().setAllowOriginHeader(true).addHeader("Origin", origin);
  }

  private Client connect(WebSocketConnectOptions options) {
    WebSocket ws = Await.result(client.connect(options));
    BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    ws.textMessageHandler(texts::add);
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    return new Client(ws, texts, closed);
  }

  private Client connect() {
    return connect(options());
  }

  private int refusedStatus(WebSocketConnectOptions options) {
    Throwable failure = Await.failure(client.connect(options));
    assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
    return ((UpgradeRejectedException) failure).getStatus();
  }

  private record Client(WebSocket ws, BlockingQueue<String> texts, CompletableFuture<Short> closed) {
    /** Sends {@code text} and returns the first answer: its echo, or a drop notice. */
    String send(String text) throws InterruptedException {
      ws.writeTextMessage(text);
      String answer = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(answer, "no answer within " + WAIT);
      return answer;
    }

    short closeCode() throws Exception {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void validChangeAppliesToNewSessionsWhileLiveOnesKeepWorking() throws Exception {
    startGateway(plainPolicy(false, ""), 200);
    Client before = connect();
    assertEquals("a forbidden word", before.send("a forbidden word"));

    write(plainPolicy(false, DENY_FORBIDDEN));
    awaitReloads(true, 1);

    Client after = connect();
    assertEquals(DROPPED, after.send("a forbidden word"));
    assertEquals("fine", after.send("fine"));
    // The live session keeps the rules it started with, and is not dropped.
    assertEquals("a forbidden word", before.send("a forbidden word"));
    assertFalse(before.closed().isDone());
    assertEquals(0, metrics().reloads(false));
  }

  @Test
  void invalidChangesKeepTheRunningPolicy() throws Exception {
    String good = plainPolicy(false, DENY_FORBIDDEN);
    startGateway(good, 200);
    Client live = connect();

    write("listen: [this is not\n  : valid yaml");
    awaitReloads(false, 1);
    assertEquals(DROPPED, connect().send("forbidden"), "new sessions still get the old policy");

    write(good + "surprise: true\n");
    awaitReloads(false, 2);
    assertEquals(DROPPED, connect().send("forbidden"));
    assertEquals("still here", live.send("still here"));
    assertEquals(0, metrics().reloads(true));

    // The watcher survived both failures: a valid file is picked up again.
    write(plainPolicy(false, ""));
    awaitReloads(true, 1);
    assertEquals("forbidden", connect().send("forbidden"));
  }

  @Test
  void withoutRecheckLiveSessionsKeepThePolicyTheyStartedWith() throws Exception {
    startGateway(plainPolicy(false, ""), 200);
    Client live = connect();

    write(policy(false, "[127.0.0.1]", ANY_ORIGIN, ""));
    awaitReloads(true, 1);

    assertEquals(403, refusedStatus(options()));
    assertEquals("still here", live.send("still here"));
    assertEquals(0, metrics().outcomes(Reason.POLICY_DENIES_SESSION));
  }

  private String extraRoute() {
    return """
          - path: /extra
            upstreams: [%s]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
        """.formatted(upstream.url("/"));
  }

  private static String keepRemovedRoutes(String yaml) {
    return yaml.replace("  recheckSessions: false\n", "  recheckSessions: false\n  removedRoutes: keep\n");
  }

  @Test
  void aReloadThatRemovesARouteClosesItsSessionsWith1001AndKeepsTheOthers() throws Exception {
    startGateway(plainPolicy(true, extraRoute()), 200);
    Client chat = connect();
    Client extra = connect(options().setURI("/extra"));
    assertEquals("on extra", extra.send("on extra"));

    write(plainPolicy(true, ""));
    awaitReloads(true, 1);

    assertEquals(1001, extra.closeCode(), "the removed route's session goes away, not denied");
    assertEquals("1001", upstream.closes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).split(" ")[0]);
    assertEquals("still here", chat.send("still here"));
    assertEquals(404, refusedStatus(options().setURI("/extra")));
    Await.until("close counted", () -> metrics().outcomes(Reason.ROUTE_REMOVED) == 1);
    assertEquals(0, metrics().outcomes(Reason.POLICY_DENIES_SESSION));
  }

  @Test
  void removedRoutesKeepLeavesTheRemovedRoutesSessionsRunning() throws Exception {
    startGateway(keepRemovedRoutes(plainPolicy(false, extraRoute())), 200);
    Client extra = connect(options().setURI("/extra"));

    write(keepRemovedRoutes(plainPolicy(false, "")));
    awaitReloads(true, 1);

    assertEquals(404, refusedStatus(options().setURI("/extra")));
    assertEquals("kept", extra.send("kept"));
    assertFalse(extra.closed().isDone());
    assertEquals(0, metrics().outcomes(Reason.ROUTE_REMOVED));
  }

  @Test
  void recheckClosesLiveSessionsTheNewClientRulesDeny() throws Exception {
    startGateway(plainPolicy(true, ""), 200);
    Client live = connect();
    assertEquals("hello", live.send("hello"));

    write(policy(true, "[127.0.0.1]", ANY_ORIGIN, ""));
    awaitReloads(true, 1);

    assertEquals(1008, live.closeCode());
    assertEquals("1008", upstream.closes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).split(" ")[0]);
    assertEquals(403, refusedStatus(options()));
    Await.until("close counted", () -> metrics().outcomes(Reason.POLICY_DENIES_SESSION) == 1);
  }

  @Test
  void recheckClosesOnlyTheSessionsWhoseOriginIsNoLongerAllowed() throws Exception {
    String both = "{ allow: [\"https://app.example.com\", \"https://old.example.com\"], allowMissing: true }";
    startGateway(policy(true, "[]", both, ""), 200);
    Client oldOrigin = connect(options("https://old.example.com"));
    Client keptOrigin = connect(options("https://app.example.com"));
    Client noOrigin = connect();

    write(policy(true, "[]", "{ allow: [\"https://app.example.com\"], allowMissing: true }", ""));
    awaitReloads(true, 1);

    assertEquals(1008, oldOrigin.closeCode());
    assertEquals("kept", keptOrigin.send("kept"));
    assertEquals("no origin", noOrigin.send("no origin"));
    assertEquals(403, refusedStatus(options("https://old.example.com")));
    Await.until("close counted", () -> metrics().outcomes(Reason.POLICY_DENIES_SESSION) == 1);
    assertFalse(keptOrigin.closed().isDone() || noOrigin.closed().isDone());
  }

  @Test
  void recheckAlsoReachesASessionWhoseUpstreamWasConnectingDuringTheReload() throws Exception {
    // An upstream that holds the gateway's upgrade until the test lets it through.
    Vertx upstreamVertx = Vertx.vertx();
    try {
      CompletableFuture<ServerWebSocketHandshake> held = new CompletableFuture<>();
      HttpServer slow = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .webSocketHandshakeHandler(held::complete);
      Await.result(slow.listen());
      String slowUrl = "ws://127.0.0.1:" + slow.actualPort() + "/";
      startGateway(policy(true, "[]", ANY_ORIGIN, "", slowUrl), 200);

      CompletableFuture<Short> closed = new CompletableFuture<>();
      client.connect(options()).onComplete(ar -> {
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
      // The client passed the old policy's checks; the new one denies it before its session exists.
      write(policy(true, "[127.0.0.1]", ANY_ORIGIN, "", slowUrl));
      awaitReloads(true, 1);
      upstreamVertx.runOnContext(v -> handshake.accept());

      assertEquals((short) 1008, closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
      Await.until("close counted", () -> metrics().outcomes(Reason.POLICY_DENIES_SESSION) == 1);
    } finally {
      try {
        if (started != null) {
          started.close(); // before its upstream goes
          started = null;
        }
      } finally {
        Await.result(upstreamVertx.close());
      }
    }
  }

  @Test
  void aReloadThatChangesAStartupSettingIsRefusedWholeAndTheRunningPolicyKept() throws Exception {
    startGateway(plainPolicy(false, ""), 200);
    Client live = connect();

    // A valid policy, but limits.maxMessageBytes is Netty's frame cap, fixed at start: nothing of it applies.
    write(plainPolicy(false, DENY_FORBIDDEN) + "limits: { maxMessageBytes: 1KiB, handshakeTimeout: 3s }\n");
    Await.until("refused reload", APPLIED_WITHIN, () -> metrics().reloads(ReloadOutcome.REFUSED) == 1);
    assertEquals("forbidden", connect().send("forbidden"), "the deny pattern that came with it is not applied");
    assertEquals("x".repeat(2000), live.send("x".repeat(2000)), "nor the smaller message cap");
    assertEquals(0, metrics().reloads(true));
    assertEquals(0, metrics().reloads(false));

    PolicyReloader.Result asked = Await.result(gateway.reload("SIGHUP"));
    assertEquals(ReloadOutcome.REFUSED, asked.outcome());
    assertEquals(List.of("limits.maxMessageBytes", "limits.handshakeTimeout"), asked.startupFields());
    assertEquals(2, metrics().reloads(ReloadOutcome.REFUSED));
  }

  @Test
  void commandLineOverridesApplyToEveryReloadedPolicy() throws Exception {
    // The file says port 1; the command line said --listen 0, so every reload compares port 0 with port 0.
    String onPortOne = plainPolicy(false, "").replace("\n  port: 0\n", "\n  port: 1\n");
    write(onPortOne);
    UnaryOperator<GatewayPolicy> listen0 = p -> p.withStartup(p.startup().withPort(0));
    started = StartedGateway.start(listen0.apply(PolicyLoader.load(policyDir)));
    gateway = started.gateway();
    Await.result(gateway.watchPolicy(3_600_000, listen0));

    write(plainPolicy(false, DENY_FORBIDDEN).replace("\n  port: 0\n", "\n  port: 1\n"));
    assertEquals(ReloadOutcome.OK, Await.result(gateway.reload("SIGHUP")).outcome());
    assertEquals(DROPPED, connect().send("forbidden"));
    assertEquals(0, metrics().reloads(ReloadOutcome.REFUSED));

    // What the command line does not override is still compared.
    write(plainPolicy(false, "").replace("\n  port: 0\n", "\n  port: 1\n").replace("host: 127.0.0.1", "host: 127.0.0.2"));
    assertEquals(List.of("listen.host"), Await.result(gateway.reload("SIGHUP")).startupFields());
  }

  @Test
  void withWatchOffOnlyAskedReloadsHappen() throws Exception {
    startGateway(watchOff(plainPolicy(false, "")), 50);
    write(watchOff(plainPolicy(false, DENY_FORBIDDEN)));
    // No event says "the watcher did not look": give it forty of its 50 ms polls.
    Thread.sleep(2000);
    assertEquals("forbidden", connect().send("forbidden"), "a changed file alone reloads nothing");
    assertEquals(0, metrics().reloads(true));

    AdminClient admin = new AdminClient(gateway.adminPort());
    AdminClient.Response reloaded = admin.send(HttpMethod.POST, "/policy/reload", null);
    assertEquals(200, reloaded.status(), reloaded.body());
    assertEquals("ok", reloaded.json().getString("outcome"));
    assertEquals(DROPPED, connect().send("forbidden"));
  }

  @Test
  void theAdminApiShowsThePolicyAndAnswersEachReloadOutcome() throws Exception {
    startGateway(plainPolicy(false, ""), 3_600_000);
    AdminClient admin = new AdminClient(gateway.adminPort());
    JsonObject shown = admin.get("/policy").json();
    assertEquals(gateway.services().current().policy().version(), shown.getString("version"));
    JsonObject file = shown.getJsonArray("files").getJsonObject(0);
    assertEquals("policy", file.getString("field"));
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
        Files.readAllBytes(policyDir.resolve(PolicyLoader.FILE_NAME)))), file.getString("sha256"));
    assertFalse(java.time.Instant.parse(shown.getString("loadedAt")).isAfter(java.time.Instant.now()));

    write(plainPolicy(false, "") + "surprise: true\n");
    AdminClient.Response failed = admin.send(HttpMethod.POST, "/policy/reload", null);
    assertEquals(422, failed.status(), failed.body());
    assertEquals(new JsonObject().put("outcome", "failed").put("version", shown.getString("version")).put("errors", 1),
        failed.json());

    write(plainPolicy(false, "").replace("host: 127.0.0.1", "host: 127.0.0.2"));
    AdminClient.Response refused = admin.send(HttpMethod.POST, "/policy/reload", null);
    assertEquals(409, refused.status(), refused.body());
    assertEquals(List.of("listen.host"), refused.json().getJsonArray("startupFields").getList());
    assertEquals(shown.getString("version"), admin.get("/policy").json().getString("version"), "still in force");
  }

  @Test
  void aClientAtItsHandshakeLimitStaysLimitedAcrossAReload() throws Exception {
    String limited = "connections: { perIp: { handshakes: 2/h } }\n";
    startGateway(plainPolicy(false, limited), 3_600_000);
    connect();
    connect();
    assertEquals(429, refusedStatus(options()));

    write(plainPolicy(false, DENY_FORBIDDEN + limited)); // an unrelated change
    assertEquals(ReloadOutcome.OK, Await.result(gateway.reload("SIGHUP")).outcome());
    assertEquals(429, refusedStatus(options()), "the bucket it had emptied is kept");

    write(plainPolicy(false, "connections: { perIp: { handshakes: 3/h } }\n")); // the rule itself changed
    assertEquals(ReloadOutcome.OK, Await.result(gateway.reload("SIGHUP")).outcome());
    assertEquals("fresh", connect().send("fresh"), "a changed rule starts with a full bucket");
  }

  @Test
  void sighupReloadsWithoutWaitingForTheWatcher() throws Exception {
    // The watcher would only look again in an hour: every reload here is asked for.
    startGateway(plainPolicy(false, ""), 3_600_000);
    write(plainPolicy(false, DENY_FORBIDDEN));
    assertEquals("forbidden", connect().send("forbidden"), "nothing reloads by itself");

    gateway.reload("SIGHUP");
    awaitReloads(true, 1);
    assertEquals(DROPPED, connect().send("forbidden"));

    // An unchanged file reloads too.
    gateway.reload("SIGHUP");
    awaitReloads(true, 2);
    assertEquals(DROPPED, connect().send("forbidden"));
    assertEquals(0, metrics().reloads(false));
  }
}
