package io.wsgate.listener;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.wsgate.CompiledPolicy;
import io.wsgate.GatewayServices;
import io.wsgate.Reason;
import io.wsgate.RoutePlan;
import io.wsgate.audit.AuditedRequest;
import io.wsgate.demo.DemoPage;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.NetUtil;
import io.wsgate.handshake.Admission;
import io.wsgate.limits.ConnectionScope;
import io.wsgate.limits.SharedStateUnavailable;
import io.wsgate.internal.EarlyBytesWatch;
import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.policy.HostPattern;
import io.wsgate.session.Session;
import io.wsgate.session.SessionRecheck;
import io.wsgate.upstream.UpstreamConnection;
import io.wsgate.upstream.UpstreamConnector;
import io.wsgate.upstream.UpstreamFailure;
import io.wsgate.logging.RequestLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.wsgate.upstream.UpstreamHeaders;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The upgrade entry point: validates the request, runs the handshake pipeline, connects the
 * upstream, and only then accepts the client. Every branch ends in exactly one answer: a rejection
 * (status, audit record, metric) or a started {@link Session}.
 */
final class UpgradeHandler implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradeHandler.class);
  private final Vertx vertx;
  private final GatewayServices services;
  private final UpstreamConnector connector;
  /** The name of the policy listener this handler serves: its routes, address rules and proxies apply. */
  private final String listener;
  /** Connections answered with a refusal and now closing; touched only on this verticle's event loop. */
  private final Set<HttpConnection> refused = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Connections whose upgrade is being answered; touched only on this verticle's event loop. */
  private final Set<HttpConnection> upgrading = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Upgrading connections on which the client sent another request before its 101. */
  private final Set<HttpConnection> pipelined = Collections.newSetFromMap(new IdentityHashMap<>());

  UpgradeHandler(Vertx vertx, GatewayServices services, UpstreamConnector connector, String listener) {
    this.vertx = vertx;
    this.services = services;
    this.connector = connector;
    this.listener = listener;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (behindAnotherAnswer(request)) {
      return;
    }
    long received = System.nanoTime();
    CompiledPolicy snapshot = services.current();
    String path = request.path();
    boolean upgrade = UpgradeRequestValidator.asksForWebSocket(request);
    if (!upgrade && "/".equals(path) && snapshot.policy().dev().demoPage()) {
      serveDemoPage(request);
      return;
    }
    String requestId = RequestIds.next();
    if (!services.audit().acceptsNewSessions()) {
      // onFailure: failClosed, and records are being lost: no decision may go unrecorded.
      reject(request, requestId, null, received, Reason.AUDIT_UNAVAILABLE);
      return;
    }
    if (!services.limits().admitsNewSessions()) {
      // cluster.onStoreFailure: failClosed, and the fleet's store cannot be asked: no limit may go unshared.
      reject(request, requestId, null, received, Reason.STORE_UNAVAILABLE);
      return;
    }
    if (path != null && !UpgradeRequestValidator.normalizedPath(path)) {
      reject(request, requestId, null, received, Reason.PATH_NOT_NORMALIZED); // before routing: see normalizedPath
      return;
    }
    String host = HostPattern.requestHost(request.getHeader("host"));
    if (MisdirectedRequest.misdirected(request.connection(), host)) {
      reject(request, requestId, null, received, Reason.MISDIRECTED_REQUEST); // before routing: see MisdirectedRequest
      return;
    }
    RoutePlan plan = path == null ? null : snapshot.match(listener, host, path);
    if (plan == null) {
      reject(request, requestId, null, received, Reason.ROUTE_NOT_FOUND);
      return;
    }
    if (!upgrade) {
      request.response().putHeader("upgrade", "websocket");
      reject(request, requestId, plan, received, Reason.UPGRADE_REQUIRED);
      return;
    }
    Reason malformed = UpgradeRequestValidator.check(request);
    if (malformed != null) {
      if (malformed == Reason.UNSUPPORTED_WS_VERSION) {
        request.response().putHeader("sec-websocket-version", "13");
      }
      reject(request, requestId, plan, received, malformed);
      return;
    }
    if (services.draining()) {
      reject(request, requestId, plan, received, Reason.DRAINING);
      return;
    }
    // The upgrade completes asynchronously: hold the request until toWebSocket() takes it.
    request.pause();
    // With PROXY protocol, remoteAddress() is the source the load balancer declared and
    // remoteAddress(true) the load balancer itself; the declaration counts only from a trusted proxy.
    String peerIp = request.connection().remoteAddress(true).hostAddress();
    String declaredIp = request.remoteAddress().hostAddress();
    String clientIp = snapshot.clientAddresses(listener).resolve(peerIp, declaredIp, request.headers());
    HandshakeRequest handshake = new HandshakeRequest(requestId, peerIp, clientIp,
        NetUtil.createByteArrayFromIpAddressString(clientIp), request.isSSL(), request.getHeader("host"), path,
        request.query(), request.headers(), offeredSubprotocols(request), plan.route(), received, null, false,
        cookies(request), services.limits().newBudget(),
        plan.route().clientCert() == null ? null : ClientCertificates.presented(request.connection()), listener);
    snapshot.pipeline(listener).run(handshake).onComplete(ar -> {
      if (ar.failed()) {
        reject(request, handshake, failureReason(ar.cause()));
      } else if (!ar.result().admitted()) {
        Admission denied = ar.result();
        if (denied.retryAfterSeconds() > 0) {
          request.response().putHeader("retry-after", Long.toString(denied.retryAfterSeconds()));
        }
        if (denied.reason() == Reason.TOKEN_MISSING) {
          // RFC 6750 §3.1: a request without credentials gets the challenge but no error code.
          request.response().putHeader("www-authenticate", "Bearer realm=\"wsgate\"");
        } else if (denied.reason().code() == 401 && denied.reason() != Reason.CLIENT_CERT_MISSING) {
          // RFC 6750 §3: the error code only, never the token or why exactly it failed.
          request.response().putHeader("www-authenticate", "Bearer realm=\"wsgate\", error=\"invalid_token\"");
        }
        reject(request, denied.request(), denied.reason()); // as far as the guards got: the identity, if verified
      } else {
        admit(request, ar.result(), plan, snapshot);
      }
    });
  }

  /**
   * A request head the HTTP decoder refused (request line or headers over the listener's limits,
   * or not HTTP at all): refused, audited and counted like any malformed upgrade, instead of
   * Vert.x's silent default answer. Its path is not recorded: the decoder never produced one.
   */
  void handleUndecodable(HttpServerRequest request) {
    if (behindAnotherAnswer(request)) {
      return;
    }
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof PrematureChannelClosureException) {
      return; // the connection closed mid-head (either side): nobody left to answer, nothing was asked
    }
    Reason reason = cause instanceof TooLongHttpLineException ? Reason.URI_TOO_LONG
        : cause instanceof TooLongHttpHeaderException ? Reason.HEADERS_TOO_LARGE : Reason.BAD_UPGRADE;
    services.audit().rejected(new AuditedRequest(RequestIds.next(), request.remoteAddress().hostAddress(), null, null,
        null, null, null, null, listener), reason);
    services.meters().handshake(false, System.nanoTime());
    respond(request, reason);
  }

  /**
   * A request pipelined behind one that is being answered is never answered itself. Vert.x hands it
   * over when the answer before it is written. Behind a refusal, the connection is about to close
   * (request smuggling defence). Behind an upgrade, the client broke RFC 6455 §4.1 (it must wait for
   * the 101 before it sends anything more): after a 101 its bytes are frames, so the session that
   * upgrade opens fails at once with 1002 ({@link Reason#PIPELINED_REQUEST}). Answering the request
   * would have opened a second session on the same socket and orphaned the first.
   */
  private boolean behindAnotherAnswer(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    if (upgrading.contains(connection)) {
      pipelined.add(connection);
      return true;
    }
    return refused.contains(connection);
  }

  private void admit(HttpServerRequest request, Admission admission, RoutePlan plan, CompiledPolicy snapshot) {
    HandshakeRequest handshake = admission.request();
    MultiMap upstreamHeaders = UpstreamHeaders.build(handshake, plan.route());
    if (!UpstreamHeaders.sendable(upstreamHeaders)) {
      admission.release();
      reject(request, handshake, Reason.HEADER_NOT_FORWARDABLE);
      return;
    }
    services.slots().acquire(ConnectionScope.GLOBAL_KEY, snapshot.policy().limits().maxConnections(),
            handshake.storeBudget())
        .onComplete(slot -> {
          if (slot.failed() || slot.result() == null) {
            admission.release();
            reject(request, handshake, slot.failed() ? failureReason(slot.cause()) : Reason.CONNECTION_CAP);
          } else {
            connect(request, admission.holding(slot.result()::release), plan, snapshot, upstreamHeaders);
          }
        });
  }

  /** The slot of the global cap is held: dial the upstream, then answer the client. */
  private void connect(HttpServerRequest request, Admission admission, RoutePlan plan, CompiledPolicy snapshot,
                       MultiMap upstreamHeaders) {
    HandshakeRequest handshake = admission.request();
    long connecting = System.nanoTime();
    connector.connect(handshake, plan.pool(), upstreamHeaders)
        .onComplete(ar -> {
          services.meters().upstreamConnect(ar.succeeded(), connecting);
          if (ar.failed()) {
            admission.release();
            Reason reason = ar.cause() instanceof UpstreamFailure failure ? failure.reason() : Reason.UPSTREAM_UNAVAILABLE;
            RequestLog.warn(LOG, handshake.requestId(), "No upstream for route {} ({}): {}", plan.route().id(),
                reason.tag(), ar.cause().getMessage());
            reject(request, handshake, reason);
          } else {
            accept(request, admission.holding(ar.result()::release), ar.result(), plan, snapshot);
          }
        });
  }

  private void accept(HttpServerRequest request, Admission admission, UpstreamConnection upstream, RoutePlan plan,
                      CompiledPolicy snapshot) {
    HandshakeRequest handshake = admission.request();
    String chosen = upstream.socket().subProtocol();
    if (chosen != null) {
      // The upstream chose among the client's own offers; the client sees that choice.
      request.response().putHeader("sec-websocket-protocol", chosen);
    } else if (handshake.bearerOffered()) {
      // A browser that carried its token in the offers requires one offer back; never the token.
      request.response().putHeader("sec-websocket-protocol", "bearer");
    }
    HttpConnection connection = request.connection();
    upgrading.add(connection);
    EarlyBytesWatch early = EarlyBytesWatch.install(connection);
    request.toWebSocket().onComplete(ar -> {
      upgrading.remove(connection);
      boolean sentTooSoon = pipelined.remove(connection) | early.remove();
      if (ar.failed()) {
        upstream.socket().close((short) 1001, Reason.CLIENT_LEFT_DURING_HANDSHAKE.description());
        admission.release();
        services.audit().rejected(handshake.audited(), Reason.CLIENT_LEFT_DURING_HANDSHAKE);
        services.meters().handshake(false, handshake.receivedNanos());
        return;
      }
      ServerWebSocket client = ar.result();
      services.meters().handshake(true, handshake.receivedNanos());
      Session session = new Session(handshake, upstream.member().label(), client, upstream.socket(), vertx, plan,
          snapshot, services.sessionEvents(), admission::release);
      services.audit().accepted(session.audited(), upstream.member().label(), snapshot.policy().version());
      session.start();
      if (sentTooSoon) {
        session.failProtocol(Reason.PIPELINED_REQUEST);
        return;
      }
      // A stop, revocation or re-checking reload since the handshake checks did not see this session.
      Reason late = SessionRecheck.lateDecision(services, snapshot, session);
      if (late != null) {
        session.close(late);
      }
    });
  }

  /** A check that failed instead of answering: the shared store under failClosed, else a bug (500). */
  private static Reason failureReason(Throwable cause) {
    return cause instanceof SharedStateUnavailable ? Reason.STORE_UNAVAILABLE : Reason.GUARD_FAILED;
  }

  private void reject(HttpServerRequest request, HandshakeRequest handshake, Reason reason) {
    services.audit().rejected(handshake.audited(), reason);
    services.meters().handshake(false, handshake.receivedNanos());
    respond(request, reason);
  }

  /** A refusal before the guards: the direct peer, and the route when one matched. */
  private void reject(HttpServerRequest request, String requestId, RoutePlan plan, long received, Reason reason) {
    String sni = reason == Reason.MISDIRECTED_REQUEST ? MisdirectedRequest.requestedName(request.connection()) : null;
    services.audit().rejected(new AuditedRequest(requestId, request.remoteAddress().hostAddress(), null, null,
        plan == null ? null : plan.route().id(), request.path(), request.getHeader("origin"),
        request.getHeader("user-agent"), listener, null, request.getHeader("host"), sni), reason);
    services.meters().handshake(false, received);
    respond(request, reason);
  }

  private void respond(HttpServerRequest request, Reason reason) {
    // A refused upgrade never leaves a connection to speak HTTP on (request smuggling defence):
    // marked before end(), which is where Vert.x dispatches a request pipelined behind this one.
    HttpConnection connection = request.connection();
    refused.add(connection);
    request.response()
        .setStatusCode(reason.code())
        .putHeader("connection", "close")
        .putHeader("content-type", "text/plain; charset=utf-8")
        .end(reason.description() + "\n")
        .onComplete(v -> connection.close().onComplete(closed -> refused.remove(connection)));
  }

  private static void serveDemoPage(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().setStatusCode(405).putHeader("allow", "GET, HEAD").putHeader("connection", "close").end();
      return;
    }
    // One request per connection: the handshake deadline (slowloris defence) covers only a
    // connection's first request head, so a kept-alive connection could trickle the next one forever.
    HttpConnection connection = request.connection();
    request.response()
        .putHeader("content-type", DemoPage.CONTENT_TYPE)
        .putHeader("content-security-policy", DemoPage.CONTENT_SECURITY_POLICY)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("cache-control", "no-store")
        .putHeader("connection", "close")
        .end(DemoPage.load())
        .onComplete(v -> connection.close());
  }

  private static String cookies(HttpServerRequest request) {
    List<String> values = request.headers().getAll("cookie");
    return values.isEmpty() ? null : String.join("; ", values);
  }

  private static List<String> offeredSubprotocols(HttpServerRequest request) {
    List<String> offers = new ArrayList<>();
    for (String header : request.headers().getAll("sec-websocket-protocol")) {
      for (String token : header.split(",")) {
        String trimmed = token.trim();
        if (!trimmed.isEmpty()) {
          offers.add(trimmed);
        }
      }
    }
    return offers;
  }
}
