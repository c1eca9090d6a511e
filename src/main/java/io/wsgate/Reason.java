package io.wsgate;

/**
 * Every way wsgate refuses a handshake or ends a session, and nothing else: the single source of
 * truth for the HTTP status (handshake) or WebSocket close code (session, RFC 6455 §7.4), the audit
 * reason string and the metric tag. Adding a check means adding one guard or filter and, if new,
 * one constant here.
 *
 * <p>Close codes are only ever legal-to-send codes: never 1005, 1006 or 1015.
 */
public enum Reason {
  // --- handshake: HTTP status --------------------------------------------------------------
  ROUTE_NOT_FOUND(Kind.HTTP, 404, "no route for this path"),
  UPGRADE_REQUIRED(Kind.HTTP, 426, "this route only speaks WebSocket"),
  BAD_UPGRADE(Kind.HTTP, 400, "malformed WebSocket upgrade request"),
  UNSUPPORTED_WS_VERSION(Kind.HTTP, 400, "unsupported Sec-WebSocket-Version"),
  URI_TOO_LONG(Kind.HTTP, 414, "request line too long"),
  HEADERS_TOO_LARGE(Kind.HTTP, 431, "request header fields too large"),
  CONNECTION_CAP(Kind.HTTP, 503, "global connection cap reached"),
  DRAINING(Kind.HTTP, 503, "gateway is shutting down"),
  UPSTREAM_UNAVAILABLE(Kind.HTTP, 502, "upstream refused or unreachable"),
  UPSTREAM_REJECTED(Kind.HTTP, 502, "upstream answered the upgrade without 101"),
  UPSTREAM_TIMEOUT(Kind.HTTP, 504, "upstream handshake timed out"),
  UPSTREAM_TLS(Kind.HTTP, 502, "TLS with the upstream failed"),
  HANDSHAKE_TIMEOUT(Kind.HTTP, 408, "no complete upgrade request in time; connection closed"),
  CLIENT_LEFT_DURING_HANDSHAKE(Kind.HTTP, 499, "client closed the connection before the upgrade completed"),
  GUARD_FAILED(Kind.HTTP, 500, "a handshake check failed unexpectedly; denied"),
  IP_DENIED(Kind.HTTP, 403, "client address not allowed"),
  ORIGIN_DENIED(Kind.HTTP, 403, "origin not allowed"),
  CLIENT_CERT_MISSING(Kind.HTTP, 401, "client certificate required"),
  CLIENT_CERT_UNTRUSTED(Kind.HTTP, 403, "client certificate not accepted"),
  CLIENT_CERT_REVOKED(Kind.HTTP, 403, "client certificate revoked"),
  CLIENT_CERT_REVOCATION_UNKNOWN(Kind.HTTP, 403, "client certificate revocation status unknown"),
  TOKEN_MISSING(Kind.HTTP, 401, "access token required"),
  TOKEN_INVALID(Kind.HTTP, 401, "access token invalid"),
  TOKEN_EXPIRED(Kind.HTTP, 401, "access token expired"),
  TOKEN_REVOKED(Kind.HTTP, 401, "access token revoked"),
  TOKEN_KEYS_UNAVAILABLE(Kind.HTTP, 503, "token signing keys unavailable"),
  INSUFFICIENT_PERMISSION(Kind.HTTP, 403, "token lacks a required scope, role or claim"),
  HANDSHAKE_RATE_LIMITED(Kind.HTTP, 429, "too many connection attempts from this address"),
  IP_CONNECTIONS_EXCEEDED(Kind.HTTP, 429, "too many connections from this address"),
  SUBJECT_CONNECTIONS_EXCEEDED(Kind.HTTP, 429, "too many connections for this subject"),
  GLOBAL_HANDSHAKE_RATE_LIMITED(Kind.HTTP, 503, "gateway busy: too many connection attempts"),
  ROUTE_CONNECTION_CAP(Kind.HTTP, 503, "route connection cap reached"),
  ROUTE_HANDSHAKE_RATE_LIMITED(Kind.HTTP, 429, "too many connection attempts to this route from this address"),
  ROUTE_IP_CONNECTIONS_EXCEEDED(Kind.HTTP, 429, "too many connections to this route from this address"),
  ROUTE_SUBJECT_CONNECTIONS_EXCEEDED(Kind.HTTP, 429, "too many connections to this route for this subject"),
  AUDIT_UNAVAILABLE(Kind.HTTP, 503, "audit trail unavailable; try again later"),
  STORE_UNAVAILABLE(Kind.HTTP, 503, "shared state store unavailable; try again later"),
  SUBJECT_INVALID(Kind.HTTP, 401, "access token subject cannot be used as is"),
  CLAIM_NOT_FORWARDABLE(Kind.HTTP, 401, "a forwarded claim cannot be sent upstream as is"),
  HEADER_NOT_FORWARDABLE(Kind.HTTP, 400, "a forwarded header cannot be sent upstream as is"),
  PATH_NOT_NORMALIZED(Kind.HTTP, 400, "request path has dot segments or encoded slashes"),
  DUPLICATE_HEADER(Kind.HTTP, 400, "a header that must appear once is repeated"),
  UPGRADE_WITH_BODY(Kind.HTTP, 400, "a WebSocket upgrade request must not have a body"),
  MISDIRECTED_REQUEST(Kind.HTTP, 421, "the requested host is not served on this connection"),

