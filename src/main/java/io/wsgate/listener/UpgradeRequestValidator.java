package io.wsgate.listener;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.wsgate.Reason;

import java.util.Base64;
import java.util.List;

/**
 * Checks that a request which asks for a WebSocket upgrade is a well-formed one (RFC 6455 §4.1
 * and §4.2.1), and that its path is one the gateway and the upstream cannot read differently.
 * Cheapest checks first.
 */
final class UpgradeRequestValidator {
  /**
   * Headers a reader could take from the first line or the last, so a second line is refused
   * outright: Host (RFC 9112 §3.2: more than one is a 400), Origin (RFC 6454 §7.3: at most one),
   * Sec-WebSocket-Key and Sec-WebSocket-Version (RFC 6455 §11.3.1, §11.3.5: not more than once in
   * a request). Upgrade may be a list (RFC 9110 §7.8), but sent as two lines one reader takes the
   * first and another joins them: refused too.
   */
  private static final List<String> ONCE = List.of("host", "origin", "upgrade", "sec-websocket-key",
      "sec-websocket-version");

  private UpgradeRequestValidator() {
  }

  /** True when the client asked to upgrade to WebSocket at all (RFC 6455 §4.2.1 item 3). */
  static boolean asksForWebSocket(HttpServerRequest request) {
    // Any Upgrade line, not only the first: a second line is then refused as a repeat, not taken for plain HTTP.
    for (String upgrade : request.headers().getAll("upgrade")) {
      if (upgrade.equalsIgnoreCase("websocket")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the raw path (as sent, before any percent-decoding) is free of anything a server
   * behind us might resolve to another path: a dot segment ({@code .} or {@code ..}, RFC 3986
   * §3.3), literal or percent-encoded in any case ({@code %2e}, {@code .%2E}), also before a
   * {@code ;} parameter ({@code ..;}, which servlet containers read as {@code ..}); an encoded slash
   * or backslash ({@code %2f}, {@code %5c}, any case); a raw backslash.
   *
   * <p>Such a path is refused, not normalized (RFC 3986 §5.2.4): routes match the path as sent and
   * the upstream is asked for that same path, so {@code /pub/../priv} would pass an anonymous
   * {@code /pub} route and become {@code /priv} at an upstream that normalizes. Normalizing here
   * would need to predict each upstream's reading (decode first or not, {@code \} and {@code ;} as
   * separators or not), and no legitimate client sends these: browsers and WebSocket libraries
   * remove dot segments before sending (WHATWG URL), so what still carries one was made by hand.
   */
  static boolean normalizedPath(String path) {
    int segment = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        return false;
      }
      if (c == '%' && (encodes(path, i, '2', 'f') || encodes(path, i, '5', 'c'))) {
        return false;
      }
      if (c == '/') {
        if (dotSegment(path, segment, i)) {
          return false;
        }
        segment = i + 1;
      }
    }
    return !dotSegment(path, segment, path.length());
  }

  /** True when {@code path[from, to)}, up to a {@code ;}, is one or two dots, each literal or {@code %2e}. */
  private static boolean dotSegment(String path, int from, int to) {
    int dots = 0;
    int i = from;
    while (i < to && path.charAt(i) != ';') {
      if (path.charAt(i) == '.') {
        i++;
      } else if (encodes(path, i, '2', 'e')) {
        i += 3;
      } else {
        return false;
      }
      dots++;
    }
    return dots == 1 || dots == 2;
  }

  /** True when {@code path} has {@code %<high><low>} at {@code i}, the letter in either case. */
  private static boolean encodes(String path, int i, char high, char low) {
    return i + 2 < path.length() && path.charAt(i) == '%' && path.charAt(i + 1) == high
        && Character.toLowerCase(path.charAt(i + 2)) == low;
  }

  /** @return null when the upgrade request is valid, else why not */
  static Reason check(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET || request.version() != HttpVersion.HTTP_1_1) {
      return Reason.BAD_UPGRADE;
    }
    MultiMap headers = request.headers();
    for (String name : ONCE) {
      if (headers.getAll(name).size() > 1) {
        return Reason.DUPLICATE_HEADER;
      }
    }
    if (hasBody(headers)) {
      return Reason.UPGRADE_WITH_BODY;
    }
    if (!hasToken(request.getHeader("connection"), "upgrade")) {
      return Reason.BAD_UPGRADE;
    }
    if (!validKey(request.getHeader("sec-websocket-key"))) {
      return Reason.BAD_UPGRADE;
    }
    if (!"13".equals(request.getHeader("sec-websocket-version"))) {
      return Reason.UNSUPPORTED_WS_VERSION;
    }
    return null;
  }

  /**
   * RFC 9110 §9.3.1: content in a GET has no defined meaning, and a server may refuse it for its
   * potential as request smuggling. After the head the connection carries frames, so a body would
   * either be dropped unseen or read as frames: any Transfer-Encoding, and any Content-Length but a
   * single {@code 0} (some clients send that with every request), is refused.
   */
  private static boolean hasBody(MultiMap headers) {
    if (headers.contains("transfer-encoding")) {
      return true;
    }
    List<String> lengths = headers.getAll("content-length");
    return !lengths.isEmpty() && !(lengths.size() == 1 && lengths.get(0).trim().equals("0"));
  }

  private static boolean validKey(String key) {
    if (key == null || key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean hasToken(String header, String token) {
    if (header == null) {
      return false;
    }
    for (String part : header.split(",")) {
      if (part.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }
}
