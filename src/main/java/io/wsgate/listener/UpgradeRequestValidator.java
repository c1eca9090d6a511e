package io.wsgate.listener;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.wsgate.Reason;

import java.util.Base64;

/**
 * Checks that a request which asks for a WebSocket upgrade is a well-formed one (RFC 6455 §4.1
 * and §4.2.1). Cheapest checks first; nothing here allocates unless the request is bad.
 */
final class UpgradeRequestValidator {
  private UpgradeRequestValidator() {
  }

  /** True when the client asked to upgrade to WebSocket at all (RFC 6455 §4.2.1 item 3). */
  static boolean asksForWebSocket(HttpServerRequest request) {
    String upgrade = request.getHeader("upgrade");
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  /** @return null when the upgrade request is valid, else why not */
  static Reason check(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET || request.version() != HttpVersion.HTTP_1_1) {
      return Reason.BAD_UPGRADE;
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
