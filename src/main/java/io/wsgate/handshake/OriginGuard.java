package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;

import java.util.Locale;

/**
 * Cross-site WebSocket hijacking defence (RFC 6455 §10.2): a browser always sends the page's
 * Origin, so a page from another site is refused. A missing Origin means a non-browser client and
 * {@code null} a sandboxed or file:// page; each needs its own explicit permission.
 */
public final class OriginGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);
  private static final Future<Verdict> DENIED = Future.succeededFuture(Verdict.deny(Reason.ORIGIN_DENIED));

  private final MonitorLog monitor;

  public OriginGuard(MonitorLog monitor) {
    this.monitor = monitor;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    OriginRules rules = request.route().security().origins();
    if (permits(rules, request.origin())) {
      return ALLOWED;
    }
    if (rules.mode() == Mode.MONITOR) {
      monitor.wouldDeny(request, Reason.ORIGIN_DENIED);
      return ALLOWED;
    }
    return DENIED;
  }

  public static boolean permits(OriginRules rules, String origin) {
    if (origin == null || origin.isEmpty()) {
      return rules.allowMissing();
    }
    if (origin.equals("null")) {
      return rules.allowNull();
    }
    String normalized = normalize(origin);
    if (normalized == null) {
      return false;
    }
    for (String allowed : rules.allow()) {
      if (allowed.equals("*") || matches(allowed, normalized)) {
        return true;
      }
    }
    return false;
  }

  /** {@code https://*.example.com} matches exactly one extra label: {@code https://a.example.com}. */
  private static boolean matches(String allowed, String origin) {
    int star = allowed.indexOf("://*.");
    if (star < 0) {
      return allowed.equals(origin);
    }
    String scheme = allowed.substring(0, star + 3);
    String suffix = allowed.substring(star + 4);
    if (!origin.startsWith(scheme) || !origin.endsWith(suffix)) {
      return false;
    }
    String label = origin.substring(scheme.length(), origin.length() - suffix.length());
    return !label.isEmpty() && label.indexOf('.') < 0 && label.indexOf(':') < 0 && label.indexOf('/') < 0;
  }

  /** Lower-case scheme and host, default port dropped; null when it is not a plain origin. */
  static String normalize(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    if (o.endsWith(":443") && o.startsWith("https://")) {
      o = o.substring(0, o.length() - 4);
    } else if (o.endsWith(":80") && o.startsWith("http://")) {
      o = o.substring(0, o.length() - 3);
    }
    if (!(o.startsWith("https://") || o.startsWith("http://")) || o.indexOf('/', o.indexOf("://") + 3) >= 0) {
      return null;
    }
    return o;
  }
}
