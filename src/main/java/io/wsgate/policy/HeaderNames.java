package io.wsgate.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Rules for the header names a route may forward to its upstream. */
final class HeaderNames {
  static final List<String> DEFAULT_FORWARD = List.of("user-agent", "accept-language", "cookie", "origin");
  static final String ALL = "*";

  // Hop-by-hop and handshake headers belong to one connection; the gateway writes its own.
  private static final Set<String> NEVER_FORWARDED = Set.of(
      "connection", "upgrade", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "host");
  private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

  private HeaderNames() {
  }

  /**
   * @return the lower-cased name
   * @throws IllegalArgumentException with an operator-facing message
   */
  static String validate(String name) {
    if (name.equals(ALL)) {
      return ALL;
    }
    if (name.isEmpty() || !name.chars().allMatch(HeaderNames::isTokenChar)) {
      throw new IllegalArgumentException("invalid header name " + NodeReader.quote(name));
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (NEVER_FORWARDED.contains(lower) || lower.startsWith("sec-websocket-")) {
      throw new IllegalArgumentException(NodeReader.quote(lower)
          + " is a hop-by-hop or handshake header and is never forwarded");
    }
    return lower;
  }

  private static boolean isTokenChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || TOKEN_SYMBOLS.indexOf(c) >= 0;
  }
}
