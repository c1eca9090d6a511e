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
import io.wsgate.audit.GatewayMetrics;
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
import java.nio.file.StandardCopyOption;
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
        """.formatted(clientsDeny, recheck, upstreamUrl, origins, routeExtra);
  }

  private static final String ANY_ORIGIN = "{ allow: [\"*\"], allowMissing: true }";

  private String plainPolicy(boolean recheck, String routeExtra) {
    return policy(recheck, "[]", ANY_ORIGIN, routeExtra);
  }

  /** Replaces gateway.yaml in one step, so the watcher never reads a half-written file. */
  private void write(String yaml) throws Exception {
    Path scratch = Files.createTempFile(root, "gateway", ".yaml");
    Files.writeString(scratch, yaml);
    Files.move(scratch, policyDir.resolve(PolicyLoader.FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
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
