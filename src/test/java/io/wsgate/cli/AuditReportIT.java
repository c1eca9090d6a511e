package io.wsgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code audit report --html} on a trail a real gateway wrote, rendered by a real headless Chromium
 * (Debian's {@code /usr/bin/chromium}, {@code --dump-dom}): the page draws its charts and tables
 * without a script error, its numbers are those of {@code audit summary --json} on the same files,
 * it shows the {@code audit verify} outcome, and an Origin chosen by a client stays text.
 */
class AuditReportIT {
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final String APP = "https://app.example.com";
  /** A client-chosen Origin that would run script if the page ever treated data as markup. */
  private static final String EVIL = "https://evil.example</script><script>document.body.setAttribute('data-rendered','pwned')</script>";
  private static final Pattern ROW = Pattern.compile("<tr data-key=\"([^\"]*)\" data-count=\"(\\d+)\">");

  @TempDir
  Path tmp;

  private record Run(int exitCode, String out, String err) {
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static void refused(GatewayHarness harness, io.vertx.core.http.WebSocketConnectOptions options, int status) {
    Throwable failure = Await.failure(harness.connect(options));
    assertEquals(status, assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus());
  }

  /** Writes a trail with refusals of three reasons, sessions on two routes, two subjects and two origins. */
  private Path trail() throws Exception {
    Path dir = tmp.resolve("audit");
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", tmp);
    RouteSecurity appOnly = new RouteSecurity(null, new OriginRules(List.of(APP), false, false, Mode.ENFORCE),
        Auth.ANONYMOUS, MessageRules.NONE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
             .route("/chat", upstream.url("/")).security(TestAuth.trusting("idp").route())
             .route("/open", upstream.url("/")).security(appOnly).auditTo(dir).build())) {
      List<WebSocket> open = new ArrayList<>();
      for (String subject : List.of("alice", "alice", "bob")) {
        open.add(Await.result(harness.connect(harness.options("/chat")
            .addHeader("Authorization", "Bearer " + idp.token(subject)))));
      }
      open.add(Await.result(harness.connect(harness.options("/open").addHeader("Origin", APP))));
      for (int i = 0; i < 2; i++) {
        refused(harness, harness.options("/open").addHeader("Origin", EVIL), 403);
      }
      for (int i = 0; i < 3; i++) {
        refused(harness, harness.options("/nowhere"), 404);
      }
      refused(harness, harness.options("/chat"), 401);
      for (WebSocket ws : open) {
        Await.result(ws.close());
      }
    }
    return dir;
  }

  private static String dumpDom(Path page, Path profile) throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      fail(CHROMIUM + " is missing: run scripts/test (it installs chromium)");
    }
    Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--user-data-dir=" + profile, "--dump-dom", page.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] dom = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("chromium did not finish within 60 s");
    }
    assertEquals(0, p.exitValue(), "chromium --dump-dom");
    return new String(dom, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String unescape(String attribute) {
    return attribute.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
        .replace("&amp;", "&");
  }

  /** The rows of the table inside {@code <div id="holder">}, as key → count, in page order. */
  private static Map<String, Long> table(String dom, String holder) {
    int start = dom.indexOf("<div id=\"" + holder + "\">");
    assertTrue(start >= 0, "no #" + holder + " in the DOM");
    int end = dom.indexOf("</div>", start);
    Map<String, Long> rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(dom.substring(start, end));
    while (m.find()) {
      rows.put(unescape(m.group(1)), Long.parseLong(m.group(2)));
    }
    return rows;
  }

  private static Map<String, Long> map(JsonObject counts) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (counts != null) {
      counts.forEach(e -> out.put(e.getKey(), ((Number) e.getValue()).longValue()));
    }
    return out;
  }

  private static Map<String, Long> list(JsonArray top) {
    Map<String, Long> out = new LinkedHashMap<>();
    top.forEach(o -> out.put(((JsonObject) o).getString("value"), ((JsonObject) o).getLong("count")));
    return out;
  }

  @Test
  void thePageRendersTheSummarysNumbersAndTheVerifyResult() throws Exception {
    Path dir = trail();
    Run summaryRun = cli("audit", "summary", "--json", dir.toString());
    assertEquals(0, summaryRun.exitCode(), summaryRun.err());
    JsonObject summary = new JsonObject(summaryRun.out());
    Path page = tmp.resolve("review.html");
    Run report = cli("audit", "report", dir.toString(), "--html", page.toString());
    assertEquals(0, report.exitCode(), report.err());
    assertTrue(report.out().contains("audit verify: chain intact"), report.out());

    String dom = dumpDom(page, tmp.resolve("chromium-profile"));

    assertTrue(dom.contains("<body data-rendered=\"ok\""), "rendered without a script error: "
        + dom.substring(dom.indexOf("<body"), Math.min(dom.length(), dom.indexOf("<body") + 300)));
    assertTrue(dom.contains("data-intact=\"true\""), "the verify result");
    assertTrue(dom.contains("audit verify: chain intact"));
    assertTrue(dom.contains(cli("audit", "verify", dir.toString()).out().lines().reduce((a, b) -> b).orElseThrow()),
        "verify's own OK line");

    // The numbers: each table equals the summary, in the summary's order.
    JsonObject refusalsByReason = summary.getJsonObject("reasons").getJsonObject("handshake.rejected");
    assertEquals(Map.of("origin_denied", 2L, "route_not_found", 3L, "token_missing", 1L), map(refusalsByReason));
    assertEquals(List.copyOf(map(refusalsByReason).entrySet()), List.copyOf(table(dom, "reasons").entrySet()));
    assertEquals(Map.of("/chat", 3L, "/open", 1L), map(summary.getJsonObject("routes")));
    assertEquals(List.copyOf(map(summary.getJsonObject("routes")).entrySet()),
        List.copyOf(table(dom, "routes").entrySet()));
    assertEquals(List.copyOf(map(summary.getJsonObject("events")).entrySet()),
        List.copyOf(table(dom, "events").entrySet()));
    assertEquals(Map.of("alice", 4L, "bob", 2L), list(summary.getJsonArray("topSubjects")),
        "accepted and closed, per subject");
    for (String[] top : new String[][] {{"top-ips", "topClientIps"}, {"top-subjects", "topSubjects"},
        {"top-origins", "topOrigins"}}) {
      assertEquals(List.copyOf(list(summary.getJsonArray(top[1])).entrySet()),
          List.copyOf(table(dom, top[0]).entrySet()), top[0]);
    }
    assertEquals(2L, list(summary.getJsonArray("topOrigins")).get(EVIL), "the client's Origin, as it sent it");

    // The timeline: one column per bucket, its stacked parts summing to the bucket's count.
    JsonArray buckets = summary.getJsonObject("refusalsOverTime").getJsonArray("buckets");
    long refusals = 0;
    for (Object o : buckets) {
      JsonObject bucket = (JsonObject) o;
      refusals += bucket.getLong("count");
      String column = "<g data-start=\"" + bucket.getString("start") + "\" data-count=\"" + bucket.getLong("count")
          + "\">";
      int at = dom.indexOf(column);
      assertTrue(at >= 0, "a column for " + bucket.encode());
      String parts = dom.substring(at, dom.indexOf("</g>", at));
      for (Map.Entry<String, Long> reason : map(bucket.getJsonObject("reasons")).entrySet()) {
        assertTrue(parts.contains("data-reason=\"" + reason.getKey() + "\" data-count=\"" + reason.getValue() + "\""),
            reason + " in " + parts);
      }
    }
    assertEquals(6, refusals);
    assertTrue(dom.contains("data-chart=\"routes-chart\"") && dom.contains("data-chart=\"top-origins\""),
        "bar charts drawn");

    // Client-chosen text stayed text: the page's own three scripts, and no other.
    assertEquals(3, dom.split("<script", -1).length - 1, "no injected script element");
    assertFalse(dom.contains("data-rendered=\"pwned\""));
    assertFalse(Files.readString(page).contains("</script><script>document"), "escaped in the embedded JSON");
  }

  @Test
  void aBrokenChainIsShownAndTheExitCodeSaysSo() throws Exception {
    Path dir = trail();
    Path file = io.wsgate.audit.AuditFileName.collect(List.of(dir)).get(0);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(1, lines.get(1).replace("\"v\":2", "\"v\":3"));
    Files.write(file, lines);
    Path page = tmp.resolve("review.html");
    Run report = cli("audit", "report", dir.toString(), "--html", page.toString());
    assertEquals(1, report.exitCode(), report.out());
    String dom = dumpDom(page, tmp.resolve("chromium-profile"));
    assertTrue(dom.contains("<body data-rendered=\"ok\""));
    assertTrue(dom.contains("data-intact=\"false\""));
    assertTrue(dom.contains("audit verify: BROKEN"));
    assertTrue(dom.contains(file.getFileName() + ":"), "verify's own problem line");
  }
}