  // --- session: close code -----------------------------------------------------------------
  MESSAGE_TOO_BIG(Kind.CLOSE, 1009, "message too big"),
  INVALID_UTF8(Kind.CLOSE, 1007, "invalid UTF-8 in text message"),
  PROTOCOL_ERROR(Kind.CLOSE, 1002, "protocol error"),
  PIPELINED_REQUEST(Kind.CLOSE, 1002, "data sent before the upgrade was answered"),
  IDLE_TIMEOUT(Kind.CLOSE, 1001, "idle timeout"),
  MAX_LIFETIME(Kind.CLOSE, 1001, "maximum session lifetime reached"),
  KEEPALIVE_TIMEOUT(Kind.CLOSE, 1001, "keepalive ping not answered"),
  INCOMPLETE_FRAME(Kind.CLOSE, 1001, "frame not completed in time"),
  CONTROL_FRAME_FLOOD(Kind.CLOSE, 1008, "too many control frames"),
  FRAGMENT_FLOOD(Kind.CLOSE, 1008, "too many fragments for the message size"),
  UPSTREAM_GOING_AWAY(Kind.CLOSE, 1001, "upstream going away"),
  UPSTREAM_LOST(Kind.CLOSE, 1011, "upstream connection lost"),
  CLIENT_GONE(Kind.CLOSE, 1001, "client went away"),
  SHUTDOWN(Kind.CLOSE, 1001, "gateway shutting down"),
  SHUTDOWN_RESTART(Kind.CLOSE, 1012, "gateway restarting"),
  TOKEN_EXPIRED_CLOSE(Kind.CLOSE, 4001, "token expired"),
  SUBJECT_REVOKED(Kind.CLOSE, 1008, "subject revoked"),
  POLICY_DENIES_SESSION(Kind.CLOSE, 1008, "policy changed: session no longer allowed"),
  ROUTE_REMOVED(Kind.CLOSE, 1001, "route removed by a policy reload"),
  SESSION_KILLED(Kind.CLOSE, 1008, "closed by an administrator"),

  // --- message rules: the close code applies when the rule's action is close; a drop sends the
  // client {"error": tag, "rule": name} and keeps the session ---------------------------------
  MESSAGE_TYPE_DENIED(Kind.CLOSE, 1008, "message type not allowed"),
  MESSAGE_RATE_LIMITED(Kind.CLOSE, 1008, "message rate limit exceeded"),
  INVALID_JSON(Kind.CLOSE, 1007, "message is not acceptable JSON"),
  SCHEMA_VIOLATION(Kind.CLOSE, 1007, "message does not match the schema"),
  PATTERN_DENIED(Kind.CLOSE, 1008, "message matches a deny pattern"),
  REAUTH_REJECTED(Kind.CLOSE, 1008, "re-authentication refused"),
  REAUTH_FLOOD(Kind.CLOSE, 1008, "too many re-authentication attempts"),
  CLIENT_NOT_READING(Kind.CLOSE, 1008, "client stopped reading");

  public enum Kind { HTTP, CLOSE }

  private final Kind kind;
  private final int code;
  private final String description;
  private final String tag;

  Reason(Kind kind, int code, String description) {
    this.kind = kind;
    this.code = code;
    this.description = description;
    this.tag = name().toLowerCase(java.util.Locale.ROOT);
  }

  /** How sessions are closed when the gateway stops with the policy's close code (1001, or 1012: restart). */
  public static Reason shutdown(int closeCode) {
    return closeCode == 1012 ? SHUTDOWN_RESTART : SHUTDOWN;
  }

  public Kind kind() {
    return kind;
  }

  /** HTTP status for {@link Kind#HTTP}, close code for {@link Kind#CLOSE}. */
  public int code() {
    return code;
  }

  public short closeCode() {
    if (kind != Kind.CLOSE) {
      throw new IllegalStateException(this + " is not a close reason");
    }
    return (short) code;
  }

  /** Human text; safe to send to a peer (never contains request data). */
  public String description() {
    return description;
  }

  /** Stable lower-case token used as audit reason and metric tag. */
  public String tag() {
    return tag;
  }
}
