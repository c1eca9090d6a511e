package io.wsgate.session;

import io.github.bucket4j.Bucket;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.wsgate.CompiledPolicy;
import io.wsgate.Reason;
import io.wsgate.RoutePlan;
import io.wsgate.audit.AuditedRequest;
import io.wsgate.filter.Decision;
import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.handshake.Identity;
import io.wsgate.handshake.LiveClient;
import io.wsgate.internal.ClientProtocolErrors;
import io.wsgate.internal.InFrameUtf8Check;
import io.wsgate.internal.LingeringClose;
import io.wsgate.internal.PartialFrameWatch;
import io.wsgate.internal.VertxInternals;
import io.wsgate.limits.BucketSpec;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.Direction;
import io.wsgate.policy.Limits;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One proxied connection: the client socket, the upstream socket, and the rules that end it.
 * All state is touched only on the event loop that owns both sockets.
 */
public final class Session implements LiveClient {
  private static final Buffer PING_PAYLOAD = Buffer.buffer("wsgate");
  private static final long CLOSE_GRACE_MS = 5000;
  /**
   * How long a client that broke the protocol waits for its close while the upstream's answers to
   * its earlier messages drain: one upstream round trip is enough; the client is no longer read, and
   * holds its connection slot no longer than this.
   */
  private static final long CLIENT_FAIL_BOUND_MS = 1000;
  private static final int MAX_AUDITED_REFUSALS = 20;

  private final String id;
  private final String clientIp;
  private final byte[] clientAddress;
  private final String origin;
  private final List<X509Certificate> clientCertChain;
  private final String path;
  private final String route;
  /** The request's host, normalized; null without a Host header. */
  private final String host;
  /** The matched route's host pattern; null: a route for any host. */
  private final io.wsgate.policy.HostPattern routeHost;
  private final String upstreamLabel;
  private final Identity identity;
  /** The identity's key for per-subject state (message rate buckets), computed once; null when anonymous. */
  private final String subjectKey;
  /** Who this session is, as every one of its audit records repeats it. */
  private final AuditedRequest audited;
  private final ServerWebSocket client;
  private final WebSocket upstream;
  private final Vertx vertx;
  private final Context context;
  private final SessionEvents events;
  private final Runnable release;
  private final long idleNanos;
  private final long pingNanos;
  private final long lifetimeNanos;
  private final long sendTimeoutNanos;
  private final long startNanos = System.nanoTime();
  private final FrameRelay toUpstream;
  private final FrameRelay toClient;
  private final MessageRules rules;
  private final Reauthentication reauth;
  private final BucketSpec controlFrameBudget;
  private Bucket controlFrames;
  private PartialFrameWatch partialFrames;
  private int auditedRefusals;
  /** Why the client is not being read, besides Vert.x's own flow control: {@link Hold} bits. */
  private int clientHolds;
  /** The client broke the protocol: nothing more is read from it, whatever the holds say. */
  private boolean clientUnreadable;
  /** Since when the client's write queue has been full without draining; 0 while it drains. */
  private long clientStalledNanos;
  /** When the session's one timer fires next. */
  private long timerDueNanos;

  private long tokenExpiryNanos;
  private long lastDataNanos = startNanos;
  private long lastClientFrameNanos = startNanos;
  private long pingSentNanos;
  private long timer = -1;
  private long clientFailTimer = -1;
  /** The client broke the protocol: its close waits for the upstream's close reply (or the bound). */
  private boolean clientFailPending;
  private boolean ended;
  private Reason endReason;
  private short clientCloseCode;
  private short upstreamCloseCode;

