package io.wsgate.admin;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.Action;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docs/grafana-dashboard.json} is valid JSON, and every query in it names only metrics that a
 * real gateway's {@code /metrics} exposes; {@code docs/metrics.md} documents each of them.
 */
class GrafanaDashboardIT {
  private static final Path DASHBOARD = Path.of("docs/grafana-dashboard.json");
  private static final Path REFERENCE = Path.of("docs/metrics.md");
  /** PromQL words that are not metric names: functions (followed by "("), aggregation modifiers, operators. */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  @Test
  void everyQueryNamesOnlyExposedMetrics() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    List<String> exprs = new ArrayList<>();
    collectExprs(dashboard, exprs);
    assertTrue(exprs.size() >= 10, "the dashboard has queries: " + exprs);

    Set<String> exposed = exposedMetricNames();
    Set<String> used = new TreeSet<>();
    for (String expr : exprs) {
      Set<String> names = metricNames(expr);
      assertFalse(names.isEmpty(), "no metric in " + expr);
      for (String name : names) {
        assertTrue(exposed.contains(name), () -> expr + " uses " + name + ", which /metrics does not expose: " + exposed);
      }
      used.addAll(names);
    }
    String reference = Files.readString(REFERENCE);
    for (String name : exposed) {
      // A histogram's or summary's _bucket/_count/_sum is documented under its family; system_cpu_count is itself.
      String family = name.replaceAll("_(bucket|count|sum)$", "");
      assertTrue(documents(reference, family) || documents(reference, name),
          () -> "docs/metrics.md does not document " + name);
    }
    assertTrue(used.contains("wsgate_handshakes_total") && used.contains("wsgate_sessions_active"), used::toString);
    for (String family : List.of("wsgate_build_info", "wsgate_policy_info", "wsgate_policy_last_reload_successful",
        "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "netty_allocator_memory_used")) {
      assertTrue(used.contains(family), "a panel shows " + family + ": " + used);
    }
    assertTrue(exprs.stream().anyMatch(e -> e.contains("by (route")), "a panel slices by route: " + exprs);
    assertTrue(exprs.stream().anyMatch(e -> e.contains("by (upstream")), "a panel slices by upstream: " + exprs);
    String instances = dashboard.getJsonObject("templating").getJsonArray("list").stream()
        .map(JsonObject.class::cast).filter(v -> "instance".equals(v.getString("name")))
        .map(v -> v.getString("definition")).findFirst().orElseThrow();
    Matcher variable = Pattern.compile("^label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*), instance\\)$").matcher(instances);
    assertTrue(variable.matches() && exposed.contains(variable.group(1)),
        "the instance variable reads an exposed metric: " + instances);
  }

  private static boolean documents(String reference, String name) {
    return Pattern.compile("`" + name + "[`{]").matcher(reference).find();
  }

  /** A gateway that has seen every kind of metric: a session, a refusal, a monitor hit, a JWKS issuer. */
  private static Set<String> exposedMetricNames() throws Exception {
    RouteSecurity rules = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS,
        new MessageRules(List.of(
            new MessageRule.Patterns("watch", List.of("secret"), Action.DROP, Mode.MONITOR),
            new MessageRule.Size("size", 8, Action.DROP, Mode.ENFORCE)), List.of()));
    // Nothing listens on port 1: the fetch fails, which is fine; the issuer's series exist either way.
    Issuer jwks = new Issuer("idp", "https://idp.test/", List.of("wsgate"), Set.of("RS256"),
        new KeySource(URI.create("http://127.0.0.1:1/jwks.json"), null, null, null, null, null, null),
        Duration.ZERO, 8192, List.of("sub", "exp"));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(jwks))
             .route("/chat", upstream.url("/")).security(rules).admin(AdminSettings.loopback(0)).build())) {
      AdminClient admin = new AdminClient(harness.gateway.adminPort());
      WebSocket ws = Await.result(harness.connect("/chat"));
      BlockingQueue<String> texts = new LinkedBlockingQueue<>();
      ws.textMessageHandler(texts::add);
      ws.writeTextMessage("a secret");
      assertEquals("a secret", texts.poll(10, TimeUnit.SECONDS));
      ws.writeTextMessage("far too long");
      assertTrue(texts.poll(10, TimeUnit.SECONDS).contains("size"));
      Await.result(ws.close());
      Await.until("session counted", () -> harness.gateway.services().audit().metrics().closedTotal() == 1);
      System.gc(); // the GC pause series exist once a pause was recorded
      Await.until("a GC pause recorded", () -> admin.metrics().has("jvm_gc_pause_seconds_count"));
      Set<String> names = new TreeSet<>();
      for (String series : admin.metrics().samples().keySet()) {
        int brace = series.indexOf('{');
        names.add(brace < 0 ? series : series.substring(0, brace));
      }
      for (String family : List.of("wsgate_message_refusals_total", "wsgate_monitor_hits_total",
          "wsgate_jwks_fetches_total", "wsgate_jwks_failures_total")) {
        assertTrue(names.contains(family), family + " in " + names);
      }
      return names;
    }
  }

  private static void collectExprs(Object node, List<String> out) {
    if (node instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        Object value = object.getValue(key);
        if (key.equals("expr")) {
          out.add((String) value);
        } else {
          collectExprs(value, out);
        }
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(item -> collectExprs(item, out));
    }
  }

  /** The metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
  static Set<String> metricNames(String expr) {
    String stripped = expr
        .replaceAll("\\{[^}]*}", " ")                          // label matchers (and the strings in them)
        .replaceAll("\\[[^]]*]", " ")                          // range selectors
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // grouping labels
        .replaceAll("\\b[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\b", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(stripped);
    while (m.find()) {
      String word = m.group();
      boolean function = stripped.substring(m.end()).stripLeading().startsWith("(");
      if (!function && !KEYWORDS.contains(word)) {
        names.add(word);
      }
    }
    return names;
  }

  @Test
  void theQueryParserFindsMetricNames() {
    assertEquals(Set.of("wsgate_handshake_duration_seconds_bucket"), metricNames(
        "histogram_quantile(0.99, sum by (le) (rate(wsgate_handshake_duration_seconds_bucket{outcome=\"ok\",x=~\"$i\"}[5m])))"));
    assertEquals(Set.of("a_total", "b"), metricNames("sum without (x) (a_total) / on (y) group_left b > 0"));
  }
}
