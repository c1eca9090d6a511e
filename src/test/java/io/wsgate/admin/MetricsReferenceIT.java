package io.wsgate.admin;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RedisServer;
import io.wsgate.testing.TestIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric in the table of {@code docs/metrics.md} is in a real scrape of {@code /metrics}, with
 * the documented type, and moves when its event happens on the wire. The rows are read from the
 * document, so a metric documented without a case here fails, and so does a case for a metric the
 * document does not list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsReferenceIT {
  private static final Path REFERENCE = Path.of("docs/metrics.md");
  private static final Pattern ROW = Pattern.compile("^\\| `(wsgate_[a-z_]+)` \\| (counter|gauge|histogram) \\|");
  private static final int AUDIT_QUEUE = 16;
  private static final String PATTERN_DENIED = "reason=\"pattern_denied\"";
  private static final String FLEET_NODE = "gw-metrics";

  /** One documented metric: its name and type, as the table gives them. */
  record Documented(String family, String type) {
    @Override
    public String toString() {
      return family;
    }
  }

  static List<Documented> documented() throws IOException {
    List<Documented> rows = new ArrayList<>();
    for (String line : Files.readAllLines(REFERENCE)) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        rows.add(new Documented(m.group(1), m.group(2)));
      }
    }
    return rows;
  }

  /** What a case does to the gateway. */
  interface Event {
    void on(MetricsReferenceIT gateway) throws Exception;
  }

  /**
   * One series after the event: up by exactly {@code by} (when {@code atLeast} is false) or by at
   * least {@code by}; or, when {@code equals} is set, exactly that value. {@code series} is a
   * selector: the sum of the series of that name whose labels include those given.
   */
  record Expect(String series, double by, boolean atLeast, Double equals) {
    static Expect by(String series, double by) {
      return new Expect(series, by, false, null);
    }

    static Expect atLeast(String series, double by) {
      return new Expect(series, by, true, null);
    }

    static Expect equals(String series, double value) {
      return new Expect(series, 0, false, value);
    }

    /** Reached: the value to wait for (an exact count is then checked by {@link #check}). */
    boolean met(double before, double after) {
      return equals != null ? after == equals : after >= before + by;
    }

    void check(double before, double after) {
      if (equals != null) {
        assertEquals(equals, after, series);
      } else if (atLeast) {
        assertTrue(after >= before + by, series + ": " + before + " -> " + after + ", expected +" + by + " or more");
      } else {
        assertEquals(before + by, after, series + " moved by exactly " + by);
      }
    }
  }

  /** @param fleet the event happens to, and is scraped from, a gateway with a {@code cluster:} section */
  record Case(String event, Event run, List<Expect> expect, boolean fleet) {
    static Case of(String event, Event run, Expect... expect) {
      return new Case(event, run, List.of(expect), false);
    }

    static Case inFleet(String event, Event run, Expect... expect) {
      return new Case(event, run, List.of(expect), true);
    }
  }

  /** Per documented metric, the event that moves it. */
  private static final Map<String, Case> CASES = new LinkedHashMap<>();

  static {
    CASES.put("wsgate_sessions_active", Case.of("a session opens on /chat", MetricsReferenceIT::keepOpen,
        Expect.equals("wsgate_sessions_active", 1), Expect.equals("wsgate_sessions_active{route=\"/chat\"}", 1),
        Expect.equals("wsgate_sessions_active{route=\"/down\",upstream=\"ws://127.0.0.1:1/\"}", 0)));
    CASES.put("wsgate_handshakes_total", Case.of("one upgrade accepted, one to an unknown path", g -> {
      g.session(ws -> { });
      g.refused("/nowhere", 404);
    }, Expect.by("wsgate_handshakes_total{outcome=\"accepted\",reason=\"none\"}", 1),
        Expect.by("wsgate_handshakes_total{outcome=\"rejected\",reason=\"route_not_found\"}", 1)));
    CASES.put("wsgate_sessions_closed_total", Case.of("the client closes its session", g -> g.session(ws -> { }),
        Expect.by("wsgate_sessions_closed_total{reason=\"peer_closed\",route=\"/chat\"}", 1)));
    CASES.put("wsgate_messages_total", Case.of("two messages each way, then the session ends",
        g -> g.session(ws -> g.roundTrip(ws, "hello", "world!")),
        Expect.by("wsgate_messages_total{direction=\"to_upstream\",route=\"/chat\"}", 2),
        Expect.by("wsgate_messages_total{direction=\"to_client\",route=\"/chat\"}", 2)));
    CASES.put("wsgate_message_bytes_total", Case.of("11 payload bytes each way, then the session ends",
        g -> g.session(ws -> g.roundTrip(ws, "hello", "world!")),
        Expect.by("wsgate_message_bytes_total{direction=\"to_upstream\",route=\"/chat\"}", 11),
        Expect.by("wsgate_message_bytes_total{direction=\"to_client\",route=\"/chat\"}", 11)));
    CASES.put("wsgate_message_refusals_total", Case.of("a drop rule and a close rule refuse one message each", g -> {
      g.session(ws -> g.expectReply(ws, "dropme", "{\"error\":\"pattern_denied\",\"rule\":\"no-drop\"}"));
      g.closedBy("closeme", 1008);
    }, Expect.by("wsgate_message_refusals_total{action=\"drop\"," + PATTERN_DENIED + "}", 1),
        Expect.by("wsgate_message_refusals_total{action=\"close\"," + PATTERN_DENIED + "}", 1),
        Expect.by("wsgate_sessions_closed_total{" + PATTERN_DENIED + ",route=\"/chat\"}", 1)));
    CASES.put("wsgate_monitor_hits_total", Case.of("a monitor rule would have refused a message",
        g -> g.session(ws -> g.roundTrip(ws, "watched")),
        Expect.by("wsgate_monitor_hits_total{" + PATTERN_DENIED + "}", 1)));
    CASES.put("wsgate_handshake_duration_seconds", Case.of("one upgrade accepted, one refused", g -> {
      g.session(ws -> { });
      g.refused("/nowhere", 404);
    }, Expect.by("wsgate_handshake_duration_seconds_count{outcome=\"accepted\"}", 1),
        Expect.by("wsgate_handshake_duration_seconds_count{outcome=\"rejected\"}", 1),
        Expect.by("wsgate_handshake_duration_seconds_bucket{outcome=\"accepted\",le=\"+Inf\"}", 1)));
    CASES.put("wsgate_handshake_duration_seconds_max", Case.of("an upgrade accepted", g -> g.session(ws -> { }),
        Expect.atLeast("wsgate_handshake_duration_seconds_max{outcome=\"accepted\"}", Double.MIN_VALUE)));
    CASES.put("wsgate_upstream_connect_duration_seconds", Case.of("one upstream reached, one unreachable", g -> {
      g.session(ws -> { });
      g.refused("/down", 502);
    }, Expect.by("wsgate_upstream_connect_duration_seconds_count{outcome=\"ok\"}", 1),
        Expect.by("wsgate_upstream_connect_duration_seconds_count{outcome=\"failed\"}", 1)));
    CASES.put("wsgate_upstream_connect_duration_seconds_max", Case.of("an upstream reached", g -> g.session(ws -> { }),
        Expect.atLeast("wsgate_upstream_connect_duration_seconds_max{outcome=\"ok\"}", Double.MIN_VALUE)));
    CASES.put("wsgate_upstream_member_up", Case.of("the /down member's dial fails: it cools down", g -> g.refused("/down", 502),
        Expect.equals("wsgate_upstream_member_up{match=\"exact\",member=\"ws://127.0.0.1:1/\",route=\"/down\"}", 0),
        Expect.equals("wsgate_upstream_member_up{match=\"exact\",member=\"demo\",route=\"/demo\"}", 1)));
    CASES.put("wsgate_upstream_member_sessions", Case.of("a session on /demo stays open", g -> g.keepOpen("/demo"),
        Expect.equals("wsgate_upstream_member_sessions{match=\"exact\",member=\"demo\",route=\"/demo\"}", 1)));
    CASES.put("wsgate_policy_reloads_total", Case.of("a reload of a broken file, then of a good one", g -> {
      g.reload("routes: [ broken\n", false);
      g.reload(g.policy(), true);
    }, Expect.by("wsgate_policy_reloads_total{outcome=\"failed\"}", 1),
        Expect.by("wsgate_policy_reloads_total{outcome=\"ok\"}", 1)));
    CASES.put("wsgate_policy_info", Case.of("a reload to a policy of another version",
        g -> g.reload(g.policy() + "# another version\n", true), Expect.equals("wsgate_policy_info", 1)));
    CASES.put("wsgate_policy_loaded_timestamp_seconds", Case.of("a reload that succeeds",
        g -> g.reload(g.policy(), true), Expect.atLeast("wsgate_policy_loaded_timestamp_seconds", Double.MIN_VALUE)));
    CASES.put("wsgate_policy_last_reload_successful", Case.of("a reload of a broken file",
        g -> g.reload("routes: [ broken\n", false), Expect.equals("wsgate_policy_last_reload_successful", 0)));
    CASES.put("wsgate_policy_last_reload_timestamp_seconds", Case.of("a reload, broken or not",
        g -> g.reload("routes: [ broken\n", false),
        Expect.atLeast("wsgate_policy_last_reload_timestamp_seconds", Double.MIN_VALUE)));
    CASES.put("wsgate_build_info", Case.of("the gateway runs (a scrape)", g -> { },
        Expect.equals("wsgate_build_info{version=\"" + System.getProperty("wsgate.version", "unknown") + "\"}", 1)));
    CASES.put("wsgate_revocations", Case.of("a subject is revoked through the admin API",
        g -> g.revoke("alice", 200), Expect.by("wsgate_revocations", 1)));
    CASES.put("wsgate_revocations_refused_total", Case.of("a revocation beyond connections.trackedKeys", g -> {
      g.fillRevocations();
      g.revoke("one-too-many", 507);
    }, Expect.by("wsgate_revocations_refused_total", 1)));
    CASES.put("wsgate_audit_queue_depth", Case.of("the audit directory is lost while refusals are recorded",
        g -> g.auditLost(5), Expect.atLeast("wsgate_audit_queue_depth", 5)));
    CASES.put("wsgate_audit_queue_capacity", Case.of("the queue fills up while the audit directory is lost",
        g -> g.auditLost(AUDIT_QUEUE + 2), Expect.equals("wsgate_audit_queue_capacity", AUDIT_QUEUE),
        Expect.equals("wsgate_audit_queue_depth", AUDIT_QUEUE)));
    CASES.put("wsgate_audit_dropped_total", Case.of("more refusals than the queue holds while the directory is lost",
        g -> g.auditLost(AUDIT_QUEUE + 3), Expect.atLeast("wsgate_audit_dropped_total", 3)));
    CASES.put("wsgate_audit_syslog_dropped_total", Case.of("refusals while the syslog receiver is down",
        g -> {
          for (int i = 0; i < 3; i++) {
            g.refused("/nowhere", 404);
          }
        }, Expect.atLeast("wsgate_audit_syslog_dropped_total", 3)));
    CASES.put("wsgate_jwks_fetches_total", Case.of("a token whose issuer has no keys yet asks for them",
        g -> g.refusedToken(), Expect.atLeast("wsgate_jwks_fetches_total{issuer=\"idp\"}", 1)));
    CASES.put("wsgate_jwks_failures_total", Case.of("that fetch fails (nothing listens on port 1)",
        g -> g.refusedToken(), Expect.atLeast("wsgate_jwks_failures_total{issuer=\"idp\"}", 1)));
    CASES.put("wsgate_cluster_store_up", Case.inFleet("the cluster's Redis stops", MetricsReferenceIT::redisDown,
        Expect.equals("wsgate_cluster_store_up{node=\"" + FLEET_NODE + "\"}", 0)));
    CASES.put("wsgate_cluster_fallbacks_total", Case.inFleet("a handshake and a message while Redis is stopped", g -> {
      g.redisDown();
      g.fleetSession();
    }, Expect.atLeast("wsgate_cluster_fallbacks_total{limit=\"handshake_rate\"}", 1),
        Expect.atLeast("wsgate_cluster_fallbacks_total{limit=\"connections\"}", 1),
        Expect.atLeast("wsgate_cluster_fallbacks_total{limit=\"message_rate\"}", 1)));
    CASES.put("wsgate_cluster_nodes", Case.inFleet("a second gateway joins the fleet", MetricsReferenceIT::secondMember,
        Expect.equals("wsgate_cluster_nodes", 2)));
    CASES.put("wsgate_cluster_policy_versions", Case.inFleet("the second gateway runs another policy version",
        MetricsReferenceIT::secondMember, Expect.equals("wsgate_cluster_policy_versions", 2)));
  }


  private Path root;
  private Path policyDir;
  private Path auditDir;
  private EchoUpstream upstream;
  private GatewayHarness harness;
  private AdminClient admin;
  private final TestIssuer idp = TestIssuer.jwks("idp", URI.create("http://127.0.0.1:1/jwks.json"), TestIssuer.RSA);

  /**
   * Anonymous {@code /chat} with a monitor rule and a drop and a close rule, {@code /down} whose
   * upstream is unreachable, {@code /demo} on the embedded demo upstream, {@code /jwks} trusting an issuer whose JWKS endpoint is down; the
   * audit written to files through a small queue; the admin listener on loopback.
   */
  String policy() {
    return """
        listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [0.0.0.0/0, "::/0"] } }
        issuers:
          idp:
            issuer: %s
            audiences: [wsgate]
            algorithms: [RS256]
            keys: { jwksUrl: "http://127.0.0.1:1/jwks.json", minRefetch: 1ms, fetchTimeout: 2s }
        routes:
          - path: /chat
            upstreams: ["%s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
            messages:
              toUpstream:
                - { name: watch, denyPatterns: ["watched"], action: drop, mode: monitor }
                - { name: no-drop, denyPatterns: ["dropme"], action: drop }
                - { name: no-close, denyPatterns: ["closeme"], action: close }
          - path: /down
            upstreams: ["ws://127.0.0.1:1/"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
          - path: /demo
            upstreams: [demo]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
          - path: /jwks
            upstreams: ["%s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { issuers: [idp] }
        connections: { trackedKeys: 1000 }
        admin: { enabled: true, host: 127.0.0.1, port: 0 }
        audit:
          dir: "%s"
          queueSize: %d
          flushInterval: 50ms
          onFailure: failOpen
          syslog: { host: 127.0.0.1, port: 1, queueSize: 1 }  # nothing listens there: every copy beyond one is dropped
        shutdown: { drainWindow: 0s, drainTimeout: 10s }
        """.formatted(idp.issuer().issuer(), upstream.url("/"), upstream.url("/"), auditDir, AUDIT_QUEUE);
  }

  @BeforeAll
  void start() throws Exception {
    root = Files.createTempDirectory("metrics-reference");
    policyDir = Files.createDirectory(root.resolve("policies"));
    auditDir = root.resolve("audit");
    upstream = new EchoUpstream();
    write(policy());
    harness = new GatewayHarness(PolicyLoader.load(policyDir));
    // Reloads only on request: the watcher's own poll must not add a reload to a case's count.
    Await.result(harness.gateway.watchPolicy(3_600_000));
    admin = new AdminClient(harness.gateway.adminPort());
    fleetAdmin();
  }

  @AfterAll
  void stop() throws IOException {
    if (harness != null) {
      harness.close();
    }
    if (fleetHarness != null) {
      fleetHarness.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    deleteTree(root);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documented")
  void everyDocumentedMetricMovesWhenItsEventHappens(Documented metric) throws Exception {
    Case c = CASES.get(metric.family());
    assertNotNull(c, "docs/metrics.md documents " + metric.family() + ", but no case here makes it move: add one");
    Await.until("no session left from another case", () -> harness.gateway.services().sessions().size() == 0);
    AdminClient admin = c.fleet() ? fleetAdmin() : this.admin;
    AdminClient.Metrics before = admin.metrics();
    c.run().on(this);
    try {
      Await.until(metric.family() + " after: " + c.event(), () -> {
        AdminClient.Metrics now = admin.metrics();
        return c.expect().stream().allMatch(e -> e.met(before.sum(e.series()), now.sum(e.series())));
      });
    } catch (AssertionError timedOut) {
      // The checks below say which series did not move, and from what to what.
    }
    AdminClient.Metrics after = admin.metrics();
    for (Expect e : c.expect()) {
      assertTrue(after.has(e.series()), e.series() + " is not in the scrape:\n" + after.text());
      e.check(before.sum(e.series()), after.sum(e.series()));
    }
    assertTrue(after.text().contains("# TYPE " + metric.family() + " " + metric.type() + "\n")
            || after.text().contains("# TYPE " + metric.family() + " " + metric.type() + " "),
        "# TYPE " + metric.family() + " " + metric.type() + " in:\n" + after.text());
  }

  @Test
  void everyCaseIsForADocumentedMetricAndEveryScrapedMetricIsDocumented() throws Exception {
    Set<String> families = new TreeSet<>();
    documented().forEach(d -> families.add(d.family()));
    assertTrue(families.size() >= 17, "the table was read: " + families);
    Set<String> stale = new TreeSet<>(CASES.keySet());
    stale.removeAll(families);
    assertEquals(Set.of(), stale, "cases for metrics docs/metrics.md does not list");
    Set<String> scraped = new TreeSet<>(admin.metrics().samples().keySet());
    scraped.addAll(fleetAdmin().metrics().samples().keySet());
    for (String series : scraped) {
      String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
      String family = name.replaceAll("_(bucket|count|sum)$", "");
      if (family.startsWith("wsgate_")) {
        assertTrue(families.contains(family), "/metrics exports " + family + ", which docs/metrics.md does not list");
      }
    }
  }

  /** The runtime table: JVM, process and Netty metrics from Micrometer's binders. */
  private static final Pattern RUNTIME_ROW =
      Pattern.compile("^\\| `((?:jvm|process|system|netty)_[a-z0-9_]+)` \\| (counter|gauge|summary) \\|");

  static List<Documented> documentedRuntime() throws IOException {
    List<Documented> rows = new ArrayList<>();
    for (String line : Files.readAllLines(REFERENCE)) {
      Matcher m = RUNTIME_ROW.matcher(line);
      if (m.find()) {
        rows.add(new Documented(m.group(1), m.group(2)));
      }
    }
    return rows;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documentedRuntime")
  void everyDocumentedRuntimeMetricIsScrapedWithItsType(Documented metric) throws Exception {
    if (metric.family().startsWith("jvm_gc_pause")) {
      System.gc(); // at least one pause recorded, in this JVM where the gateway runs
      Await.until("a GC pause recorded", () -> admin.metrics().has(metric.family() + "_count"));
    }
    AdminClient.Metrics scrape = admin.metrics();
    String series = metric.type().equals("summary") ? metric.family() + "_count" : metric.family();
    assertTrue(scrape.has(series), series + " in:\n" + scrape.text());
    assertTrue(scrape.text().contains("# TYPE " + metric.family() + " " + metric.type() + "\n"),
        "# TYPE " + metric.family() + " " + metric.type() + " in:\n" + scrape.text());
  }

  @Test
  void runtimeMetricsReadThisProcess() throws Exception {
    assertTrue(documentedRuntime().size() >= 20, "the runtime table was read");
    AdminClient.Metrics scrape = admin.metrics();
    assertTrue(scrape.sum("jvm_memory_used_bytes{area=\"heap\"}") > 0, scrape.text());
    assertTrue(scrape.sum("jvm_threads_live_threads") > 1, scrape.text());
    assertTrue(scrape.sum("process_files_open_files") > 0, scrape.text());
    assertTrue(scrape.sum("process_uptime_seconds") > 0, scrape.text());
    assertTrue(scrape.sum("system_cpu_count") >= 1, scrape.text());
    // The allocator under every connection: a session has come and gone, so it holds direct memory.
    session(ws -> roundTrip(ws, "warm"));
    assertTrue(admin.metrics().sum("netty_allocator_memory_used{memory_type=\"direct\"}") > 0,
        admin.metrics().text());
  }

  @Test
  void policyInfoNamesTheVersionInForce() throws Exception {
    reload(policy() + "# version for policy_info\n", true);
    String version = harness.gateway.services().current().policy().version();
    AdminClient.Metrics scrape = admin.metrics();
    assertEquals(1, scrape.sum("wsgate_policy_info{version=\"" + version + "\"}"), scrape.text());
    assertEquals(1, scrape.sum("wsgate_policy_info"), "only the version in force: " + scrape.text());
    reload(policy(), true);
  }

  // The events. Each leaves no session open behind it.

  interface SessionBody {
    void with(WebSocket ws) throws Exception;
  }

  /** Opens a session on /chat, runs {@code body}, closes it and waits until its end was counted. */
  void session(SessionBody body) throws Exception {
    long closed = harness.gateway.services().audit().metrics().closedTotal();
    WebSocket ws = Await.result(harness.connect("/chat"));
    body.with(ws);
    Await.result(ws.close());
    Await.until("the session's end counted", () -> harness.gateway.services().audit().metrics().closedTotal() > closed);
  }

  /** Opens a session on /chat that stays open until the case's scrape was read ({@link #cleanUp()}). */
  void keepOpen() {
    keepOpen("/chat");
  }

  void keepOpen(String path) {
    open.add(Await.result(harness.connect(path)));
  }

  void roundTrip(WebSocket ws, String... texts) throws Exception {
    BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
    ws.textMessageHandler(echoes::add);
    for (String text : texts) {
      ws.writeTextMessage(text);
      assertEquals(text, echoes.poll(10, TimeUnit.SECONDS));
    }
  }

  void expectReply(WebSocket ws, String text, String reply) throws Exception {
    BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    ws.textMessageHandler(replies::add);
    ws.writeTextMessage(text);
    assertEquals(reply, replies.poll(10, TimeUnit.SECONDS));
  }

  /** A message a close rule refuses: the session ends with {@code code}. */
  void closedBy(String text, int code) throws Exception {
    long closed = harness.gateway.services().audit().metrics().closedTotal();
    WebSocket ws = Await.result(harness.connect("/chat"));
    CompletableFuture<Short> closing = new CompletableFuture<>();
    ws.closeHandler(v -> closing.complete(ws.closeStatusCode()));
    ws.writeTextMessage(text);
    assertEquals((short) code, closing.get(10, TimeUnit.SECONDS));
    Await.until("the session's end counted", () -> harness.gateway.services().audit().metrics().closedTotal() > closed);
  }

  void revoke(String subject, int status) {
    assertEquals(status, admin.send(io.vertx.core.http.HttpMethod.POST, "/subjects/" + subject + "/revoke?issuer=idp",
        null).status());
  }

  /** Revocations up to the list's capacity, straight into the list (the admin API would write the file each time). */
  void fillRevocations() {
    var revocations = harness.gateway.services().revocations();
    for (int i = 0; revocations.size() < revocations.capacity(); i++) {
      revocations.revoke(new io.wsgate.limits.SubjectId("idp", "filler-" + i), java.time.Instant.now().plusSeconds(600));
    }
  }

  void refused(String path, int status) {
    Throwable failure = Await.failure(harness.connect(path));
    assertEquals(status, assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus());
  }

  void refusedToken() {
    Throwable failure = Await.failure(harness.connect(harness.options("/jwks")
        .addHeader("authorization", "Bearer " + idp.token("alice"))));
    assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
  }

  void reload(String yaml, boolean ok) throws Exception {
    long before = harness.gateway.services().audit().metrics().reloads(ok);
    write(yaml);
    harness.gateway.reload("SIGHUP");
    Await.until("reload counted", () -> harness.gateway.services().audit().metrics().reloads(ok) > before);
  }

  /**
   * The audit directory is replaced by a file (root ignores permissions, so the directory itself
   * goes) and {@code refusals} handshakes are refused, each recorded into a queue nobody drains.
   * The directory comes back after the case's scrape was read ({@link #cleanUp()}).
   */
  void auditLost(int refusals) throws Exception {
    var audit = harness.gateway.services().audit();
    Await.until("the trail healthy before", audit::healthy);
    deleteTree(auditDir);
    Files.writeString(auditDir, "not a directory");
    lostAudit = true;
    Await.until("the writer notices", () -> !audit.healthy());
    for (int i = 0; i < refusals; i++) {
      refused("/nowhere", 404);
    }
  }

  // The fleet's cases: a gateway with a cluster section on a real redis-server, started for the first such case.

  private RedisServer redis;
  private GatewayHarness fleetHarness;
  private AdminClient fleetAdmin;
  private GatewayHarness secondMember;
  private TestIssuer fleetIssuer;
  private boolean redisStopped;

  /**
   * The fleet member (started with the class: gateways a test method starts must close with it).
   * {@code /chat} needs a token of a local issuer and has a per-subject message rate; handshakes per IP
   * are rated; leases are short.
   */
  String fleetPolicy(String nodeId) {
    return """
        listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [127.0.0.1/32] } }
        issuers:
          local: { issuer: "%s", audiences: [wsgate], algorithms: [RS256], keys: { jwkFile: "%s" } }
        connections: { perIp: { handshakes: 100/s } }
        routes:
          - path: /chat
            upstreams: ["%s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { issuers: [local] }
            messages:
              toUpstream:
                - { name: per-user, rate: { messages: 100/s, per: subject }, action: drop }
        admin: { enabled: true, host: 127.0.0.1, port: 0 }
        cluster: { redis: "%s", nodeId: %s, leaseTtl: 2s }
        shutdown: { drainWindow: 0s, drainTimeout: 10s }
        """.formatted(fleetIssuer.issuer().issuer(), root.resolve("local.jwks.json"), upstream.url("/"), redis.uri(),
        nodeId);
  }

  private AdminClient fleetAdmin() throws Exception {
    if (fleetHarness == null) {
      redis = RedisServer.start();
      fleetIssuer = TestIssuer.rsaJwkFile("local", root);
      fleetHarness = new GatewayHarness(PolicyLoader.load(writePolicy("fleet-a", fleetPolicy(FLEET_NODE))));
      fleetAdmin = new AdminClient(fleetHarness.gateway.adminPort());
      Await.until("the fleet member's first roll call", () -> fleetAdmin.metrics().value("wsgate_cluster_nodes") == 1);
    }
    return fleetAdmin;
  }

  private Path writePolicy(String name, String yaml) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve(PolicyLoader.FILE_NAME), yaml);
    return dir;
  }

  void redisDown() {
    redis.stop();
    redisStopped = true;
    Await.until("the store seen down", () -> !fleetHarness.gateway.fleet().storeUp());
  }

  /** A session with a token on the fleet member: one message, then it ends. */
  void fleetSession() throws Exception {
    WebSocket ws = Await.result(fleetHarness.connect(fleetHarness.options("/chat")
        .addHeader("authorization", "Bearer " + fleetIssuer.token("alice"))));
    BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
    ws.textMessageHandler(echoes::add);
    ws.writeTextMessage("while the store is down");
    assertEquals("while the store is down", echoes.poll(10, TimeUnit.SECONDS));
    Await.result(ws.close());
  }

  /** Another fleet member, closed by the case's clean-up. */
  void secondMember() throws Exception {
    if (secondMember == null) {
      secondMember = new GatewayHarness(PolicyLoader.load(writePolicy("fleet-b", fleetPolicy("gw-metrics-2"))));
    }
  }

  private boolean lostAudit;
  private final List<WebSocket> open = new ArrayList<>();

  /** Closes what a case left open and gives the audit directory back, once the case's scrape was read. */
  @AfterEach
  void cleanUp() throws Exception {
    for (WebSocket ws : open) {
      Await.result(ws.close());
    }
    open.clear();
    if (lostAudit) {
      lostAudit = false;
      Files.delete(auditDir);
      Await.until("the trail recovers", harness.gateway.services().audit()::healthy);
    }
    if (redisStopped) {
      redisStopped = false;
      redis.restart();
      Await.until("the store answers again", java.time.Duration.ofSeconds(10),
          () -> fleetHarness.gateway.fleet().storeUp());
    }
    if (secondMember != null) {
      secondMember.close();
      secondMember = null;
    }
  }

  /** Replaces gateway.yaml in one step, so a reload never reads half a file. */
  private void write(String yaml) throws IOException {
    io.wsgate.testing.PolicyDirectory.replace(policyDir, yaml);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      Files.delete(dir);
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