  /**
   * @param release gives back what the handshake guards held for this session (connection counts);
   *                run exactly once, when both sockets are closed
   */
  public Session(HandshakeRequest handshake, String upstreamLabel, ServerWebSocket client, WebSocket upstream,
                 Vertx vertx, RoutePlan plan, CompiledPolicy snapshot, SessionEvents events, Runnable release) {
    Limits limits = plan.route().limits().over(snapshot.policy().limits());
    this.id = handshake.requestId();
    this.clientIp = handshake.clientIp();
    this.clientAddress = handshake.clientAddress();
    this.origin = handshake.origin();
    this.clientCertChain = handshake.clientCert() == null ? null : handshake.clientCert().chain();
    this.path = handshake.path();
    this.route = plan.route().id();
    this.host = io.wsgate.policy.HostPattern.requestHost(handshake.host());
    this.routeHost = plan.route().host();
    this.upstreamLabel = upstreamLabel;
    this.identity = handshake.identity();
    this.subjectKey = identity == null ? null : identity.subjectId().key();
    this.audited = handshake.audited();
    this.client = client;
    this.upstream = upstream;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.events = events;
    this.release = release;
    this.idleNanos = limits.idleTimeout().toNanos();
    this.pingNanos = limits.pingInterval().toNanos();
    this.lifetimeNanos = limits.maxLifetime().toNanos();
    this.sendTimeoutNanos = limits.sendTimeout().toNanos();
    this.tokenExpiryNanos = identity == null ? Long.MAX_VALUE : expiryNanos(identity.expiresAt());
    this.rules = new MessageRules(this, plan.toUpstream(), plan.toClient());
    this.reauth = plan.route().security().auth().reauth() && identity != null
        ? new Reauthentication(this, plan.route().security().auth(), snapshot.reauth()) : null;
    MessageInspector up = rules.inspectsUpstreamBound() || reauth != null ? this::inspectToUpstream : null;
    MessageInspector down = rules.inspectsClientBound() ? (text, payload) -> rules.toClient(text, payload) : null;
    this.controlFrameBudget = snapshot.controlFrames();
    int maxMessageBytes = plan.route().limits().maxMessageBytes(snapshot.policy().startup().maxMessageBytes());
    this.toUpstream = new FrameRelay(client, upstream, this, maxMessageBytes, limits.frames(), up);
    this.toClient = new FrameRelay(upstream, client, this, maxMessageBytes, limits.frames().forUpstream(), down);
  }

  /** The monotonic-clock instant at which a wall-clock expiry falls, seen from now. */
  private static long expiryNanos(Instant expiresAt) {
    long remaining = Duration.between(Instant.now(), expiresAt).toNanos();
    return System.nanoTime() + Math.max(0, remaining);
  }

  /** Wires both sockets; call once, on the owning event loop, right after the client got 101. */
  public void start() {
    events.started(this);
    ClientProtocolErrors.install(client, reason -> VertxInternals.execute(context, reason, this::clientViolated));
    partialFrames = PartialFrameWatch.install(client);
    InFrameUtf8Check.install(VertxInternals.context(client).pipeline());
    client.frameHandler(toUpstream);
    upstream.frameHandler(toClient);
    client.exceptionHandler(this::clientFailed);
    upstream.exceptionHandler(this::upstreamFailed);
    client.closeHandler(v -> socketClosed(client));
    upstream.closeHandler(v -> socketClosed(upstream));
    client.drainHandler(v -> clientDrained());
    upstream.drainHandler(v -> toUpstream.destinationDrained());
    scheduleCheck();
    upstream.resume(); // paused by the UpstreamConnector since its 101; its first frames are waiting
    // The upstream may have gone while the client's 101 was being written: its close already fired.
    if (upstream.isClosed()) {
      socketClosed(upstream);
    }
  }

  public String id() {
    return id;
  }

  public String clientIp() {
    return clientIp;
  }

  /** The request's host as routes match it ({@link io.wsgate.policy.HostPattern#requestHost}); null: none. */
  public String host() {
    return host;
  }

  /** The host pattern of the route that took this session; null: a route for any host. */
  public io.wsgate.policy.HostPattern routeHost() {
    return routeHost;
  }

  public String route() {
    return route;
  }

  public String upstreamLabel() {
    return upstreamLabel;
  }

  /** The name of the listener the session arrived on; null for a session not tied to one (tests). */
  public String listener() {
    return audited.listener();
  }

