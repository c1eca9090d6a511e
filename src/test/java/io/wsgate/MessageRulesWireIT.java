package io.wsgate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.wsgate.policy.Action;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.DevKeyIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-route message rules, observed on the wire: what the client gets back (echo, drop notice or
 * close code), what the upstream received, and what the metrics counted.
 */
class MessageRulesWireIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static RouteSecurity toUpstream(MessageRule... rules) {
    return new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS,
        new MessageRules(List.of(rules), List.of()));
  }

  private static GatewayHarness gateway(EchoUpstream upstream, RouteSecurity security) {
    return new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).security(security).build());
  }

  private static String dropNotice(String tag, String rule) {
    return "{\"error\":\"" + tag + "\",\"rule\":\"" + rule + "\"}";
  }

  /** A connected client: its text messages, in order, and its close. */
  private record Client(WebSocket ws, BlockingQueue<String> texts, CompletableFuture<Short> closed) {
    static Client of(WebSocket ws) {
      BlockingQueue<String> texts = new LinkedBlockingQueue<>();
      CompletableFuture<Short> closed = new CompletableFuture<>();
      ws.textMessageHandler(texts::add);
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
      return new Client(ws, texts, closed);
    }

    String next() throws InterruptedException {
      String text = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(text, "no message within " + WAIT);
      return text;
    }

    /** Sends {@code text} and expects it echoed, with nothing else in between. */
    void roundTrip(String text) throws InterruptedException {
      ws.writeTextMessage(text);
      assertEquals(text, next());
    }

    short closeCode() throws Exception {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static Client connect(GatewayHarness harness) {
    return Client.of(Await.result(harness.connect("/chat")));
  }

  private static Client connect(GatewayHarness harness, WebSocketConnectOptions options) {
    return Client.of(Await.result(harness.connect(options)));
  }

  private static List<String> upstreamTexts(EchoUpstream upstream) {
    return upstream.frames.stream().map(WebSocketFrame::textData).toList();
  }

  @Test
  void typeRuleClosesWith1008AndTheUpstreamNeverSeesTheMessage() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(
             new MessageRule.Types("text-only", true, false, Action.CLOSE, Mode.ENFORCE)))) {
      Client client = connect(harness);
      client.roundTrip("text is fine");
      client.ws().writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));

      assertEquals(1008, client.closeCode());
      Await.until("upstream closed", () -> !upstream.closes.isEmpty());
      assertEquals("1008", upstream.closes.peek().split(" ")[0]);
      assertEquals(List.of("text is fine"), upstreamTexts(upstream), "the binary message never reached the upstream");
      // Counted once: by the session's end record, written when both sides are closed.
      Await.until("session ended", () -> harness.gateway.services().audit().metrics().closedTotal() == 1);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.MESSAGE_TYPE_DENIED));
    }
  }

  /**
   * A close rule's refusal is its own series ({@code action="close"}), counted once, and the session
   * it ends is counted in {@code wsgate_sessions_closed_total} with the same reason (docs/metrics.md).
   */
  @Test
  void aCloseRuleIsCountedOnceByActionAndItsSessionOnceByReason() throws Exception {
    RouteSecurity security = toUpstream(
        new MessageRule.Patterns("no-secrets", List.of("secret"), Action.CLOSE, Mode.ENFORCE));
    try (EchoUpstream upstream = new EchoUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .security(security).admin(AdminSettings.loopback(0)).build())) {
      AdminClient admin = new AdminClient(harness.gateway.adminPort());
      Client client = connect(harness);
      client.roundTrip("hello");
      client.ws().writeTextMessage("a secret");
      assertEquals(1008, client.closeCode());
      Await.until("session ended", () -> harness.gateway.services().audit().metrics().closedTotal() == 1);

      AdminClient.Metrics scrape = admin.metrics();
      assertEquals(1, scrape.value("wsgate_message_refusals_total{action=\"close\",reason=\"pattern_denied\"}"),
          scrape.text());
      assertFalse(scrape.samples().containsKey(
          "wsgate_message_refusals_total{action=\"drop\",reason=\"pattern_denied\"}"), "no drop was made");
      assertEquals(1, scrape.sum("wsgate_sessions_closed_total{reason=\"pattern_denied\"}"));
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.PATTERN_DENIED), "one decision");
      assertEquals("close", audit.await("message.refused", l -> l.size() == 1).get(0).getString("action"));
    }
  }

  @Test
  void sizeRuleDropsTheMessageAndKeepsTheSession() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(
             new MessageRule.Size("small", 16, Action.DROP, Mode.ENFORCE)))) {
      Client client = connect(harness);
      client.ws().writeTextMessage("x".repeat(17));
      assertEquals(dropNotice("message_too_big", "small"), client.next());
      client.roundTrip("x".repeat(16));

      assertFalse(client.closed().isDone());
      assertEquals(List.of("x".repeat(16)), upstreamTexts(upstream));
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.MESSAGE_TOO_BIG));
    }
  }

  @Test
  void connectionRateTripsAndRecoversAfterTheRefill() throws Exception {
    // Burst 2, then one message per second.
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(new MessageRule.RateLimit("rate", Scope.CONNECTION,
             new Rate(1, Duration.ofSeconds(1), 2), null, Action.DROP, Mode.ENFORCE)))) {
      Client client = connect(harness);
      long first = System.nanoTime();
      client.ws().writeTextMessage("m1");
      client.ws().writeTextMessage("m2");
      client.ws().writeTextMessage("m3");
      Set<String> got = new HashSet<>(List.of(client.next(), client.next(), client.next()));
      assertEquals(Set.of("m1", "m2", dropNotice("message_rate_limited", "rate")), got);

      // Poll: one attempt every 100 ms until one is let through again.
      String recovered = null;
      for (int attempt = 0; recovered == null && attempt < 50; attempt++) {
        String text = "retry-" + attempt;
        client.ws().writeTextMessage(text);
        String answer = client.next();
        if (answer.equals(text)) {
          recovered = text;
        } else {
          assertEquals(dropNotice("message_rate_limited", "rate"), answer);
          TimeUnit.MILLISECONDS.sleep(100);
        }
      }
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first);
      assertNotNull(recovered, "the rate never let a message through again");
      // The bucket is empty after m2 and refills one token per second: not sooner, and not much later.
      assertTrue(waitedMs >= 900, "recovered after only " + waitedMs + " ms");
      assertTrue(waitedMs < 3000, "recovered only after " + waitedMs + " ms");
      assertFalse(upstreamTexts(upstream).contains("m3"));
      assertTrue(harness.gateway.services().audit().metrics().outcomes(Reason.MESSAGE_RATE_LIMITED) >= 1);
    }
  }

  @Test
  void fieldRatesAreIndependentPerValue() throws Exception {
    Rate oneAMinute = new Rate(1, Duration.ofMinutes(1), 1);
    Rate threeAMinute = new Rate(3, Duration.ofMinutes(1), 3);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(new MessageRule.FieldRate("by-type", "type",
             Map.of("chat", oneAMinute, "typing", threeAMinute), null, Scope.CONNECTION, Action.DROP,
             Mode.ENFORCE)))) {
      Client client = connect(harness);
      String chat = "{\"type\":\"chat\",\"text\":\"hi\"}";
      String typing = "{\"type\":\"typing\"}";
      client.roundTrip(chat);
      client.ws().writeTextMessage(chat);
      assertEquals(dropNotice("message_rate_limited", "by-type"), client.next());
      // chat's budget is spent; typing has its own
      client.roundTrip(typing);
      client.roundTrip(typing);
      client.roundTrip(typing);
      client.ws().writeTextMessage(typing);
      assertEquals(dropNotice("message_rate_limited", "by-type"), client.next());
      // a value without its own limit, and no "other": not limited
      client.roundTrip("{\"type\":\"presence\"}");

      assertEquals(List.of(chat, typing, typing, typing, "{\"type\":\"presence\"}"), upstreamTexts(upstream));
    }
  }

  @Test
  void invalidJsonClosesWith1007() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(
             new MessageRule.Json("json", 4, Action.CLOSE, Mode.ENFORCE)))) {
      Client client = connect(harness);
      client.roundTrip("{\"a\":[[1]]}");
      client.ws().writeTextMessage("{\"a\": nope}");
      assertEquals(1007, client.closeCode());
      assertEquals(List.of("{\"a\":[[1]]}"), upstreamTexts(upstream));
      // Counted once: by the session's end record, written when both sides are closed.
      Await.until("session ended", () -> harness.gateway.services().audit().metrics().closedTotal() == 1);
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.INVALID_JSON));
    }
  }

  @Test
  void tooDeeplyNestedJsonClosesWith1007() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(
             new MessageRule.Json("json", 4, Action.CLOSE, Mode.ENFORCE)))) {
      Client client = connect(harness);
      client.roundTrip("[[[[1]]]]"); // depth 4: allowed
      client.ws().writeTextMessage("[[[[[1]]]]]");
      assertEquals(1007, client.closeCode());
      assertEquals(List.of("[[[[1]]]]"), upstreamTexts(upstream));
    }
  }

  @Test
  void schemaViolationIsDropped() throws Exception {
    String schema = """
        {"type": "object", "required": ["type"],
         "properties": {"type": {"enum": ["chat"]}, "text": {"type": "string", "maxLength": 10}}}""";
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(
             new MessageRule.Schema("chat-schema", null, schema, Action.DROP, Mode.ENFORCE)))) {
      Client client = connect(harness);
      client.ws().writeTextMessage("{\"type\":\"shout\"}");
      assertEquals(dropNotice("schema_violation", "chat-schema"), client.next());
      client.ws().writeTextMessage("{\"type\":\"chat\",\"text\":\"far too long for this\"}");
      assertEquals(dropNotice("schema_violation", "chat-schema"), client.next());
      client.roundTrip("{\"type\":\"chat\",\"text\":\"hello\"}");
      assertEquals(List.of("{\"type\":\"chat\",\"text\":\"hello\"}"), upstreamTexts(upstream));
      assertEquals(2, harness.gateway.services().audit().metrics().outcomes(Reason.SCHEMA_VIOLATION));
    }
  }

  @Test
  void denyPatternsDropAndACatastrophicInputIsAnsweredPromptly() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(new MessageRule.Patterns("deny",
             List.of("(?i)<script", "(a+)+$"), Action.DROP, Mode.ENFORCE)))) {
      Client client = connect(harness);
      client.ws().writeTextMessage("hello <SCRIPT>alert(1)</script>");
      assertEquals(dropNotice("pattern_denied", "deny"), client.next());
      client.ws().writeTextMessage("baaaa");
      assertEquals(dropNotice("pattern_denied", "deny"), client.next());

      // Exponential for a backtracking engine; linear for RE2: the message is judged (and passes) at once.
      String evil = "a".repeat(30000) + "!";
      long start = System.nanoTime();
      client.ws().writeTextMessage(evil);
      assertEquals(evil, client.next());
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(ms < 2000, "answered after " + ms + " ms");

      assertEquals(List.of(evil), upstreamTexts(upstream));
      assertEquals(2, harness.gateway.services().audit().metrics().outcomes(Reason.PATTERN_DENIED));
    }
  }

  @Test
  void monitorModeForwardsAndCounts() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(
             new MessageRule.Patterns("would-deny", List.of("forbidden"), Action.CLOSE, Mode.MONITOR),
             new MessageRule.Size("would-drop", 4, Action.DROP, Mode.MONITOR)))) {
      Client client = connect(harness);
      client.roundTrip("a forbidden word");
      client.roundTrip("ok");

      assertEquals(List.of("a forbidden word", "ok"), upstreamTexts(upstream));
      var metrics = harness.gateway.services().audit().metrics();
      assertEquals(1, metrics.monitoredTotal(Reason.PATTERN_DENIED));
      assertEquals(1, metrics.monitoredTotal(Reason.MESSAGE_TOO_BIG));
      assertEquals(0, metrics.outcomes(Reason.PATTERN_DENIED));
      assertEquals(0, metrics.outcomes(Reason.MESSAGE_TOO_BIG));
      assertFalse(client.closed().isDone());
    }
  }

  @Test
  void toClientRulesApplyToWhatTheUpstreamSends() throws Exception {
    RouteSecurity security = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS,
        new MessageRules(List.of(), List.of(
            new MessageRule.Patterns("no-leak", List.of("secret"), Action.DROP, Mode.ENFORCE),
            new MessageRule.Types("no-binary", true, false, Action.CLOSE, Mode.ENFORCE))));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, security)) {
      Client client = connect(harness);
      client.ws().writeTextMessage("the secret plan");
      // The upstream got it (no toUpstream rules); its echo is what the rule refuses.
      assertEquals("the secret plan", upstream.frames.poll(10, TimeUnit.SECONDS).textData());
      assertEquals(dropNotice("pattern_denied", "no-leak"), client.next());
      client.roundTrip("public");

      // A binary echo breaks the toClient type rule: both sides get 1008.
      client.ws().writeBinaryMessage(Buffer.buffer(new byte[] {7}));
      assertEquals(1008, client.closeCode());
      assertEquals("1008", upstream.closes.poll(10, TimeUnit.SECONDS).split(" ")[0]);
      assertNull(client.texts().poll(), "nothing else reached the client");
    }
  }

  @Test
  void fragmentedMessageIsJudgedWholeAndKeepsItsFragmentsWhenItPasses() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, toUpstream(
             new MessageRule.Json("json", 8, Action.DROP, Mode.ENFORCE),
             new MessageRule.Patterns("deny", List.of("forbidden"), Action.DROP, Mode.ENFORCE)))) {
      Client client = connect(harness);
      // No fragment is JSON on its own; the whole message is.
      client.ws().writeFrame(WebSocketFrame.textFrame("{\"text\":", false));
      client.ws().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("\"all "), false));
      client.ws().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("good\"}"), true));
      assertEquals("{\"text\":\"all good\"}", client.next());

      WebSocketFrame first = upstream.frames.poll(10, TimeUnit.SECONDS);
      WebSocketFrame second = upstream.frames.poll(10, TimeUnit.SECONDS);
      WebSocketFrame third = upstream.frames.poll(10, TimeUnit.SECONDS);
      assertEquals(WebSocketFrameType.TEXT, first.type());
      assertFalse(first.isFinal());
      assertEquals("{\"text\":", first.textData());
      assertEquals(WebSocketFrameType.CONTINUATION, second.type());
      assertFalse(second.isFinal());
      assertEquals("\"all ", second.binaryData().toString());
      assertEquals(WebSocketFrameType.CONTINUATION, third.type());
      assertTrue(third.isFinal());
      assertEquals("good\"}", third.binaryData().toString());

      // A deny pattern split across two fragments is still found.
      client.ws().writeFrame(WebSocketFrame.textFrame("{\"text\":\"forb", false));
      client.ws().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("idden\"}"), true));
      assertEquals(dropNotice("pattern_denied", "deny"), client.next());
      client.roundTrip("{\"after\":1}");
      assertEquals("{\"after\":1}", upstream.frames.poll(10, TimeUnit.SECONDS).textData(),
          "no fragment of the refused message reached the upstream");
    }
  }

  @Test
  void subjectRateIsSharedByTheSubjectsSessions(@TempDir Path dir) throws Exception {
    DevKeyIssuer issuer = DevKeyIssuer.in(dir);
    RouteSecurity security = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), issuer.auth(false), new MessageRules(
        List.of(new MessageRule.RateLimit("per-subject", Scope.SUBJECT, new Rate(2, Duration.ofMinutes(1), 2), null,
            Action.DROP, Mode.ENFORCE)), List.of()));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().issuers(List.of(issuer.issuer()))
             .route("/chat", upstream.url("/")).security(security).build())) {
      String alice = issuer.mint("alice", Duration.ofMinutes(5));
      String bob = issuer.mint("bob", Duration.ofMinutes(5));
      Client alice1 = connect(harness, harness.options("/chat").addHeader("Authorization", "Bearer " + alice));
      Client alice2 = connect(harness, harness.options("/chat").addHeader("Authorization", "Bearer " + alice));
      Client bob1 = connect(harness, harness.options("/chat").addHeader("Authorization", "Bearer " + bob));

      alice1.roundTrip("a1");
      alice2.roundTrip("a2");
      // alice's two messages are spent, whichever session sent them
      alice1.ws().writeTextMessage("a3");
      assertEquals(dropNotice("message_rate_limited", "per-subject"), alice1.next());
      alice2.ws().writeTextMessage("a4");
      assertEquals(dropNotice("message_rate_limited", "per-subject"), alice2.next());
      // bob has his own budget
      bob1.roundTrip("b1");
      bob1.roundTrip("b2");

      assertEquals(Set.of("a1", "a2", "b1", "b2"), new HashSet<>(upstreamTexts(upstream)));
      assertEquals(2, harness.gateway.services().audit().metrics().outcomes(Reason.MESSAGE_RATE_LIMITED));
      assertEquals("alice", upstream.handshakes.poll().get("x-wsgate-subject"));
    }
  }
}
