package io.wsgate.upstream;

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

/**
 * Builds the headers of the upstream upgrade request. Only the route's {@code forwardHeaders}
 * cross, never hop-by-hop ones (RFC 9110 §7.6.1: Connection, Upgrade, Keep-Alive, TE, Trailer,
 * Transfer-Encoding, Proxy-*, and whatever Connection names) nor the client's handshake headers
 * (the upstream handshake has its own key). The client's own {@code X-Forwarded-*},
 * {@code X-Request-Id} and identity headers are replaced, never trusted.
 */
public final class UpstreamHeaders {
  private static final Set<String> ALWAYS_DROPPED = Set.of(
      "connection", "upgrade", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
      "te", "trailer", "transfer-encoding", "host", "content-length",
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id", "forwarded", "cookie");

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
    out.set("x-request-id", request.requestId());
    addIdentity(out, request.identity(), auth);
    return out;
  }

  private static void addIdentity(MultiMap out, Identity identity, Auth auth) {
    if (identity == null || auth.anonymous()) {
      return;
    }
    putSafe(out, auth.subjectHeader(), identity.subject());
    auth.forwardClaims().forEach((claim, header) -> {
      Object value = identity.claims().get(claim);
      if (value != null) {
        putSafe(out, header, value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
            : String.valueOf(value));
      }
    });
  }

  /**
   * Claims are issuer data, but still never allowed to smuggle a header, nor to arrive changed: a
   * value that is not {@link #forwardable} is dropped rather than forwarded.
   */
  private static void putSafe(MultiMap out, String header, String value) {
    if (header == null || value == null || !forwardable(value)) {
      return;
    }
    out.set(header, value);
  }

  /**
   * The value crosses as a header exactly as it is: visible US-ASCII, SP and HTAB only (RFC 9110
   * §5.5). Control characters (CR, LF, NUL, ...) could smuggle a header; anything past U+007E is
   * sent as ISO-8859-1 at best and as {@code ?} past U+00FF, so two different subjects could look
   * the same upstream.
   */
  public static boolean forwardable(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c > 0x7E) {
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