  @Override
  public byte[] clientAddress() {
    return clientAddress;
  }

  @Override
  public String origin() {
    return origin;
  }

  @Override
  public List<X509Certificate> clientCertChain() {
    return clientCertChain;
  }

  String path() {
    return path;
  }

  /** Who this session is, for its audit records: the handshake's client, identity and route. */
  public AuditedRequest audited() {
    return audited;
  }

  /** The verified subject, or null on an anonymous route. */
  public String subject() {
    return identity == null ? null : identity.subject();
  }

  /** Who the session is, per issuer; null on an anonymous route. */
  public SubjectId subjectId() {
    return identity == null ? null : identity.subjectId();
  }

  /** The policy name of the issuer that vouched for the subject, or null on an anonymous route. */
  public String issuer() {
    return identity == null ? null : identity.issuer();
  }

  String subjectKey() {
    return subjectKey;
  }

  public long ageMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  // The counts below are written by this session's event loop only; another thread (the admin
  // API) reads them without synchronization and may see a value a few messages old.

  /** Data messages relayed client → upstream so far. */
  public long messagesToUpstream() {
    return toUpstream.messages;
  }

  /** Payload bytes relayed client → upstream so far. */
  public long bytesToUpstream() {
    return toUpstream.bytes;
  }

  /** Data messages relayed upstream → client so far. */
  public long messagesToClient() {
    return toClient.messages;
  }

  /** Payload bytes relayed upstream → client so far. */
  public long bytesToClient() {
    return toClient.bytes;
  }

  private boolean inspectToUpstream(boolean text, Buffer payload) {
    if (reauth != null && text && Reauthentication.isControlMessage(payload)) {
      if (rules.controlMessageToUpstream(payload)) {
        reauth.handle(payload);
      }
      return false;
    }
    return rules.toUpstream(text, payload);
  }

  /**
   * A message rule refused a message (or, {@code monitored}, would have): metric always, audit
   * record for the first few per session. A refusal whose action is close is counted once here
   * by its action; the session it ends is counted by the session's end record, as every close is.
   */
  void refused(Direction direction, Decision.Hit hit, boolean monitored) {
    boolean audit = auditedRefusals < MAX_AUDITED_REFUSALS;
    if (audit) {
      auditedRefusals++;
    }
    events.messageRefused(audited, direction, hit, monitored, audit);
  }

  /**
   * A message of the gateway's own to the client (a drop notice, a re-authentication answer),
   * under the same backpressure as relayed traffic: each answers something the client sent, so
   * once the client's write queue is full the client is not read until it drains, and a client
   * that never drains is closed after {@code limits.sendTimeout}. Memory stays bounded by the
   * queue's high-water mark.
   */
  void replyToClient(String text) {
    if (client.isClosed()) {
      return;
    }
    client.writeTextMessage(text);
    if (client.writeQueueFull()) {
      holdClient(Hold.REPLIES);
      clientStalled();
    }
  }

  /** Reasons to stop reading the client; it is read again only when none holds. */
  enum Hold {
    /** The upstream's write queue is full (relayed backpressure). */
    UPSTREAM_FULL,
    /** The gateway's own answers filled the client's write queue. */
    REPLIES,
    /** A re-authentication token is being verified. */
    REAUTH;

    final int bit = 1 << ordinal();
  }

  /**
   * Stops reading the client. Vert.x's pause alone only stops delivering: Netty goes on reading up to
   * 16 socket reads per wake-up and Vert.x queues every frame decoded from them, which for tiny frames
   * is many times the bytes on the wire. Turning auto-read off at once bounds what a held client can
   * make the gateway hold to the one read in progress.
   */
  void holdClient(Hold hold) {
    clientHolds |= hold.bit;
    client.pause();
    clientChannel().config().setAutoRead(false);
  }

  void releaseClient(Hold hold) {
    int before = clientHolds;
    clientHolds &= ~hold.bit;
    if (before != 0 && clientHolds == 0) {
      client.resume();
      if (!clientUnreadable) {
        clientChannel().config().setAutoRead(true);
      }
    }
  }

