package io.wsgate.upstream;

import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.vertx.core.MultiMap;
import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.handshake.Identity;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Route;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the headers of the upstream upgrade request. Only the route's {@code forwardHeaders}
 * cross, never hop-by-hop ones (RFC 9110 §7.6.1: Connection, Upgrade, Keep-Alive, TE, Trailer,
 * Transfer-Encoding, Proxy-*, and whatever Connection names) nor the client's handshake headers
 * (the upstream handshake has its own key). The client's own {@code X-Forwarded-*},
 * {@code X-Request-Id}, identity and client certificate ({@link ClientCertHeaders}) headers are
 * replaced, never trusted.
 */
public final class UpstreamHeaders {
  private static final Set<String> ALWAYS_DROPPED = Set.of(
      "connection", "upgrade", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
      "te", "trailer", "transfer-encoding", "host", "content-length",
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id", "forwarded", "cookie",
      "traceparent", "tracestate", ClientCertHeaders.SUBJECT, ClientCertHeaders.FINGERPRINT);
  /** A request id worth keeping: what UUIDs, ULIDs and the usual tracer ids look like. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  /** W3C Trace Context §3.2: version 00, a trace id and a parent id that are not all zeros, flags. */
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

  private UpstreamHeaders() {
  }

  public static MultiMap build(HandshakeRequest request, Route route) {
    Auth auth = route.security().auth();
    Set<String> identityHeaders = identityHeaders(auth);
    List<String> forwardHeaders = route.forwardHeaders();
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    boolean all = forwardHeaders.size() == 1 && "*".equals(forwardHeaders.get(0));
    Set<String> namedByConnection = connectionTokens(request.headers().getAll("connection"));
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!(all || forwardHeaders.contains(name)) || ALWAYS_DROPPED.contains(name)
          || name.startsWith("sec-websocket-") || namedByConnection.contains(name) || identityHeaders.contains(name)) {
        continue;
      }
      out.add(name, header.getValue());
    }
    // Cookies go from the request record, which has had a token cookie removed.
    if (request.cookie() != null && (all || forwardHeaders.contains("cookie"))) {
      out.set("cookie", request.cookie());
    }
    out.set("x-forwarded-for", request.clientIp());
    out.set("x-forwarded-proto", request.tls() ? "https" : "http");
    if (request.host() != null) {
      out.set("x-forwarded-host", request.host());
    }
    // The client's own request id is kept when it is one (an id its logs already hold); else ours.
    String clientId = single(request.headers().getAll("x-request-id"));
    out.set("x-request-id", clientId != null && REQUEST_ID.matcher(clientId).matches() ? clientId : request.requestId());
    // W3C trace context crosses by default, when well formed (and tracestate only with its traceparent).
    String traceparent = single(request.headers().getAll("traceparent"));
    if (traceparent != null && TRACEPARENT.matcher(traceparent).matches()) {
      out.set("traceparent", traceparent);
      String tracestate = single(request.headers().getAll("tracestate"));
      if (tracestate != null && tracestate.length() <= 512 && forwardable(tracestate)) {
        out.set("tracestate", tracestate);
      }
    }
    addIdentity(out, request.identity(), auth);
    ClientCertHeaders.add(out, request);
    return out;
  }

  /** The header's value when it was sent exactly once, else null. */
  private static String single(List<String> values) {
    return values.size() == 1 ? values.get(0) : null;
  }

  private static void addIdentity(MultiMap out, Identity identity, Auth auth) {
    if (identity == null || auth.anonymous()) {
      return;
    }
    // IdentityRules refused the token at the handshake unless every value here is forwardable.
    if (auth.subjectHeader() != null) {
      out.set(auth.subjectHeader(), identity.subject());
    }
    auth.forwardClaims().forEach((claim, header) -> {
      Object value = identity.claims().get(claim);
      if (value != null) {
        out.set(header, claimText(value));
      }
    });
  }

  /** A claim as its header carries it: a list as its entries joined by commas, anything else as its JSON text. */
  public static String claimText(Object value) {
    return value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
        : String.valueOf(value);
  }

  /**
   * The value crosses as a header exactly as it is, and means the same to whoever reads it: visible
   * US-ASCII, with SP and HTAB only between visible characters (RFC 9110 §5.5: a field value has no
   * leading or trailing whitespace; Netty refuses a leading one, and parsers strip a trailing one,
   * so {@code "alice "} would arrive as {@code alice}). Control characters (CR, LF, NUL, ...) could
   * smuggle a header; anything past U+007E is sent as ISO-8859-1 at best and as {@code ?} past
   * U+00FF, so two different subjects could look the same upstream.
   */
  public static boolean forwardable(String value) {
    int last = value.length() - 1;
    for (int i = 0; i <= last; i++) {
      char c = value.charAt(i);
      boolean visible = c > 0x20 && c < 0x7F;
      boolean innerSpace = (c == ' ' || c == '\t') && i > 0 && i < last;
      if (!visible && !innerSpace) {
        return false;
      }
    }
    return true;
  }

  /**
   * A subject the revocation list, the per-subject cap, the audit and the admin API can all key on
   * without doubt: not empty, no control characters, no whitespace at either end (Unicode's too).
   */
  public static boolean unambiguous(String subject) {
    if (subject.isEmpty() || Character.isWhitespace(subject.codePointAt(0)) || Character.isSpaceChar(subject.codePointAt(0))) {
      return false;
    }
    int lastStart = subject.offsetByCodePoints(subject.length(), -1);
    int last = subject.codePointAt(lastStart);
    if (Character.isWhitespace(last) || Character.isSpaceChar(last)) {
      return false;
    }
    return subject.codePoints().noneMatch(Character::isISOControl);
  }

  /**
   * Whether every header can be sent as built (Netty's field-name and field-value rules, which the
   * upstream client enforces). A value from the client that fails them is the client's fault, found
   * here before an upstream is dialled, never an upstream failure.
   */
  public static boolean sendable(MultiMap headers) {
    for (Map.Entry<String, String> header : headers) {
      if (header.getKey().isEmpty() || HttpHeaderValidationUtil.validateToken(header.getKey()) != -1
          || HttpHeaderValidationUtil.validateValidHeaderValue(header.getValue()) != -1) {
        return false;
      }
    }
    return true;
  }

  private static Set<String> identityHeaders(Auth auth) {
    Set<String> names = new HashSet<>();
    if (auth.subjectHeader() != null) {
      names.add(auth.subjectHeader().toLowerCase(Locale.ROOT));
    }
    auth.forwardClaims().values().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
    return names;
  }

  private static Set<String> connectionTokens(List<String> values) {
    Set<String> tokens = new HashSet<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    return tokens;
  }
}
