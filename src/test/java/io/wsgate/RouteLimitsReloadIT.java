package io.wsgate;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.wsgate.metrics.ReloadOutcome;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A reload that changes a route's {@code limits:} or {@code connections:} applies to new sessions;
 * live sessions keep the bounds they started with, and a route's handshake buckets keep their state
 * while its rule is unchanged, as the global ones do.
 */
class RouteLimitsReloadIT {
  private static final String TWO_KIB = "x".repeat(2048);

  @TempDir
  Path root;

  private Path policyDir;
  private EchoUpstream upstream;
  private StartedGateway started;
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

  /** Route /a with {@code routeA} spliced in (YAML at the route's indentation), route /b without. */
  private String policy(String routeA) {
    return """
        listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [0.0.0.0/0] } }
        reload: { watch: false }
        routes:
          - path: /a
            upstreams: [%1$s]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
        %2$s
          - path: /b
            upstreams: [%1$s]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
        shutdown: { drainWindow: 0s, drainTimeout: 10s }
        admin: { enabled: false }
        audit: { dir: "%3$s", flushInterval: 50ms }
        """.formatted(upstream.url("/"), routeA.indent(4).stripTrailing(), root.resolve("audit"));
  }

  private void write(String yaml) throws Exception {
    io.wsgate.testing.PolicyDirectory.replace(policyDir, yaml);
  }

  private void startGateway(String yaml) throws Exception {
    write(yaml);
    started = StartedGateway.start(PolicyLoader.load(policyDir));
    Await.result(started.gateway().watchPolicy(200));
  }

  private void reload(String yaml) throws Exception {
    write(yaml);
    assertEquals(ReloadOutcome.OK, Await.result(started.gateway().reload("test")).outcome());
  }

  private WebSocket connect(String path) {
    return Await.result(client.connect(options(path)));
  }

  private WebSocketConnectOptions options(String path) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(started.gateway().port()).setURI(path)
        .setAllowOriginHeader(false);
  }

  private long outcomes(Reason reason) {
    return started.gateway().services().audit().metrics().outcomes(reason);
  }

  @Test
  void aChangedRouteLimitAppliesToNewSessionsAndLiveOnesKeepTheirs() throws Exception {
    startGateway(policy("limits: { maxMessageBytes: 1KiB }"));
    WebSocket before = connect("/a");
    CompletableFuture<String> beforeClosed = CloseIT.closeOf(before);

    reload(policy("limits: { maxMessageBytes: 4KiB }"));
    WebSocket after = connect("/a");
    BlockingQueue<String> texts = CloseIT.texts(after);
    after.writeTextMessage(TWO_KIB);
    assertEquals(TWO_KIB, texts.poll(10, TimeUnit.SECONDS), "a new session has the reloaded 4 KiB");

    before.writeTextMessage(TWO_KIB);
    assertEquals("1009 message too big", beforeClosed.get(10, TimeUnit.SECONDS), "the live one kept its 1 KiB");
    assertFalse(after.isClosed());
  }

  @Test
  void aRoutesHandshakeBucketsSurviveAReloadThatLeavesItsRuleAloneAndRestartWhenItChanges() throws Exception {
    String rate = "connections: { perIp: { handshakes: 2/m } }";
    startGateway(policy(rate));
    connect("/a");
    connect("/a");

    reload(policy(rate + "\nlimits: { idleTimeout: 1h }"));
    Throwable failure = Await.failure(client.connect(options("/a")));
    assertEquals(429, assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus());
    assertEquals(1, outcomes(Reason.ROUTE_HANDSHAKE_RATE_LIMITED), "the bucket was kept, empty");
    connect("/b");

    reload(policy("connections: { perIp: { handshakes: 3/m } }"));
    connect("/a"); // a new rule: full buckets
    assertEquals(1, outcomes(Reason.ROUTE_HANDSHAKE_RATE_LIMITED));
  }
}