  private io.netty.channel.Channel clientChannel() {
    return channel(client);
  }

  private static io.netty.channel.Channel channel(WebSocketBase socket) {
    return VertxInternals.channel(socket);
  }

  /** A relay stopped reading {@code source} because its destination is full; it is read again on drain. */
  void sourcePaused(WebSocketBase source) {
    if (source == client) {
      holdClient(Hold.UPSTREAM_FULL);
    } else {
      // As for the client (see holdClient): what one wake-up reads must not pile up behind the pause.
      upstream.pause();
      channel(upstream).config().setAutoRead(false);
      clientStalled();
    }
  }

  void sourceFreed(WebSocketBase source) {
    if (source == client) {
      releaseClient(Hold.UPSTREAM_FULL);
    } else {
      upstream.resume();
      channel(upstream).config().setAutoRead(true);
    }
  }

  private void clientStalled() {
    if (clientStalledNanos == 0) {
      clientStalledNanos = System.nanoTime();
      rescheduleIfSooner(clientStalledNanos + sendTimeoutNanos);
    }
  }

  private void clientDrained() {
    clientStalledNanos = 0;
    toClient.destinationDrained();
    releaseClient(Hold.REPLIES);
  }

  SessionEvents events() {
    return events;
  }

  Identity identity() {
    return identity;
  }

  /** A fresh token for the same subject moved the session's expiry. */
  void extendTo(Instant expiresAt) {
    tokenExpiryNanos = expiryNanos(expiresAt);
    if (timer != -1 && !ended) {
      vertx.cancelTimer(timer);
      scheduleCheck();
    }
  }

  /** Ends the session from any thread: both sides get the reason's close code. */
  public void close(Reason reason) {
    context.runOnContext(v -> terminate(reason));
  }

  void terminate(Reason reason) {
    if (ended) {
      return;
    }
    end(reason);
    clientCloseCode = reason.closeCode();
    upstreamCloseCode = reason == Reason.CLIENT_GONE ? CloseCodes.GOING_AWAY : reason.closeCode();
    client.close(clientCloseCode, reason.description());
    upstream.close(upstreamCloseCode, reason.description());
  }

  /**
   * Ends the session for the client's abuse of framing and hangs up on it once the close frame is
   * out, rather than waiting out the closing timeout: a flooding client would go on being read (and
   * Vert.x would go on answering its pings), and a client stuck mid-frame cannot answer the close
   * before it finishes that frame anyway.
   */
  void terminateAndHangUp(Reason reason) {
    if (ended) {
      return;
    }
    terminate(reason);
    hangUpAfterWrites(client);
  }

  /** The client cut a message into too many fragments (only the client's are counted). */
  void fragmentFlood() {
    terminateAndHangUp(Reason.FRAGMENT_FLOOD);
  }

  /**
   * Closed from Vert.x's handler outwards, like abort(): channel().close() would come back to Vert.x
   * as a second close of the WebSocket. The session counts the client as gone once its close frame
   * is out; the connection's bounded linger holds no slot.
   */
  private void hangUpAfterWrites(WebSocketBase socket) {
    LingeringClose.start(VertxInternals.context(socket), () -> socketClosed(socket));
  }

  /** A close frame arrived from one side: pass its code (made legal) and reason to the other. */
  void peerClosed(WebSocketBase from, Short code, String reason) {
    if (clientFailPending && from == upstream) {
      failClientNow();
      return;
    }
    if (ended) {
      return;
    }
    short forwarded = CloseCodes.forward(code);
    if (from == client) {
      end(null);
      upstreamCloseCode = forwarded;
      clientCloseCode = code == null ? CloseCodes.NORMAL : code;
      upstream.close(forwarded, reason);
    } else {
      end(forwarded == CloseCodes.GOING_AWAY ? Reason.UPSTREAM_GOING_AWAY : null);
      clientCloseCode = forwarded;
      upstreamCloseCode = code == null ? CloseCodes.NORMAL : code;
      client.close(forwarded, reason);
    }
  }

