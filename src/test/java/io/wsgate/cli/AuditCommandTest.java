package io.wsgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.audit.AuditLog;
import io.wsgate.audit.AuditedRequest;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Action;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.CheckpointSettings;
import io.wsgate.policy.Direction;
import io.wsgate.testing.Await;
import io.wsgate.testing.Requests;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code wsgate audit verify | summary | tail}, run in-process with captured output on a known log. */
class AuditCommandTest {
  private static final String FILE = "audit-2026-11-25.jsonl";
  private static final String KEY = "the audit key, 32 bytes or more, for tests";

  @TempDir
  Path tmp;

  private record Run(int exitCode, String out, String err) {
  }

  private static Run run(String... args) {
    return run(new Main(), args);
  }

  private static Run run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A clock that moves one minute per record, from 10:00 UTC. */
  private static final class Minutes extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-25T10:00:00Z"));

    void tick() {
      now.updateAndGet(t -> t.plus(Duration.ofMinutes(1)));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  private static AuditSettings settings(Path dir, Path keyFile) {
    return new AuditSettings(dir, AuditSettings.DEFAULT_ROTATE_BYTES, 1024, Duration.ofMillis(20),
        AuditSettings.OnFailure.FAIL_CLOSED, keyFile, null, false, "gw-1", CheckpointSettings.DEFAULT);
  }

  /** Twelve decisions, one a minute from 10:00, after the header (seq 1, 10:00). */
  private Path knownLog(Path keyFile) {
    Path dir = tmp.resolve("audit");
    Minutes clock = new Minutes();
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, keyFile), clock);
    String a = "192.0.2.1";
    String b = "192.0.2.2";
    String c = "198.51.100.3";
    AuditedRequest r1 = Requests.session("r1", a, "/chat", "alice");
    AuditedRequest r2 = Requests.session("r2", a, "/chat", "bob");
    AuditedRequest r3 = new AuditedRequest("r3", b, "alice", "idp", "/feed", "/feed", "https://app.example.com", "curl/8.5");
    List<Runnable> decisions = List.of(
        () -> audit.accepted(r1, "ws://up:9000/", "v1"),
        () -> audit.accepted(r2, "ws://up:9000/", "v1"),
        () -> audit.accepted(r3, "ws://up:9001/", "v1"),
        () -> audit.rejected(Requests.refused("r4", c, "/chat"), Reason.ORIGIN_DENIED),
        () -> audit.rejected(Requests.refused("r5", c, "/chat"), Reason.ORIGIN_DENIED),
        () -> audit.rejected(Requests.refused("r6", a, "/x"), Reason.ROUTE_NOT_FOUND),
        () -> audit.monitored(Requests.refused("r7", b, "/chat"), Reason.IP_DENIED, "listen.clients"),
        () -> audit.messageRefused(r1, Direction.TO_UPSTREAM, Reason.PATTERN_DENIED, "no-script", Action.DROP, false),
        () -> audit.closed(r1, null, 1000, 1000, 480_000, 3, 60, 3, 60),
        () -> audit.closed(r2, Reason.IDLE_TIMEOUT, 1001, 1001, 300_000, 0, 0, 0, 0),
        () -> audit.reauthenticated(r3, "2026-11-25T11:10:00Z"),
        () -> audit.policyReloaded("SIGHUP", "v1", "v2", 0));
    for (Runnable decision : decisions) {
      decision.run();
      clock.tick();
    }
    Await.result(audit.close());
    return dir;
  }

  @Test
  void verifyAnIntactLog() throws Exception {
    Path dir = knownLog(null);
    assertEquals(new Run(0, "OK 1 file, 13 records (seq 1..13): chain intact (HMACs not checked: no key given)\n", ""),
        run("audit", "verify", dir.toString()));
    assertEquals(new Run(0, "OK 1 file, 13 records (seq 1..13): chain intact (HMACs not checked: no key given)\n", ""),
        run("audit", "verify", dir.resolve(FILE).toString()), "a file as well as a directory");
  }

  @Test
  void verifyReportsTheFirstBrokenLineAndExitsOne() throws Exception {
    Path dir = knownLog(null);
    Path file = dir.resolve(FILE);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.remove(4);
    Files.writeString(file, String.join("\n", lines) + "\n");
    assertEquals(new Run(1, "", FILE + ":5: hash mismatch\n"), run("audit", "verify", dir.toString()));
  }

  @Test
  void verifyChecksHmacsWithTheKey() throws Exception {
    Path keyFile = Files.writeString(tmp.resolve("audit.key"), KEY + "\n");
    Path dir = knownLog(keyFile);
    assertEquals(new Run(0, "OK 1 file, 13 records (seq 1..13): chain intact, every HMAC valid\n", ""),
        run("audit", "verify", "--hmac-key-file", keyFile.toString(), dir.toString()));
    Path wrong = Files.writeString(tmp.resolve("wrong.key"), "not the audit key, but 32 bytes or more");
    assertEquals(new Run(1, "", FILE + ":1: hmac mismatch\n"),
        run("audit", "verify", "--hmac-key-file", wrong.toString(), dir.toString()));
    Run unset = run("audit", "verify", "--hmac-key-env", "WSGATE_TEST_SURELY_UNSET_VARIABLE", dir.toString());
    assertEquals(new Run(1, "", "audit verify: environment variable WSGATE_TEST_SURELY_UNSET_VARIABLE is not set\n"),
        unset);
  }

  @Test
  void verifyChecksHmacSignedCheckpointsWithTheSameKey() throws Exception {
    Path keyFile = Files.writeString(tmp.resolve("audit.key"), KEY + "\n");
    Path dir = knownLog(keyFile);
    String seals = dir.resolve("checkpoints").toString();
    assertEquals(new Run(0, "OK 1 file, 13 records (seq 1..13): chain intact, every HMAC valid; 1 checkpoint matched,"
            + " the last checkpoints-2026-11-25.jsonl:1 of 2026-11-25T10:12:00.000Z, seq 13, every signature valid\n", ""),
        run("audit", "verify", "--hmac-key-file", keyFile.toString(), "--checkpoints", seals, dir.toString()));
    assertEquals(new Run(0, "OK 1 file, 13 records (seq 1..13): chain intact (HMACs not checked: no key given); 1"
            + " checkpoint matched, the last checkpoints-2026-11-25.jsonl:1 of 2026-11-25T10:12:00.000Z, seq 13"
            + " (signatures not checked: no key given)\n", ""),
        run("audit", "verify", "--checkpoints", seals, dir.toString()));
    Path pub = tmp.resolve("other.pub");
    Files.writeString(pub, io.wsgate.policy.Ed25519Keys.pem(io.wsgate.policy.Ed25519Keys.generate().getPublic()));
    assertEquals(new Run(1, "", "checkpoints-2026-11-25.jsonl:1: signed with HS256, which no given key checks (give"
            + " --hmac-key-file or --hmac-key-env)\n"),
        run("audit", "verify", "--checkpoints", seals, "--checkpoint-public-key", pub.toString(), dir.toString()));
  }

  @Test
  void verifyUsageAndNothingToVerify() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertEquals(new Run(1, "", "audit verify: no audit files (audit-YYYY-MM-DD[.N].jsonl) in [" + empty + "]\n"),
        run("audit", "verify", empty.toString()));
    Run both = run("audit", "verify", "--hmac-key-file", "k", "--hmac-key-env", "K", empty.toString());
    assertEquals(2, both.exitCode());
    assertTrue(both.err().startsWith("--hmac-key-file and --hmac-key-env are exclusive (choose one)\n"), both.err());
    Run keyAlone = run("audit", "verify", "--checkpoint-public-key", "k.pub", empty.toString());
    assertEquals(2, keyAlone.exitCode());
    assertTrue(keyAlone.err().startsWith("--checkpoint-public-key needs --checkpoints\n"), keyAlone.err());
    Run none = run("audit", "verify");
    assertEquals(2, none.exitCode());
    assertTrue(none.err().startsWith("Missing required parameter: 'PATH'"), none.err());
    Run help = run("audit");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("verify") && help.out().contains("summary") && help.out().contains("tail"),
        help.out());
  }

  @Test
  void summaryCountsExactly() throws Exception {
    Path dir = knownLog(null);
    Run run = run("audit", "summary", "--json", dir.toString());
    assertEquals(0, run.exitCode(), run.err());
    JsonObject expected = new JsonObject()
        .put("records", 12)
        .put("from", "2026-11-25T10:00:00.000Z")
        .put("to", "2026-11-25T10:11:00.000Z")
        .put("unreadable", 0)
        .put("events", new JsonObject().put("handshake.rejected", 3).put("session.accepted", 3)
            .put("session.closed", 2).put("message.refused", 1).put("monitor.would_deny", 1).put("policy.reload", 1)
            .put("session.reauthenticated", 1))
        .put("reasons", new JsonObject()
            .put("handshake.rejected", new JsonObject().put("origin_denied", 2).put("route_not_found", 1))
            .put("message.refused", new JsonObject().put("pattern_denied", 1))
            .put("monitor.would_deny", new JsonObject().put("ip_denied", 1))
            .put("session.closed", new JsonObject().put("idle_timeout", 1).put("peer_closed", 1)))
        .put("routes", new JsonObject().put("/chat", 2).put("/feed", 1))
        .put("topClientIps", new JsonArray()
            .add(new JsonObject().put("value", "192.0.2.1").put("count", 6))
            .add(new JsonObject().put("value", "192.0.2.2").put("count", 3))
            .add(new JsonObject().put("value", "198.51.100.3").put("count", 2)))
        .put("topSubjects", new JsonArray()
            .add(new JsonObject().put("value", "alice").put("count", 5))
            .add(new JsonObject().put("value", "bob").put("count", 2)))
        .put("topOrigins", new JsonArray()
            .add(new JsonObject().put("value", "https://app.example.com").put("count", 1)))
        .put("refusalsOverTime", new JsonObject().put("bucketSeconds", 60).put("buckets", new JsonArray()
            .add(new JsonObject().put("start", "2026-11-25T10:03:00.000Z").put("count", 1)
                .put("reasons", new JsonObject().put("origin_denied", 1)))
            .add(new JsonObject().put("start", "2026-11-25T10:04:00.000Z").put("count", 1)
                .put("reasons", new JsonObject().put("origin_denied", 1)))
            .add(new JsonObject().put("start", "2026-11-25T10:05:00.000Z").put("count", 1)
                .put("reasons", new JsonObject().put("route_not_found", 1)))));
    assertEquals(expected, new JsonObject(run.out()));
    assertEquals(expected.encodePrettily() + "\n", run.out(), "keys in count order");
  }

  @Test
  void summaryWindowAndTop() throws Exception {
    Path dir = knownLog(null);
    JsonObject window = new JsonObject(run("audit", "summary", "--json", "--since", "2026-11-25T10:03:00Z",
        "--until", "2026-11-25T10:08:00Z", "--top", "1", dir.toString()).out());
    assertEquals(5, window.getLong("records"));
    assertEquals(new JsonObject().put("handshake.rejected", 3).put("message.refused", 1).put("monitor.would_deny", 1),
        window.getJsonObject("events"));
    // 198.51.100.3 (r4, r5) and 192.0.2.1 (r6, r1's refused message) tie: the lower name first.
    assertEquals(new JsonArray().add(new JsonObject().put("value", "192.0.2.1").put("count", 2)),
        window.getJsonArray("topClientIps"));
    assertEquals(0, new JsonObject(run("audit", "summary", "--json", "--since", "2026-11-26", dir.toString()).out())
        .getLong("records"));
    Run bad = run("audit", "summary", "--since", "yesterday", dir.toString());
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("expected an RFC 3339 time"), bad.err());
  }

  @Test
  void summaryAsText() throws Exception {
    Path dir = knownLog(null);
    assertEquals(new Run(0, String.join("\n",
        "12 records, 2026-11-25T10:00:00.000Z .. 2026-11-25T10:11:00.000Z",
        "events:",
        "  handshake.rejected       3",
        "  session.accepted         3",
        "  session.closed           2",
        "  message.refused          1",
        "  monitor.would_deny       1",
        "  policy.reload            1",
        "  session.reauthenticated  1",
        "reasons:",
        "  handshake.rejected origin_denied    2",
        "  handshake.rejected route_not_found  1",
        "  message.refused pattern_denied      1",
        "  monitor.would_deny ip_denied        1",
        "  session.closed idle_timeout         1",
        "  session.closed peer_closed          1",
        "sessions accepted by route:",
        "  /chat  2",
        "  /feed  1",
        "top client IPs:",
        "  192.0.2.1     6",
        "  192.0.2.2     3",
        "  198.51.100.3  2",
        "top subjects:",
        "  alice  5",
        "  bob    2",
        "top origins:",
        "  https://app.example.com  1",
        ""), ""), run("audit", "summary", dir.toString()));
  }

  @Test
  void tailPrintsTheLastRecordsReadably() throws Exception {
    Path dir = knownLog(null);
    assertEquals(new Run(0, String.join("\n",
        "2026-11-25T10:10:00.000Z #12 session.reauthenticated node=gw-1 requestId=r3 clientIp=192.0.2.2 subject=alice issuer=idp"
            + " route=/feed expiresAt=2026-11-25T11:10:00Z",
        "2026-11-25T10:11:00.000Z #13 policy.reload node=gw-1 outcome=ok trigger=SIGHUP fromVersion=v1 policyVersion=v2"
            + " sessionsClosed=0",
        ""), ""), run("audit", "tail", "-n", "2", dir.toString()));
  }

  @Test
  void tailEscapesWhatAClientChose() throws Exception {
    Path dir = tmp.resolve("audit");
    AuditLog audit = new AuditLog(new GatewayMetrics(), settings(dir, null), Clock.fixed(
        Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC));
    audit.rejected(Requests.refused("r1", "192.0.2.1", "/chat\u001b[2J\nfake line"), Reason.ROUTE_NOT_FOUND);
    Await.result(audit.close());
    assertEquals("2026-11-25T10:00:00.000Z #2 handshake.rejected node=gw-1 requestId=r1 clientIp=192.0.2.1"
            + " path=\"/chat\\u001b[2J\\u000afake line\" reason=route_not_found status=404\n",
        run("audit", "tail", "-n", "1", dir.toString()).out());
  }

  @Test
  void tailFollowsIntoTheNextFile() throws Exception {
    Path dir = knownLog(null);
    AuditTailCommand tail = new AuditTailCommand();
    AtomicBoolean keepGoing = new AtomicBoolean(true);
    tail.keepFollowing = keepGoing::get;
    StringWriter out = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(tail)
        .setOut(new PrintWriter(out, true)).execute("-f", "-n", "1", dir.toString()));
    io.wsgate.testing.Await.until("the last record", () -> out.toString().contains("policy.reload"));

    AuditLog next = new AuditLog(new GatewayMetrics(), settings(dir, null), Clock.fixed(
        Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC));
    next.rejected(Requests.refused("r9", "192.0.2.9", "/late"), Reason.ROUTE_NOT_FOUND);
    Await.result(next.close());
    io.wsgate.testing.Await.until("the new file's records", () -> out.toString().contains("requestId=r9"));
    keepGoing.set(false);
    assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    assertEquals(String.join("\n",
        "2026-11-25T10:11:00.000Z #13 policy.reload node=gw-1 outcome=ok trigger=SIGHUP fromVersion=v1 policyVersion=v2"
            + " sessionsClosed=0",
        "2026-11-25T12:00:00.000Z #14 audit.file_start node=gw-1 file=audit-2026-11-25.1.jsonl prevFile=audit-2026-11-25.jsonl"
            + " reason=start",
        "2026-11-25T12:00:00.000Z #15 handshake.rejected node=gw-1 requestId=r9 clientIp=192.0.2.9 path=/late"
            + " reason=route_not_found status=404",
        ""), out.toString());
  }
}
