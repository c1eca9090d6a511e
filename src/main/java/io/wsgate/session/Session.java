package io.wsgate.session;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.wsgate.Reason;
import io.wsgate.audit.AuditLog;
import io.wsgate.policy.Limits;

import java.util.concurrent.TimeUnit;

/**
 * One proxied connection: the client socket, the upstream socket, and the rules that end it.
 * All state is touched only on the event loop that owns both sockets.
 */
public final class Session {
  private static final Buffer PING_PAYLOAD = Buffer.buffer("wsgate");

  private final String id;
  private final String clientIp;
  private final String route;
  private final String upstreamLabel;
  private final ServerWebSocket client;
  private final WebSocket upstream;
  private final Vertx vertx;
  private final Context context;
  private final SessionRegistry registry;
  private final ConnectionSlots slots;
  private final AuditLog audit;
  private final long idleNanos;
  private final long pingNanos;
  private final long lifetimeNanos;
  private final long startNanos = System.nanoTime();
  private final FrameRelay toUpstream;
  private final FrameRelay toClient;

  private long lastDataNanos = startNanos;
  private long lastClientFrameNanos = startNanos;
  private long pingSentNanos;
  private long timer = -1;
  private boolean ended;
  private Reason endReason;
  private short clientCloseCode;
  private short upstreamCloseCode;

  public Session(String id, String clientIp, String route, String upstreamLabel, ServerWebSocket client,
                 WebSocket upstream, Vertx vertx, Limits limits, SessionRegistry registry, ConnectionSlots slots,
                 AuditLog audit) {
    this.id = id;
    this.clientIp = clientIp;
    this.route = route;
    this.upstreamLabel = upstreamLabel;
    this.client = client;
    this.upstream = upstream;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.registry = registry;
    this.slots = slots;
    this.audit = audit;
    this.idleNanos = limits.idleTimeout().toNanos();
    this.pingNanos = limits.pingInterval().toNanos();
    this.lifetimeNanos = limits.maxLifetime().toNanos();
    this.toUpstream = new FrameRelay(client, upstream, this, limits.maxMessageBytes());
    this.toClient = new FrameRelay(upstream, client, this, limits.maxMessageBytes());
  }

  /** Wires both sockets; call once, on the owning event loop, right after the client got 101. */
  public void start() {
    registry.add(this);
    client.frameHandler(toUpstream);
    upstream.frameHandler(toClient);
    client.exceptionHandler(this::clientFailed);
    upstream.exceptionHandler(this::upstreamFailed);
    client.closeHandler(v -> socketClosed(client));
    upstream.closeHandler(v -> socketClosed(upstream));
    scheduleCheck();
    // The connector paused the upstream at its 101; what it sent since is delivered now.
    upstream.resume();
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

  public String route() {
    return route;
  }

  public String upstreamLabel() {
    return upstreamLabel;
  }

  public long ageMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
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

  /** A close frame arrived from one side: pass its code (made legal) and reason to the other. */
  void peerClosed(WebSocketBase from, Short code, String reason) {
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

  void touched(WebSocketBase from) {
    if (from == client) {
      lastClientFrameNanos = System.nanoTime();
      pingSentNanos = 0;
    }
  }

  private void socketClosed(WebSocketBase which) {
    if (!ended) {
      // The TCP connection went without a close frame (RFC 6455 §7.1.5: 1006, never sent).
      terminate(which == client ? Reason.CLIENT_GONE : Reason.UPSTREAM_LOST);
    }
    if (which == client) {
      clientClosed = true;
    } else {
      upstreamClosed = true;
    }
    if (clientClosed && upstreamClosed) {
      finish();
    }
  }

  private void clientFailed(Throwable failure) {
    Reason reason = protocolReason(failure);
    if (reason != null) {
      terminate(reason);
    }
  }

  private void upstreamFailed(Throwable failure) {
    Reason reason = protocolReason(failure);
    if (reason != null) {
      terminate(reason == Reason.PROTOCOL_ERROR ? Reason.UPSTREAM_LOST : reason);
    }
  }

  private static Reason protocolReason(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupted) {
      WebSocketCloseStatus status = corrupted.closeStatus();
      if (status != null && status.code() == 1009) {
        return Reason.MESSAGE_TOO_BIG;
      }
      if (status != null && status.code() == 1007) {
        return Reason.INVALID_UTF8;
      }
      return Reason.PROTOCOL_ERROR;
    }
    return null;
  }

  private void end(Reason reason) {
    ended = true;
    endReason = reason;
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
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
    registry.remove(this);
    slots.release();
    audit.closed(id, endReason, clientCloseCode, upstreamCloseCode,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        toUpstream.messages, toUpstream.bytes, toClient.messages, toClient.bytes);
  }

  /** One timer per session, always set to the nearest deadline: idle, lifetime, or keepalive. */
  private void scheduleCheck() {
    long now = System.nanoTime();
    long next = Math.min(lastDataNanos + idleNanos, startNanos + lifetimeNanos);
    next = Math.min(next, pingSentNanos != 0 ? pingSentNanos + pingNanos : lastClientFrameNanos + pingNanos);
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now) + 1);
    timer = vertx.setTimer(delayMs, id -> {
      timer = -1;
      check();
    });
  }

  private void check() {
    if (ended) {
      return;
    }
    long now = System.nanoTime();
    if (now - startNanos >= lifetimeNanos) {
      terminate(Reason.MAX_LIFETIME);
    } else if (now - lastDataNanos >= idleNanos) {
      terminate(Reason.IDLE_TIMEOUT);
    } else if (pingSentNanos != 0 && now - pingSentNanos >= pingNanos) {
      terminate(Reason.KEEPALIVE_TIMEOUT);
    } else {
      if (pingSentNanos == 0 && now - lastClientFrameNanos >= pingNanos) {
        pingSentNanos = now;
        client.writePing(PING_PAYLOAD);
      }
      scheduleCheck();
    }
  }
}