  void relayed(WebSocketBase from) {
    long now = System.nanoTime();
    lastDataNanos = now;
    if (from == client) {
      lastClientFrameNanos = now;
      pingSentNanos = 0;
    }
  }

  /**
   * A ping or pong arrived (Vert.x has already answered a ping). The client's are limited per
   * connection: each costs the gateway a pong and a wake-up, and none counts as a message. The
   * bucket is made on the first one, so a session that never sends any holds none.
   */
  void controlFrame(WebSocketBase from) {
    if (from != client) {
      return;
    }
    lastClientFrameNanos = System.nanoTime();
    pingSentNanos = 0;
    if (controlFrames == null) {
      controlFrames = controlFrameBudget.newConfinedBucket();
    }
    if (!controlFrames.tryConsume(1)) {
      terminateAndHangUp(Reason.CONTROL_FRAME_FLOOD);
    }
  }

  private void socketClosed(WebSocketBase which) {
    if (!ended) {
      // The TCP connection went without a close frame (RFC 6455 §7.1.5: 1006, never sent).
      terminate(which == client ? Reason.CLIENT_GONE : Reason.UPSTREAM_LOST);
    }
    if (which == client) {
      clientClosed = true;
      clientFailPending = false;
    } else {
      upstreamClosed = true;
      if (clientFailPending) {
        failClientNow();
      }
    }
    if (clientClosed && upstreamClosed) {
      finish();
    }
  }

  /**
   * The client sent a frame that breaks the protocol (RFC 6455 §7.1.7: fail the connection). Its
   * earlier messages were relayed and may have answers on the way back: the upstream is closed with
   * the same code at once, its data frames keep flowing to the client until its close reply arrives
   * (or {@link #CLIENT_FAIL_BOUND_MS} passes), then the client gets the close and is hung up on.
   * Nothing the client sent after the bad frame is read ({@link ClientProtocolErrors}).
   */
  private void clientViolated(Reason reason) {
    clientUnreadable = true;
    if (ended) {
      // Already closing for another reason (the client's close frame may be out): just hang up.
      hangUpAfterWrites(client);
      return;
    }
    end(reason);
    clientCloseCode = reason.closeCode();
    upstreamCloseCode = reason.closeCode();
    clientFailPending = true;
    clientFailTimer = vertx.setTimer(CLIENT_FAIL_BOUND_MS, t -> {
      clientFailTimer = -1;
      failClientNow();
    });
    upstream.close(upstreamCloseCode, reason.description());
  }

  /**
   * The client sent something that cannot be a frame before the session started (a request
   * pipelined behind its upgrade): fail the connection exactly as for a bad frame, reading nothing
   * more from it. Call on the owning event loop, after {@link #start()}.
   */
  public void failProtocol(Reason reason) {
    clientChannel().config().setAutoRead(false);
    clientViolated(reason);
  }

  private void failClientNow() {
    if (!clientFailPending) {
      return;
    }
    clientFailPending = false;
    if (clientFailTimer != -1) {
      vertx.cancelTimer(clientFailTimer);
      clientFailTimer = -1;
    }
    client.close(clientCloseCode, endReason.description());
    hangUpAfterWrites(client);
  }

  private void clientFailed(Throwable failure) {
    Reason reason = ClientProtocolErrors.reason(failure);
    if (reason != null) {
      terminate(reason);
      flushCloseFrame(client);
    }
  }

  private void upstreamFailed(Throwable failure) {
    Reason reason = ClientProtocolErrors.reason(failure);
    if (reason != null) {
      terminate(reason == Reason.PROTOCOL_ERROR ? Reason.UPSTREAM_LOST : reason);
      flushCloseFrame(upstream);
    }
  }

