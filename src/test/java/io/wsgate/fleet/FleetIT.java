package io.wsgate.fleet;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.cluster.SyncBound;
import io.wsgate.policy.Rate;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.wsgate.fleet.FleetNodes.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real gateway processes sharing one real redis-server, and real clients: what the fleet
 * promises for a subject holds across the nodes (docs/cluster.md).
 *
 * <p>The processes are started once for the class (they take seconds to start), so the tests run in
 * order, and the last three are the destructive ones: a node is killed with SIGKILL (and started
 * again), then Redis is stopped and started again, empty, under live traffic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {
  private static final Rate MESSAGE_RATE = new Rate(20, Duration.ofSeconds(1), 20);
  private static final Duration SYNC_PERIOD = Duration.ofMillis(100);
  private static final Duration LEASE_TTL = Duration.ofSeconds(3);

  private Path root;
  private RedisServer redis;
  private EchoUpstream upstream;
  private FleetNodes fleet;
  private FleetNodes.Node a;
  private FleetNodes.Node b;
  private FleetNodes.Node c;
  private final List<WebSocket> open = new ArrayList<>();

  private String policy() {
    return """
        listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [127.0.0.1/32] } }
        issuers:
          idp: { issuer: "%s", audiences: [wsgate], algorithms: [RS256], keys: { jwkFile: idp.jwks.json } }
        connections:
          perSubject: { max: 3 }
        routes:
          - path: /chat
            upstreams: ["%s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { issuers: [idp] }
            messages:
              toUpstream:
                - { name: per-user, rate: { messages: %d/s, burst: %d, per: subject }, action: drop }
        admin: { host: 127.0.0.1, port: 0 }
        audit: { dir: audit, flushInterval: 100ms, onFailure: failOpen }
        reload: { watch: false }
        cluster: { redis: "%s", leaseTtl: %ds, syncPeriod: %dms, onStoreFailure: failOpen }
        shutdown: { drainWindow: 0s, drainTimeout: 5s }
        """.formatted(fleet.idp.issuer().issuer(), upstream.url("/"), MESSAGE_RATE.permits(), MESSAGE_RATE.burst(),
        redis.uri(), LEASE_TTL.toSeconds(), SYNC_PERIOD.toMillis());
  }

  @BeforeAll
  void startTheFleet() throws Exception {
    root = Files.createTempDirectory("fleet-it");
    redis = RedisServer.start();
    upstream = new EchoUpstream();
    fleet = new FleetNodes(root);
    List<FleetNodes.Node> nodes = fleet.start(policy(), "gw-a", "gw-b", "gw-c");
    a = nodes.get(0);
    b = nodes.get(1);
    c = nodes.get(2);
  }

  @AfterAll
  void stopTheFleet() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private WebSocket keep(Future<WebSocket> connecting) {
    WebSocket ws = Await.result(connecting);
    open.add(ws);
    return ws;
  }

  private void closeAll() {
    for (WebSocket ws : open) {
      Await.result(ws.close().otherwiseEmpty());
    }
    open.clear();
  }

  @Test
  @Order(1)
  void eachNodeIsListedOnceWithOnePolicyVersion() {
    AdminClient.Response answer = a.admin().get("/cluster");
    assertEquals(200, answer.status(), answer.body());
    JsonObject cluster = answer.json();
    assertEquals("gw-a", cluster.getString("node"));
    assertEquals("up", cluster.getString("store"));
    assertEquals(false, cluster.getBoolean("policyVersionsDiffer"));
    JsonArray nodes = cluster.getJsonArray("nodes");
    assertEquals(List.of("gw-a", "gw-b", "gw-c"), nodes.stream().map(n -> ((JsonObject) n).getString("nodeId")).toList());
    assertEquals("127.0.0.1:" + b.port(), nodes.getJsonObject(1).getString("address"));
    Await.until("gw-b's metric counts three nodes", () -> b.metric("wsgate_cluster_nodes") == 3.0);
    assertEquals(1.0, b.metric("wsgate_cluster_policy_versions"));
  }

  @Test
  @Order(2)
  void aSubjectCapOfThreeAllowsExactlyThreeSessionsAcrossTheThreeNodes() throws Exception {
    // Six handshakes at once, two per node: per node, each would fit under the cap.
    List<Future<WebSocket>> attempts = new ArrayList<>();
    for (FleetNodes.Node node : List.of(a, b, c, a, b, c)) {
      attempts.add(fleet.connect(node, "alice"));
    }
    int admitted = 0;
    int refused429 = 0;
    for (Future<WebSocket> attempt : attempts) {
      Await.result(attempt.transform(ar -> Future.succeededFuture()));
      if (attempt.succeeded()) {
        open.add(attempt.result());
        admitted++;
      } else if (status(attempt) == 429) {
        refused429++;
      }
    }
    assertEquals(3, admitted, "exactly the cap across the fleet");
    assertEquals(3, refused429);
    assertEquals(429, status(fleet.connect(c, "alice")), "and still full");
    Set<String> where = new TreeSet<>();
    for (FleetNodes.Node node : List.of(a, b, c)) {
      JsonArray sessions = node.admin().get("/sessions").json().getJsonArray("sessions");
      sessions.forEach(s -> where.add(((JsonObject) s).getString("node")));
    }
    assertFalse(where.isEmpty());
    assertTrue(Set.of("gw-a", "gw-b", "gw-c").containsAll(where), "/sessions entries carry their node: " + where);

    closeAll();
    Await.until("a slot is free again once alice's sessions ended", () -> fleet.admits(b, "alice"));
  }

  @Test
  @Order(3)
  void aRevocationPostedToOneNodeClosesTheSubjectsSessionsOnTheOthersWithinASecond() throws Exception {
    List<CompletableFuture<Long>> closedAt = new ArrayList<>();
    List<CompletableFuture<Short>> codes = new ArrayList<>();
    for (FleetNodes.Node node : List.of(b, c)) {
      WebSocket ws = keep(fleet.connect(node, "bob"));
      CompletableFuture<Long> at = new CompletableFuture<>();
      CompletableFuture<Short> code = new CompletableFuture<>();
      ws.closeHandler(v -> {
        at.complete(System.nanoTime());
        code.complete(ws.closeStatusCode());
      });
      closedAt.add(at);
      codes.add(code);
    }
    long posted = System.nanoTime();
    AdminClient.Response revoked = a.admin().send(HttpMethod.POST, "/subjects/bob/revoke?for=10m", null);
    assertEquals(200, revoked.status(), revoked.body());
    assertEquals(0, revoked.json().getInteger("sessionsClosed"), "none on gw-a itself");
    for (int i = 0; i < 2; i++) {
      assertEquals((short) 1008, codes.get(i).get(5, TimeUnit.SECONDS));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(closedAt.get(i).get() - posted);
      assertTrue(tookMs < 1000, "closed on " + List.of("gw-b", "gw-c").get(i) + " after " + tookMs + " ms");
    }
    open.clear();
    for (FleetNodes.Node node : List.of(a, b, c)) {
      assertEquals(401, status(fleet.connect(node, "bob")), "refused on " + node.id());
    }

    AdminClient.Response lifted = b.admin().send(HttpMethod.DELETE, "/subjects/bob/revoke", null);
    assertEquals(200, lifted.status(), lifted.body());
    Await.until("the lift reached every node", Duration.ofSeconds(2),
        () -> fleet.admits(a, "bob") && fleet.admits(c, "bob"));
  }

  @Test
  @Order(4)
  void aPerSubjectMessageRateAcrossThreeNodesStaysWithinTheDocumentedBound() throws Exception {
    int perClient = 150;
    Duration every = Duration.ofMillis(20);
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger dropped = new AtomicInteger();
    List<WebSocket> clients = new ArrayList<>();
    for (FleetNodes.Node node : List.of(a, b, c)) {
      WebSocket ws = keep(fleet.connect(node, "carol"));
      ws.textMessageHandler(text -> (text.startsWith("{\"error\":\"message_rate_limited\"") ? dropped : delivered)
          .incrementAndGet());
      clients.add(ws);
    }
    long started = System.nanoTime();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (WebSocket ws : clients) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      AtomicInteger count = new AtomicInteger();
      fleet.vertx.setPeriodic(every.toMillis(), id -> {
        ws.writeTextMessage("m" + count.get());
        if (count.incrementAndGet() == perClient) {
          fleet.vertx.cancelTimer(id);
          done.complete(null);
        }
      });
      sent.add(done);
    }
    CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    Duration window = Duration.ofNanos(System.nanoTime() - started).plus(every);
    Await.until("an answer for every message", Duration.ofSeconds(10),
        () -> delivered.get() + dropped.get() == 3 * perClient);

    long bound = SyncBound.forRate(MESSAGE_RATE, SYNC_PERIOD).fleetBound(MESSAGE_RATE, window, 3);
    long perNodeLimits = 3L * (MESSAGE_RATE.burst() + MESSAGE_RATE.permits() * window.toMillis() / 1000);
    System.out.printf("per-subject rate %d/s over %d ms on 3 nodes: %d delivered, %d dropped; fleet bound %d, three"
        + " per-node buckets would allow about %d%n", MESSAGE_RATE.permits(), window.toMillis(), delivered.get(),
        dropped.get(), bound, perNodeLimits);
    assertTrue(delivered.get() <= bound, delivered + " delivered, more than the bound " + bound);
    assertTrue(bound < perNodeLimits, "the test tells shared buckets from per-node ones");
    assertTrue(delivered.get() >= MESSAGE_RATE.permits() * window.toMillis() / 2000, "the rate is not starved: "
        + delivered);
    closeAll();
  }

  @Test
  @Order(5)
  void aPolicyVersionThatDiffersBetweenNodesIsReportedInClusterAndInAMetric() throws Exception {
    Path file = c.dir().resolve("gateway.yaml");
    String original = Files.readString(file);
    Files.writeString(file, original + "# a change on gw-c only\n");
    assertEquals(200, c.admin().send(HttpMethod.POST, "/policy/reload", null).status());
    Await.until("gw-a sees two versions", Duration.ofSeconds(5),
        () -> a.admin().get("/cluster").json().getBoolean("policyVersionsDiffer"));
    Await.until("and counts them", Duration.ofSeconds(5), () -> a.metric("wsgate_cluster_policy_versions") == 2.0);
    Files.writeString(file, original);
    assertEquals(200, c.admin().send(HttpMethod.POST, "/policy/reload", null).status());
    Await.until("one version again", Duration.ofSeconds(5),
        () -> !a.admin().get("/cluster").json().getBoolean("policyVersionsDiffer"));
  }

  @Test
  @Order(6)
  void aNodeKilledWithSigkillFreesItsSlotsWithinTheLeaseTtl() throws Exception {
    for (int i = 0; i < 3; i++) {
      keep(fleet.connect(c, "dave"));
    }
    assertEquals(429, status(fleet.connect(a, "dave")), "dave's three slots are held on gw-c");
    c.process().process().destroyForcibly(); // SIGKILL: no close, no release, no goodbye
    long killed = System.nanoTime();
    assertTrue(c.process().process().waitFor(10, TimeUnit.SECONDS));
    open.clear();
    assertEquals(429, status(fleet.connect(a, "dave")), "the dead node's leases still count until they expire");
    Await.until("gw-a admits dave once gw-c's leases expired", LEASE_TTL.plusSeconds(3), () -> fleet.admits(a, "dave"));
    long freedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    System.out.printf("slots of a SIGKILLed node freed %d ms after the kill (lease TTL %d ms)%n", freedMs,
        LEASE_TTL.toMillis());
    assertTrue(freedMs <= LEASE_TTL.toMillis() + 1000, "freed " + freedMs + " ms after the kill");
    // /cluster answers 503 without "nodes" while the store is being asked again: keep polling then.
    Await.until("gw-c leaves the roll call", Duration.ofSeconds(8), () -> {
      JsonArray nodes = a.admin().get("/cluster").json().getJsonArray("nodes");
      return nodes != null && nodes.stream().noneMatch(n -> ((JsonObject) n).getString("nodeId").equals("gw-c"));
    });
  }

  @Test
  @Order(7)
  void aNodeRestartedAfterARevocationItMissedRefusesTheSubjectFromItsFirstHandshake() throws Exception {
    // gw-c is dead (the test before): it cannot hear this revocation.
    assertEquals(200, a.admin().send(HttpMethod.POST, "/subjects/ivan/revoke?for=10m", null).status());
    c = fleet.restart(c);
    assertEquals(401, status(fleet.connect(c, "ivan")), "fetched from Redis before it listened");
    Await.until("gw-c back in the roll call", Duration.ofSeconds(5), () -> a.admin().get("/cluster").json()
        .getJsonArray("nodes").size() == 3);
    FleetNodes.stop(c);
    FleetNodes.intactAudit(c);
  }

  @Test
  @Order(8)
  void stoppingAndRestartingRedisUnderLiveTrafficFallsBackPerNodeRecoversAndLosesNothing() throws Exception {
    assertEquals(200, a.admin().send(HttpMethod.POST, "/subjects/eve/revoke?for=10m", null).status());
    AtomicInteger echoes = new AtomicInteger();
    List<Long> periodic = new ArrayList<>();
    for (FleetNodes.Node node : List.of(a, b)) {
      WebSocket ws = keep(fleet.connect(node, "frank"));
      ws.textMessageHandler(text -> echoes.incrementAndGet());
      periodic.add(fleet.vertx.setPeriodic(100, id -> ws.writeTextMessage("tick")));
    }
    Await.until("traffic flows", () -> echoes.get() >= 10);

    redis.stop();
    for (FleetNodes.Node node : List.of(a, b)) {
      Await.until(node.id() + " sees the store down", Duration.ofSeconds(5),
          () -> node.metric("wsgate_cluster_store_up{node=\"" + node.id() + "\"}") == 0.0);
    }
    int before = echoes.get();
    Await.until("live sessions keep relaying while Redis is down", () -> echoes.get() >= before + 10);
    WebSocket newcomer = keep(fleet.connect(a, "grace"));
    assertTrue(a.metric("wsgate_cluster_fallbacks_total{limit=\"connections\"}") >= 1, "decided by gw-a alone");
    assertEquals(401, status(fleet.connect(b, "eve")), "revocations hold from each node's own list");
    newcomer.writeTextMessage("hello");

    redis.restart(); // empty: it persisted nothing
    for (FleetNodes.Node node : List.of(a, b)) {
      Await.until(node.id() + " sees the store up again", Duration.ofSeconds(10),
          () -> node.metric("wsgate_cluster_store_up{node=\"" + node.id() + "\"}") == 1.0);
    }
    Await.until("eve's revocation re-published from the nodes' lists", Duration.ofSeconds(5),
        () -> cli("HEXISTS", "wsgate:revocations", "idp\u001feve").equals("1"));
    assertEquals(401, status(fleet.connect(a, "eve")));
    Await.until("both nodes back in the roll call", Duration.ofSeconds(5),
        () -> a.admin().get("/cluster").json().getJsonArray("nodes").size() == 2);
    int after = echoes.get();
    Await.until("live sessions still relay", () -> echoes.get() >= after + 5);
    periodic.forEach(fleet.vertx::cancelTimer);
    closeAll();

    for (FleetNodes.Node node : List.of(a, b)) {
      FleetNodes.stop(node);
      List<JsonObject> records = FleetNodes.intactAudit(node);
      List<String> store = records.stream().filter(r -> "cluster.store".equals(r.getString("event")))
          .map(r -> r.getString("state")).toList();
      assertTrue(store.containsAll(List.of("up", "down")), node.id() + ": " + store);
      assertEquals("down", store.get(store.lastIndexOf("down")));
      assertEquals("up", store.get(store.size() - 1), node.id() + " ends up");
      Set<String> accepted = ids(records, "session.accepted");
      assertEquals(accepted, ids(records, "session.closed"), node.id() + ": one session.closed per session.accepted");
      assertTrue(records.stream().allMatch(r -> node.id().equals(r.getString("node"))), "every record names its node");
    }
  }

  private static Set<String> ids(List<JsonObject> records, String event) {
    return records.stream().filter(r -> event.equals(r.getString("event"))).map(r -> r.getString("requestId"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private String cli(String... args) {
    try {
      return redis.cli(args);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
