package io.wsgate.upstream;

import io.vertx.core.MultiMap;
import io.wsgate.handshake.HandshakeRequest;

import java.util.List;
import java.util.Map;

/**
 * Builds the headers of the upstream upgrade request. Only the route's {@code forwardHeaders}
 * cross, never hop-by-hop ones (RFC 9110 §7.6.1: Connection, Upgrade, Keep-Alive, TE, Trailer,
 * Transfer-Encoding, Proxy-*, and whatever Connection names) nor the client's handshake headers
 * (the upstream handshake has its own key). The client's own {@code X-Forwarded-*} and
 * {@code X-Request-Id} are replaced, never trusted.
 */
public final class UpstreamHeaders {
  private static final List<String> ALWAYS_DROPPED = List.of(
      "connection", "upgrade", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
      "te", "trailer", "transfer-encoding", "host", "content-length",
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id", "forwarded");

  private UpstreamHeaders() {
  }

  public static MultiMap build(HandshakeRequest request, List<String> forwardHeaders) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    MultiMap in = request.headers();
    boolean all = forwardHeaders.size() == 1 && "*".equals(forwardHeaders.get(0));
    List<String> namedByConnection = connectionTokens(in.getAll("connection"));
    for (Map.Entry<String, String> header : in) {
      String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
      if (!(all || forwardHeaders.contains(name)) || ALWAYS_DROPPED.contains(name)
          || name.startsWith("sec-websocket-") || namedByConnection.contains(name)) {
        continue;
      }
      out.add(name, header.getValue());
    }
    out.set("x-forwarded-for", request.clientIp());
    out.set("x-forwarded-proto", request.tls() ? "https" : "http");
    if (request.host() != null) {
      out.set("x-forwarded-host", request.host());
    }
    out.set("x-request-id", request.requestId());
    return out;
  }

  private static List<String> connectionTokens(List<String> values) {
    return values.stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(t -> t.trim().toLowerCase(java.util.Locale.ROOT))
        .filter(t -> !t.isEmpty())
        .toList();
  }
}
