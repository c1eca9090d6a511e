package io.wsgate.upstream;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.wsgate.Reason;
import io.wsgate.handshake.HandshakeRequest;

import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Opens the upstream WebSocket before the client is accepted. Tries the pool's healthy members in
 * the order its balancer gives; a member that cannot be reached is put in cool-down and the next is
 * tried. A member counts the dial from its start, and the session until the connection is released.
 * An upstream that answers anything but a valid 101 is a 502 and no tunnel is ever opened: the
 * client still holds a plain HTTP request at that point.
 */
public final class UpstreamConnector {
  private final Vertx vertx;
  private final UpstreamClients clients;
  private final long timeoutMs;

  /** @param options how every upstream client is made (one per {@code upstreamTls.serverName}, see {@link UpstreamClients}) */
  public UpstreamConnector(Vertx vertx, WebSocketClientOptions options, long timeoutMs) {
    this.vertx = vertx;
    this.clients = new UpstreamClients(vertx, options);
    this.timeoutMs = timeoutMs;
  }

  public Future<UpstreamConnection> connect(HandshakeRequest request, UpstreamPool pool, MultiMap headers) {
    List<UpstreamMember> candidates = pool.candidates(request);
    if (candidates.isEmpty()) {
      return Future.failedFuture(new UpstreamFailure(Reason.UPSTREAM_UNAVAILABLE, "every pool member is cooling down"));
    }
    return attempt(request, pool, headers, candidates, 0);
  }

  private Future<UpstreamConnection> attempt(HandshakeRequest request, UpstreamPool pool, MultiMap headers,
                                             List<UpstreamMember> candidates, int index) {
    UpstreamMember member = candidates.get(index);
    // Only the member that answered is marked up: a failover's success must not end the cool-down
    // of the member that just failed.
    member.acquire();
    return connectOne(request, member, pool.ssl(), headers)
        .onSuccess(connection -> pool.succeeded(member))
        .recover(failure -> {
          member.release();
          UpstreamFailure reasoned = (UpstreamFailure) failure;
          if (!reasoned.memberFailed()) {
            return Future.failedFuture(reasoned); // the request could not be sent: nothing to say of the member
          }
          if (reasoned.reason() == Reason.UPSTREAM_REJECTED) {
            return Future.failedFuture(reasoned);
          }
          pool.failed(member);
          boolean unreached = reasoned.reason() == Reason.UPSTREAM_UNAVAILABLE
              || reasoned.reason() == Reason.UPSTREAM_TLS;
          if (unreached && index + 1 < candidates.size()) {
            return attempt(request, pool, headers, candidates, index + 1);
          }
          return Future.failedFuture(reasoned);
        });
  }

  private Future<UpstreamConnection> connectOne(HandshakeRequest request, UpstreamMember member, UpstreamSsl ssl,
                                                MultiMap headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(member.host())
        .setPort(member.port())
        .setSsl(member.tls())
        .setURI(upstreamUri(request, member))
        .setHeaders(headers)
        .setAllowOriginHeader(headers.contains("origin"))
        .setSubProtocols(request.subprotocols().isEmpty() ? null : request.subprotocols())
        .setConnectTimeout(timeoutMs)
        .setTimeout(timeoutMs);
    if (member.tls()) {
      options.setSslOptions(ssl.options());
    }
    Promise<UpstreamConnection> promise = Promise.promise();
    long dialled = System.nanoTime();
    long timer = vertx.setTimer(timeoutMs, id -> promise.tryFail(
        new UpstreamFailure(Reason.UPSTREAM_TIMEOUT, member.label() + ": no 101 within " + timeoutMs + " ms")));
    Future<WebSocket> connecting;
    try {
      connecting = clients.client(member.tls() ? ssl.serverName() : null).connect(options);
    } catch (RuntimeException e) {
      // Refused before anything was dialled (a header or URI the client would not send).
      vertx.cancelTimer(timer);
      return Future.failedFuture(new UpstreamFailure(Reason.GUARD_FAILED, member.label() + ": request not sendable"));
    }
    connecting.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        // Vert.x resumes the socket as this future completes, but no handler is set until the client's
        // 101 is written and the Session starts: hold what the upstream sends first (a welcome) till then.
        // (Vert.x delivers only in a later event-loop task, so pausing here loses nothing.)
        ar.result().pause();
        if (!promise.tryComplete(new UpstreamConnection(ar.result(), member))) {
          ar.result().close((short) 1001, "gateway gave up waiting");
        }
      } else {
        promise.tryFail(classify(member, ar.cause(), tlsFailureSince(member, ssl, dialled)));
      }
    });
    return promise.future();
  }

  private static String upstreamUri(HandshakeRequest request, UpstreamMember member) {
    String path = member.path() != null ? member.path() : request.path();
    return request.query() == null ? path : path + "?" + request.query();
  }

  /**
   * By type, not by name: Vert.x reports an upstream that hangs up before answering as a plain
   * {@link WebSocketHandshakeException} ("Connection closed while handshake in process"), and a
   * failed TLS handshake is an {@code SSLException} somewhere in the cause chain; neither answered the
   * upgrade, so both are failed members (cool-down, failover), not rejections. TLS failures (an
   * untrusted certificate, a name it does not cover, the member refusing our client certificate) get
   * their own reason: they are usually configuration, not an outage.
   */
  private static UpstreamFailure classify(UpstreamMember member, Throwable cause, String tlsFailure) {
    if (cause instanceof UpgradeRejectedException rejected) {
      return new UpstreamFailure(Reason.UPSTREAM_REJECTED, member.label() + " answered HTTP " + rejected.getStatus());
    }
    if (cause instanceof WebSocketClientHandshakeException) {
      // It answered 101 but with a wrong Sec-WebSocket-Accept, Upgrade, Connection or subprotocol.
      return new UpstreamFailure(Reason.UPSTREAM_REJECTED, member.label() + ": invalid handshake response");
    }
    if (cause instanceof TimeoutException || cause instanceof ConnectTimeoutException) {
      return new UpstreamFailure(Reason.UPSTREAM_TIMEOUT, member.label() + ": timed out");
    }
    if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
      // The gateway's own request was refused by the client library: no dial, no upstream fault.
      return new UpstreamFailure(Reason.GUARD_FAILED, member.label() + ": request not sendable");
    }
    SSLException tls = tlsCause(cause);
    if (tls != null || tlsFailure != null) {
      // The JDK's TLS messages name the certificate problem or the alert; they never carry key material.
      return new UpstreamFailure(Reason.UPSTREAM_TLS, member.label() + ": TLS: "
          + (tls != null ? tls.getMessage() : tlsFailure));
    }
    return new UpstreamFailure(Reason.UPSTREAM_UNAVAILABLE, member.label() + ": " + cause.getClass().getSimpleName());
  }

  /** The innermost: Vert.x wraps the JDK's precise exception in its own. */
  private static SSLException tlsCause(Throwable cause) {
    SSLException found = null;
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SSLException ssl) {
        found = ssl;
      }
    }
    return found;
  }

  /**
   * A TLS failure on a connection to this member since the dial began: with TLS 1.3, a member that
   * refuses our client certificate says so after our side of the handshake, and Vert.x reports only
   * a connection closed during the upgrade.
   */
  private String tlsFailureSince(UpstreamMember member, UpstreamSsl ssl, long dialled) {
    if (!member.tls()) {
      return null;
    }
    String peer = ssl.serverName() != null ? ssl.serverName() : member.host();
    return clients.failures().since(peer, member.port(), dialled);
  }
}
