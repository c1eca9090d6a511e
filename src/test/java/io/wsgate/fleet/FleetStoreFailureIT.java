package io.wsgate.fleet;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RedisServer;
import io.wsgate.testing.TestIssuer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One fleet member in this JVM and a real redis-server that stops, restarts empty or freezes
 * (SIGSTOP): each {@code onStoreFailure} does what policies/README.md and docs/cluster.md say, with a
 * log line, an audit record and a metric, and recovers by itself; no handshake waits on Redis longer
 * than {@code storeTimeout}.
 */
class FleetStoreFailureIT {
  private static final Duration STORE_TIMEOUT = Duration.ofMillis(100);

  @TempDir
  Path dir;
  private RedisServer redis;
  private EchoUpstream upstream;
  private TestIssuer idp;
  private GatewayHarness harness;
  private AdminClient admin;
  private AuditCapture audit;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    upstream = new EchoUpstream();
    idp = TestIssuer.rsaJwkFile("idp", dir);
    audit = new AuditCapture();
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    audit.close();
    upstream.close();
    redis.close();
  }

  private void gateway(String onStoreFailure, String connections) throws Exception {
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(policies.resolve("gateway.yaml"), """
        listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [127.0.0.1/32] } }
        issuers:
          idp: { issuer: "%s", audiences: [wsgate], algorithms: [RS256], keys: { jwkFile: "%s" } }
        connections: %s
        routes:
          - path: /chat
            upstreams: ["%s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { issuers: [idp] }
        admin: { host: 127.0.0.1, port: 0 }
        cluster: { redis: "%s", nodeId: gw-solo, onStoreFailure: %s, storeTimeout: %dms, leaseTtl: 3s }
        shutdown: { drainWindow: 0s, drainTimeout: 5s }
        """.formatted(idp.issuer().issuer(), dir.resolve("idp.jwks.json"), connections, upstream.url("/"), redis.uri(),
        onStoreFailure, STORE_TIMEOUT.toMillis()));
    harness = new GatewayHarness(PolicyLoader.load(policies));
    admin = new AdminClient(harness.gateway.adminPort());
  }

  private io.vertx.core.Future<WebSocket> connect(String subject) {
    return harness.connect(harness.options("/chat").addHeader("authorization", "Bearer " + idp.token(subject)));
  }

  private int refusal(String subject) {
    Throwable failure = Await.failure(connect(subject));
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus();
  }

  private double metric(String series) {
    return admin.metrics().value(series);
  }

  @Test
  void failClosedRefusesNewHandshakesWith503WhileRedisIsDownKeepsLiveSessionsAndRecovers() throws Exception {
    gateway("failClosed", "{ perSubject: { max: 5 } }");
    WebSocket live = Await.result(connect("alice"));
    BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
    live.textMessageHandler(echoes::add);
    assertEquals(1.0, metric("wsgate_cluster_store_up{node=\"gw-solo\"}"), () -> admin.metrics().text().lines()
        .filter(l -> l.contains("cluster")).toList().toString());

    redis.stop();
    Await.until("the store is seen down", () -> metric("wsgate_cluster_store_up{node=\"gw-solo\"}") == 0.0);
    assertEquals(503, refusal("bob"));
    audit.await("handshake.rejected", list -> AuditCapture.has(list, "reason", "store_unavailable", "status", "503"));
    audit.await("cluster.store", list -> AuditCapture.has(list, "state", "down", "onStoreFailure", "failClosed"));
    live.writeTextMessage("still here");
    assertEquals("still here", echoes.poll(5, TimeUnit.SECONDS), "a live session continues");

    redis.restart();
    Await.until("new handshakes are admitted again", Duration.ofSeconds(10), () -> connect("bob").transform(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
      }
      return io.vertx.core.Future.succeededFuture(ar.succeeded());
    }).toCompletionStage().toCompletableFuture().join());
    audit.await("cluster.store", list -> AuditCapture.has(list, "state", "up"));
    assertEquals(1.0, metric("wsgate_cluster_store_up{node=\"gw-solo\"}"));
    Await.result(live.close());
  }

  @Test
  void failOpenDecidesPerNodeWhileRedisHangsAndNoHandshakeWaitsLongerThanTheStoreTimeout() throws Exception {
    gateway("failOpen", "{ perIp: { handshakes: 100/s, max: 50 }, perSubject: { max: 2 }, global: { handshakes: 1000/s } }");
    Await.result(connect("warm-up")).close();
    redis.freeze(); // connected, but answering nothing: the slow-or-partitioned case
    try {
      // Rates per IP and global, caps per IP, per subject and global: five store calls, one budget.
      long started = System.nanoTime();
      WebSocket first = Await.result(connect("alice"));
      long firstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(firstMs < STORE_TIMEOUT.toMillis() + 150, "the first handshake after the freeze took " + firstMs
          + " ms; five calls of " + STORE_TIMEOUT.toMillis() + " ms each would be " + 5 * STORE_TIMEOUT.toMillis());
      WebSocket second = Await.result(connect("alice"));
      assertEquals(429, refusal("alice"), "per-node cap while the store hangs: alice's two slots are this node's");
      assertTrue(metric("wsgate_cluster_fallbacks_total{limit=\"connections\"}") >= 3);
      assertTrue(metric("wsgate_cluster_fallbacks_total{limit=\"handshake_rate\"}") >= 1);
      Await.result(first.close());
      Await.result(second.close());
    } finally {
      redis.thaw();
    }
    Await.until("the store answers again", Duration.ofSeconds(10),
        () -> metric("wsgate_cluster_store_up{node=\"gw-solo\"}") == 1.0);
  }

  @Test
  void aRevocationMadeWhileRedisIsDownHoldsHereAndReachesTheStoreWhenItIsBack() throws Exception {
    gateway("failOpen", "{}");
    WebSocket carol = Await.result(connect("carol"));
    java.util.concurrent.CompletableFuture<Short> closed = new java.util.concurrent.CompletableFuture<>();
    carol.closeHandler(v -> closed.complete(carol.closeStatusCode()));
    redis.stop();
    Await.until("the store is seen down", () -> metric("wsgate_cluster_store_up{node=\"gw-solo\"}") == 0.0);

    AdminClient.Response revoked = admin.send(HttpMethod.POST, "/subjects/carol/revoke?for=10m", null);
    assertEquals(202, revoked.status(), revoked.body());
    JsonObject body = revoked.json();
    assertEquals(true, body.getBoolean("sharedLater"));
    assertEquals(1, body.getInteger("sessionsClosed"));
    assertEquals((short) 1008, closed.get(5, TimeUnit.SECONDS));
    assertEquals(401, refusal("carol"), "refused on this node at once");

    redis.restart();
    Await.until("the revocation reached the restarted store", Duration.ofSeconds(10),
        () -> cli("HEXISTS", "wsgate:revocations", "idp\u001fcarol").equals("1"));
    assertEquals(401, refusal("carol"));
    AdminClient.Response lifted = admin.send(HttpMethod.DELETE, "/subjects/carol/revoke", null);
    assertEquals(200, lifted.status(), lifted.body());
    assertEquals("0", cli("HEXISTS", "wsgate:revocations", "idp\u001fcarol"));
    Await.result(connect("carol")).close();
  }

  private String cli(String... args) {
    try {
      return redis.cli(args);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
