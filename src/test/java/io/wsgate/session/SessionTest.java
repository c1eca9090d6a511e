package io.wsgate.session;

import io.wsgate.limits.LocalRateLimitBackend;
import io.wsgate.limits.LocalRevocationUpdates;
import io.netty.util.NetUtil;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.wsgate.CompiledPolicy;
import io.wsgate.GatewayServices;
import io.wsgate.Reason;
import io.wsgate.RoutePlan;
import io.wsgate.audit.AuditLog;
import io.wsgate.audit.AuditedRequest;
import io.wsgate.filter.Decision;
import io.wsgate.filter.DropNotice;
import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.handshake.Identity;
import io.wsgate.limits.Revocations;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.Action;
import io.wsgate.policy.Direction;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.DevKeyIssuer;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestPolicy;
import io.wsgate.token.KeySources;
import io.wsgate.token.TokenVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link Session} on its own, without the gateway: a small Vert.x server in the test hands each
 * upgraded client socket to a new Session together with an upstream WebSocket it opened first (as
 * {@code UpgradeHandler} does), and a recording {@link SessionEvents} shows what the session
 * reported. Real sockets on loopback both sides; the snapshot is {@link CompiledPolicy#compile}d
 * from a {@link TestPolicy}.
 */
class SessionTest {
  private static final String ROUTE = "/chat";

  @TempDir
  Path dir;
  /** The "gateway" side: the test's listener, the upstream client, and the sessions' event loops. */
  private Vertx vertx;
  /** The test's clients, apart as a real client would be. */
  private Vertx clientVertx;
  private EchoUpstream echo;
  private AuditLog audit;
  private GatewayServices services;
  private CompiledPolicy snapshot;
  private HttpServer listener;
  private WebSocketClient upstreamClient;
  private WebSocketClient clients;
  private int upstreamPort;
  /** Who the handshake verified, made when the client's upgrade arrives (its expiry counts from then); null: anonymous. */
  private Supplier<Identity> identity = () -> null;
  private volatile Identity handshakeIdentity;
  private final Events events = new Events();
  private final AtomicInteger releases = new AtomicInteger();
  private final List<TokenVerifier> verifiers = new ArrayList<>();
  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private volatile Context sessionContext;
  /** The issuer of the re-authentication tests. */
  private DevKeyIssuer issuer;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    echo = new EchoUpstream();
    upstreamPort = echo.port();
    audit = new AuditLog(new GatewayMetrics());
    Revocations revocations = new Revocations();
    services = new GatewayServices(audit, KeySources.offline(vertx), revocations, new LocalRateLimitBackend(),
        new LocalRevocationUpdates(vertx, revocations));
    upstreamClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(65536)
        .setMaxMessageSize(65536).setClosingTimeout(5));
    clients = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(65536)
        .setMaxMessageSize(65536));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (TokenVerifier verifier : verifiers) {
        Await.result(verifier.close());
      }
      if (snapshot != null) {
        Await.result(snapshot.tokens().close());
      }
      Await.result(services.keySources().close());
      Await.result(clientVertx.close());
      Await.result(vertx.close());
      echo.close();
      for (AutoCloseable c : closeLast) {
        c.close();
      }
    } finally {
      Await.result(audit.close());
    }
  }

  // ---- the wiring: what UpgradeHandler does around a Session, minus the guards and the pool ----

  private static TestPolicy policy() {
    return TestPolicy.create().plain();
  }

  /** Compiles {@code policy} (one route, {@value #ROUTE}) and listens; each upgrade becomes a Session. */
  private void start(TestPolicy policy, RouteSecurity security) {
    GatewayPolicy built = policy.route(ROUTE, "ws://127.0.0.1:" + upstreamPort + ROUTE).security(security).build();
    snapshot = Await.result(CompiledPolicy.compile(vertx, built, 0, services));
    listener = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setMaxWebSocketFrameSize(65536).setMaxWebSocketMessageSize(65536).setWebSocketClosingTimeout(5))
        .requestHandler(this::upgrade);
    Await.result(listener.listen());
  }

  private void start(TestPolicy policy) {
    start(policy, TestPolicy.OPEN_ROUTE);
  }

  private void upgrade(HttpServerRequest request) {
    RoutePlan plan = snapshot.match(null, request.path());
    request.pause();
    String ip = request.remoteAddress().hostAddress();
    handshakeIdentity = identity.get();
    HandshakeRequest handshake = new HandshakeRequest("req-1", ip, ip,
        NetUtil.createByteArrayFromIpAddressString(ip), false, request.getHeader("host"), request.path(),
        request.query(), request.headers(), List.of(), plan.route(), System.nanoTime(), handshakeIdentity, false, null);
    upstreamClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(upstreamPort).setURI(ROUTE))
        .onSuccess(upstream -> {
          upstream.pause(); // as the UpstreamConnector leaves it: Session.start() resumes it
          request.toWebSocket().onSuccess(client -> {
            sessionContext = Vertx.currentContext();
            new Session(handshake, "echo", client, upstream, vertx, plan, snapshot, events, releases::incrementAndGet)
                .start();
          });
        })
        .onFailure(e -> request.response().setStatusCode(502).end());
  }

  /** The client end of one session: what it received and how it was closed. */
  private record Client(WebSocket ws, BlockingQueue<String> texts, BlockingQueue<Buffer> binaries,
                        CompletableFuture<String> closed) {
    String nextText() throws InterruptedException {
      String text = texts.poll(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(text, "no text message within " + Await.DEFAULT);
      return text;
    }

    String closeStatus() throws Exception {
      return closed.get(Await.DEFAULT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private Client connect() {
    Client client = Await.result(clients.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(listener.actualPort()).setURI(ROUTE)).map(ws -> {
          Client c = new Client(ws, new LinkedBlockingQueue<>(), new LinkedBlockingQueue<>(), new CompletableFuture<>());
          ws.textMessageHandler(c.texts::add);
          ws.binaryMessageHandler(c.binaries::add);
          ws.closeHandler(v -> c.closed.complete(ws.closeStatusCode() + " " + ws.closeReason()));
          return c;
        }));
    Await.until("the session started", () -> events.started.size() == 1);
    return client;
  }

  private RawClient rawClient() throws Exception {
    RawClient raw = new RawClient(listener.actualPort(), false);
    raw.send(RawClient.upgrade(ROUTE));
    assertEquals(101, RawClient.status(raw.readHead()));
    Await.until("the session started", () -> events.started.size() == 1);
    return raw;
  }

  private static Identity alice(String issuer, Duration tokenLeft) {
    return new Identity("alice", issuer, Instant.now().plus(tokenLeft), Set.of(), List.of(), Map.of());
  }

  private SessionEvents.Ending ending() {
    Await.until("the session ended", () -> !events.ended.isEmpty());
    return events.ended.get(0);
  }

  /** Runs on the sessions' event loop after everything already queued there. */
  private void onSessionLoop(Runnable task) {
    Promise<Void> done = Promise.promise();
    sessionContext.runOnContext(v -> {
      task.run();
      done.complete();
    });
    Await.result(done.future());
  }

  /** What the session reported, in order, from its event loop. */
  static final class Events implements SessionEvents {
    record Refusal(AuditedRequest who, Direction direction, Decision.Hit hit, boolean monitored, boolean audited) {
    }

    final List<Session> started = new CopyOnWriteArrayList<>();
    final List<SessionEvents.Ending> ended = new CopyOnWriteArrayList<>();
    final List<Session> endedSessions = new CopyOnWriteArrayList<>();
    final List<Refusal> refused = new CopyOnWriteArrayList<>();
    final List<Instant> reauthenticated = new CopyOnWriteArrayList<>();
    final List<String> reauthRefused = new CopyOnWriteArrayList<>();
    final AtomicInteger tokensAsked = new AtomicInteger();
    final AtomicReference<TokenVerifier> tokens = new AtomicReference<>();
    final Revocations revocations = new Revocations();

    @Override
    public void started(Session session) {
      started.add(session);
    }

    @Override
    public void ended(Session session, Ending ending) {
      endedSessions.add(session);
      ended.add(ending);
    }

    @Override
    public void messageRefused(AuditedRequest who, Direction direction, Decision.Hit hit, boolean monitored,
                               boolean audited) {
      refused.add(new Refusal(who, direction, hit, monitored, audited));
    }

    @Override
    public void reauthenticated(AuditedRequest who, Instant expiresAt) {
      reauthenticated.add(expiresAt);
    }

    @Override
    public void reauthRefused(AuditedRequest who, String why) {
      reauthRefused.add(why);
    }

    @Override
    public TokenVerifier tokens() {
      tokensAsked.incrementAndGet();
      return tokens.get();
    }

    @Override
    public Revocations revocations() {
      return revocations;
    }
  }

  // ---- relay, start and end ----

  @Test
  void aSessionRelaysBothWaysAndReportsItsStartAndEndOnce() throws Exception {
    start(policy());
    Client client = connect();

    client.ws().writeTextMessage("hello");
    assertEquals("hello", client.nextText());
    client.ws().writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
    assertEquals(Buffer.buffer(new byte[] {1, 2, 3}), client.binaries().poll(10, TimeUnit.SECONDS));
    client.ws().close((short) 4000, "done");

    SessionEvents.Ending ending = ending();
    assertNull(ending.reason(), "a peer closed normally");
    assertEquals(4000, ending.clientCloseCode());
    assertEquals(4000, ending.upstreamCloseCode());
    assertEquals(2, ending.messagesToUpstream());
    assertEquals(8, ending.bytesToUpstream());
    assertEquals(2, ending.messagesToClient());
    assertEquals(8, ending.bytesToClient());
    assertEquals("4000 done", echo.closes.poll(10, TimeUnit.SECONDS), "the client's close reached the upstream");
    assertEquals(1, events.started.size());
    assertSame(events.started.get(0), events.endedSessions.get(0));
    assertEquals(1, releases.get(), "what the handshake held is given back when both sockets are closed");

    Session session = events.started.get(0);
    session.close(Reason.SESSION_KILLED); // too late: the session is over
    onSessionLoop(() -> { });
    assertEquals(1, events.ended.size(), "ended exactly once");
    assertEquals(1, releases.get(), "released exactly once");
  }

  @Test
  void theSessionKnowsWhoItIsFromTheHandshake() {
    identity = () -> alice("corp", Duration.ofMinutes(5));
    start(policy());
    connect();

    Session session = events.started.get(0);
    assertEquals("alice", session.subject());
    assertEquals("corp", session.issuer());
    assertEquals(ROUTE, session.route());
    assertEquals("echo", session.upstreamLabel());
    assertEquals("127.0.0.1", session.clientIp());
    assertEquals("alice", session.audited().subject());
  }

  @Test
  void closingTheSessionSendsTheReasonsCodeBothWays() throws Exception {
    start(policy());
    Client client = connect();

    events.started.get(0).close(Reason.SESSION_KILLED);

    assertEquals("1008 closed by an administrator", client.closeStatus());
    assertEquals("1008 closed by an administrator", echo.closes.poll(10, TimeUnit.SECONDS));
    SessionEvents.Ending ending = ending();
    assertEquals(Reason.SESSION_KILLED, ending.reason());
    assertEquals(1008, ending.clientCloseCode());
    assertEquals(1008, ending.upstreamCloseCode());
    assertEquals(1, releases.get());
  }

  // ---- close codes (CloseCodes) ----

  @Test
  void anUpstreamCloseCodeAndReasonReachTheClient() throws Exception {
    start(policy());
    Client client = connect();

    echo.vertx.runOnContext(v -> echo.sockets.get(0).close((short) 4001, "come back later"));

    assertEquals("4001 come back later", client.closeStatus());
    SessionEvents.Ending ending = ending();
    assertNull(ending.reason());
    assertEquals(4001, ending.clientCloseCode());
    assertEquals(4001, ending.upstreamCloseCode());
  }

  @Test
  void anUpstreamGoingAwayEndsTheSessionWithThatReason() throws Exception {
    start(policy());
    Client client = connect();

    echo.vertx.runOnContext(v -> echo.sockets.get(0).close((short) 1001, "restarting"));

    assertEquals("1001 restarting", client.closeStatus());
    assertEquals(Reason.UPSTREAM_GOING_AWAY, ending().reason());
  }

  @Test
  void aClientCloseWithoutStatusReachesTheUpstreamAsNormalClosure() throws Exception {
    start(policy());
    try (RawClient raw = rawClient()) {
      raw.send(RawClient.frame(0x88, new byte[0], true));

      assertEquals(1000, raw.readCloseCode());
    }
    assertTrue(echo.closes.poll(10, TimeUnit.SECONDS).startsWith("1000 "), "1005 is never sent: 1000 instead");
    assertNull(ending().reason());
    assertEquals(1000, ending().upstreamCloseCode());
  }

  @Test
  void aClientCloseCodeNoPeerMaySendReachesTheUpstreamAsNormalClosure() throws Exception {
    start(policy());
    try (RawClient raw = rawClient()) {
      raw.send(RawClient.frame(0x88, new byte[] {0x13, (byte) 0x88, 'x'}, true)); // 5000: past 4999, unassigned

      raw.readCloseCode();
    }
    assertEquals("1000 x", echo.closes.poll(10, TimeUnit.SECONDS));
    assertEquals(5000, ending().clientCloseCode(), "the code the client sent, as it sent it");
    assertEquals(1000, ending().upstreamCloseCode());
  }

  @Test
  void theReservedCodesAreMappedToTheirNearestLegalMeaning() {
    assertEquals(CloseCodes.NORMAL, CloseCodes.forward((short) 1005));
    assertEquals(CloseCodes.GOING_AWAY, CloseCodes.forward((short) 1006));
    assertEquals(CloseCodes.INTERNAL_ERROR, CloseCodes.forward((short) 1015));
    assertEquals(CloseCodes.GOING_AWAY, CloseCodes.forward(null));
    assertEquals((short) 4999, CloseCodes.forward((short) 4999));
    assertEquals(CloseCodes.NORMAL, CloseCodes.forward((short) 1004));
    assertEquals(CloseCodes.NORMAL, CloseCodes.forward((short) 2000));
  }

  @Test
  void aClientThatVanishesGivesTheUpstream1001() throws Exception {
    start(policy());
    try (RawClient raw = rawClient()) {
      Await.until("the upstream socket", () -> !echo.sockets.isEmpty());
    } // TCP closed without a close frame

    assertEquals("1001 client went away", echo.closes.poll(10, TimeUnit.SECONDS));
    SessionEvents.Ending ending = ending();
    assertEquals(Reason.CLIENT_GONE, ending.reason());
    assertEquals(1001, ending.clientCloseCode());
    assertEquals(1001, ending.upstreamCloseCode());
  }

  @Test
  void anUpstreamThatVanishesGivesTheClient1011() throws Exception {
    CompletableFuture<NetSocket> upstreamSide = new CompletableFuture<>();
    RawUpstream raw = new RawUpstream((socket, key) -> socket.write(RawUpstream.switchingProtocols(
        RawUpstream.acceptKey(key))).onSuccess(v -> upstreamSide.complete(socket)));
    closeLast.add(raw);
    upstreamPort = raw.port();
    start(policy());
    Client client = connect();

    NetSocket socket = upstreamSide.get(10, TimeUnit.SECONDS);
    raw.vertx.runOnContext(v -> socket.close()); // no close frame

    assertEquals("1011", client.closeStatus().split(" ")[0]);
    SessionEvents.Ending ending = ending();
    assertEquals(Reason.UPSTREAM_LOST, ending.reason());
    assertEquals(1011, ending.clientCloseCode());
  }

  // ---- timeouts ----

  @Test
  void anIdleSessionIsClosedWith1001() throws Exception {
    start(policy().idleTimeout(Duration.ofMillis(300)));
    Client client = connect();

    assertEquals("1001 idle timeout", client.closeStatus());
    assertEquals("1001 idle timeout", echo.closes.poll(10, TimeUnit.SECONDS));
    SessionEvents.Ending ending = ending();
    assertEquals(Reason.IDLE_TIMEOUT, ending.reason());
    assertEquals(1001, ending.clientCloseCode());
    assertEquals(1001, ending.upstreamCloseCode());
    assertTrue(ending.durationMs() >= 300, "not before the timeout: " + ending.durationMs() + " ms");
  }

  @Test
  void trafficKeepsASessionFromGoingIdle() throws Exception {
    start(policy().idleTimeout(Duration.ofMillis(600)));
    Client client = connect();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);

    long ticking = clientVertx.setPeriodic(100, id -> client.ws().writeTextMessage("tick"));
    Await.until("1.5 s of a message every 100 ms", () -> System.nanoTime() > deadline);
    clientVertx.cancelTimer(ticking);

    assertTrue(events.ended.isEmpty(), "traffic outlived a 600 ms idle timeout");
    assertTrue(client.texts().size() >= 10, "echoed: " + client.texts().size());
  }

  @Test
  void aSessionPastItsLifetimeIsClosedWith1001() throws Exception {
    start(policy().maxLifetime(Duration.ofMillis(400)));
    Client client = connect();

    assertEquals("1001 maximum session lifetime reached", client.closeStatus());
    SessionEvents.Ending ending = ending();
    assertEquals(Reason.MAX_LIFETIME, ending.reason());
    assertEquals(1001, ending.upstreamCloseCode());
    assertTrue(ending.durationMs() >= 400, "not before the lifetime: " + ending.durationMs() + " ms");
  }

  @Test
  void aSessionWhoseTokenExpiresIsClosedWith4001() throws Exception {
    identity = () -> alice("corp", Duration.ofMillis(500));
    start(policy());
    Client client = connect();

    assertEquals("4001 token expired", client.closeStatus());
    assertEquals("4001 token expired", echo.closes.poll(10, TimeUnit.SECONDS));
    SessionEvents.Ending ending = ending();
    assertEquals(Reason.TOKEN_EXPIRED_CLOSE, ending.reason());
    assertEquals(4001, ending.clientCloseCode());
    assertEquals(4001, ending.upstreamCloseCode());
  }

  // ---- message rules ----

  private static RouteSecurity upstreamBound(MessageRule... rules) {
    return new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), TestPolicy.OPEN_ROUTE.auth(),
        new MessageRules(List.of(rules), List.of()));
  }

  @Test
  void aDroppedMessageIsReportedAndAnsweredWithTheNoticeAndTheSessionGoesOn() throws Exception {
    start(policy(), upstreamBound(new MessageRule.Size("small", 8, Action.DROP, Mode.ENFORCE)));
    Client client = connect();

    client.ws().writeTextMessage("far too long for the rule");
    client.ws().writeTextMessage("ok");

    Await.until("the refusal", () -> events.refused.size() == 1);
    Events.Refusal refusal = events.refused.get(0);
    assertEquals(Direction.TO_UPSTREAM, refusal.direction());
    assertEquals("small", refusal.hit().rule());
    assertEquals(Action.DROP, refusal.hit().action());
    assertFalse(refusal.monitored());
    assertTrue(refusal.audited());
    assertSame(events.started.get(0).audited(), refusal.who());
    assertEquals(DropNotice.json(refusal.hit().reason(), "small").toString(), client.nextText());
    assertEquals("ok", client.nextText(), "the session goes on");
    assertEquals("ok", echo.frames.poll(10, TimeUnit.SECONDS).textData());
    assertTrue(echo.frames.isEmpty(), "the dropped message never reached the upstream");
    assertTrue(events.ended.isEmpty());
  }

  @Test
  void onlyTheFirstRefusalsOfASessionAreAudited() throws Exception {
    start(policy(), upstreamBound(new MessageRule.Size("small", 2, Action.DROP, Mode.ENFORCE)));
    Client client = connect();

    for (int i = 0; i < 23; i++) {
      client.ws().writeTextMessage("too long " + i);
    }

    Await.until("23 refusals", () -> events.refused.size() == 23);
    List<Boolean> audited = events.refused.stream().map(Events.Refusal::audited).toList();
    assertEquals(List.of(true), audited.subList(0, 20).stream().distinct().toList(), "the first 20");
    assertEquals(List.of(false, false, false), audited.subList(20, 23), "then counted, not audited");
    for (int i = 0; i < 23; i++) {
      assertTrue(client.nextText().contains("\"rule\":\"small\""), "every drop is answered");
    }
  }

  @Test
  void aMonitoredRuleReportsAndForwards() throws Exception {
    start(policy(), upstreamBound(new MessageRule.Size("would-drop", 2, Action.DROP, Mode.MONITOR)));
    Client client = connect();

    client.ws().writeTextMessage("longer than two");

    assertEquals("longer than two", client.nextText());
    Await.until("the refusal", () -> events.refused.size() == 1);
    assertTrue(events.refused.get(0).monitored());
    assertTrue(events.refused.get(0).audited());
  }

  @Test
  void aClosingRuleReportsTheRefusalAndEndsTheSessionWithItsCode() throws Exception {
    start(policy(), upstreamBound(new MessageRule.Size("small", 4, Action.CLOSE, Mode.ENFORCE)));
    Client client = connect();

    client.ws().writeTextMessage("too long");

    Await.until("the refusal", () -> events.refused.size() == 1);
    Reason reason = events.refused.get(0).hit().reason();
    assertEquals(reason.closeCode() + " " + reason.description(), client.closeStatus());
    assertEquals(reason, ending().reason());
    assertEquals(0, ending().messagesToUpstream());
  }

  // ---- re-authentication ----

  /** A route of the dev issuer with in-band re-authentication; the session is alice's for {@code tokenLeft}. */
  private void startReauth(Duration tokenLeft, TokenVerifier eventsVerifier) {
    identity = () -> alice(DevKeyIssuer.NAME, tokenLeft);
    start(policy().issuers(List.of(issuer.issuer())),
        new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), issuer.auth(true), MessageRules.NONE));
    events.tokens.set(eventsVerifier == null ? snapshot.tokens() : eventsVerifier);
  }

  private static String reauth(String token) {
    return new JsonObject().put("wsgate", "reauth").put("token", token).encode();
  }

  @Test
  void aFreshTokenMovesTheExpiryThroughTheEventsVerifier() throws Exception {
    issuer = DevKeyIssuer.in(dir);
    startReauth(Duration.ofMillis(1500), null);
    Client client = connect();
    Instant firstExpiry = handshakeIdentity.expiresAt();
    String fresh = issuer.mint("alice", Duration.ofMinutes(5));

    client.ws().writeTextMessage(reauth(fresh));

    JsonObject answer = new JsonObject(client.nextText());
    assertEquals(true, answer.getBoolean("ok"));
    assertEquals(DevKeyIssuer.expiry(fresh).toString(), answer.getString("expiresAt"));
    assertEquals(List.of(DevKeyIssuer.expiry(fresh)), events.reauthenticated);
    assertTrue(events.tokensAsked.get() >= 1, "verified with the verifier SessionEvents gave");
    assertTrue(echo.frames.isEmpty(), "the re-authentication never reaches the upstream");

    Await.until("the first token's expiry is past", () -> Instant.now().isAfter(firstExpiry.plusMillis(300)));
    client.ws().writeTextMessage("still here");
    assertEquals("still here", client.nextText());
    assertTrue(events.ended.isEmpty(), "the session outlived its first token");
  }

  @Test
  void aTokenTheEventsVerifierRefusesEndsTheSession() throws Exception {
    issuer = DevKeyIssuer.in(dir);
    Path elsewhere = Files.createDirectory(dir.resolve("other-key"));
    TokenVerifier otherKey = Await.result(TokenVerifier.create(vertx, List.of(DevKeyIssuer.in(elsewhere).issuer())));
    verifiers.add(otherKey);
    startReauth(Duration.ofMinutes(5), otherKey);
    Client client = connect();

    // The snapshot's verifier would accept this token; the one SessionEvents gives does not know its key.
    client.ws().writeTextMessage(reauth(issuer.mint("alice", Duration.ofMinutes(5))));

    JsonObject answer = new JsonObject(client.nextText());
    assertEquals(false, answer.getBoolean("ok"));
    assertEquals("1008 re-authentication refused", client.closeStatus());
    assertEquals(List.of(Reason.TOKEN_INVALID.tag()), events.reauthRefused);
    assertEquals(Reason.REAUTH_REJECTED, ending().reason());
    assertTrue(events.reauthenticated.isEmpty());
  }

  @Test
  void aFreshTokenForSomebodyElseEndsTheSession() throws Exception {
    issuer = DevKeyIssuer.in(dir);
    startReauth(Duration.ofMinutes(5), null);
    Client client = connect();

    client.ws().writeTextMessage(reauth(issuer.mint("bob", Duration.ofMinutes(5))));

    assertEquals("1008 re-authentication refused", client.closeStatus());
    assertEquals(List.of("subject_changed"), events.reauthRefused);
    assertEquals(Reason.REAUTH_REJECTED, ending().reason());
  }
}