  /**
   * Vert.x closes a connection right after its exception handler returns; a close frame written in
   * the middle of a read is not flushed yet and would be dropped with it (RFC 6455 §7.1.7: fail the
   * connection with a close frame first; Autobahn cases 3.x, 4.x, 5.15 saw no close code at all).
   */
  private static void flushCloseFrame(WebSocketBase socket) {
    VertxInternals.context(socket).flush();
  }

  private void end(Reason reason) {
    ended = true;
    endReason = reason;
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    // Vert.x starts its closing timeout only once the close frame is written, which never happens
    // for a peer that stopped reading: without this deadline such a session would never end.
    timer = vertx.setTimer(CLOSE_GRACE_MS, id -> {
      abort(client);
      abort(upstream);
    });
  }

  private static void abort(WebSocketBase socket) {
    ChannelHandlerContext channel = VertxInternals.context(socket);
    if (channel.channel().isActive()) {
      channel.close();
    }
  }

  private boolean finished;
  private boolean clientClosed;
  private boolean upstreamClosed;

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    vertx.cancelTimer(timer);
    if (clientFailTimer != -1) {
      vertx.cancelTimer(clientFailTimer);
    }
    release.run();
    events.ended(this, new SessionEvents.Ending(endReason, clientCloseCode, upstreamCloseCode,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        toUpstream.messages, toUpstream.bytes, toClient.messages, toClient.bytes));
  }

  /** One timer per session, always set to the nearest deadline: idle, lifetime, or keepalive. */
  private void scheduleCheck() {
    long now = System.nanoTime();
    long next = Math.min(Math.min(lastDataNanos + idleNanos, startNanos + lifetimeNanos), tokenExpiryNanos);
    next = Math.min(next, pingSentNanos != 0 ? pingSentNanos + pingNanos : lastClientFrameNanos + pingNanos);
    if (clientStalledNanos != 0) {
      next = Math.min(next, clientStalledNanos + sendTimeoutNanos);
    }
    timerDueNanos = next;
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now) + 1);
    timer = vertx.setTimer(delayMs, id -> {
      timer = -1;
      check();
    });
  }

  /**
   * A timeout measured on complete frames ended the session: a client that sent part of a frame and
   * never the rest (a slowloris on the frame header or body) is told apart from a silent one —
   * unless the gateway itself stopped reading from it (a slow upstream), which would leave any
   * client's frame unfinished.
   */
  private void endQuietSession(Reason timeout) {
    boolean stalled = partialFrames != null && partialFrames.frameUnfinished() && !toUpstream.pausedSource;
    if (stalled) {
      terminateAndHangUp(Reason.INCOMPLETE_FRAME);
    } else {
      terminate(timeout);
    }
  }

  /** Brings the session's timer forward when a new deadline falls before it. */
  private void rescheduleIfSooner(long deadlineNanos) {
    if (timer != -1 && !ended && deadlineNanos - timerDueNanos < 0) {
      vertx.cancelTimer(timer);
      scheduleCheck();
    }
  }

  private void check() {
    if (ended) {
      return;
    }
    long now = System.nanoTime();
    if (clientStalledNanos != 0 && now - clientStalledNanos >= sendTimeoutNanos) {
      // Its queue never drained: a close frame would only join it. Hang up.
      terminate(Reason.CLIENT_NOT_READING);
      abort(client);
    } else if (now - tokenExpiryNanos >= 0) {
      terminate(Reason.TOKEN_EXPIRED_CLOSE);
    } else if (now - startNanos >= lifetimeNanos) {
      terminate(Reason.MAX_LIFETIME);
    } else if (now - lastDataNanos >= idleNanos) {
      endQuietSession(Reason.IDLE_TIMEOUT);
    } else if (pingSentNanos != 0 && now - pingSentNanos >= pingNanos) {
      endQuietSession(Reason.KEEPALIVE_TIMEOUT);
    } else {
      if (pingSentNanos == 0 && now - lastClientFrameNanos >= pingNanos) {
        pingSentNanos = now;
        client.writePing(PING_PAYLOAD);
      }
      scheduleCheck();
    }
  }
}
