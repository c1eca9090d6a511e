package io.wsgate.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses one entry of a route's {@code upstreams} list: {@code demo}, {@code ws://...} or {@code wss://...}. */
final class UpstreamTargets {
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*", Pattern.DOTALL);

  private UpstreamTargets() {
  }

  /** @throws IllegalArgumentException with an operator-facing message when {@code text} is not a target */
  static UpstreamTarget parse(String text) {
    if (text.equals("demo")) {
      return UpstreamTarget.embeddedDemo();
    }
    Matcher scheme = SCHEME.matcher(text);
    if (!scheme.matches()) {
      throw new IllegalArgumentException("expected demo or a ws:// or wss:// URL, got " + NodeReader.quote(text));
    }
    String name = scheme.group(1).toLowerCase(Locale.ROOT);
    if (!name.equals("ws") && !name.equals("wss")) {
      throw new IllegalArgumentException(
          "unknown scheme " + NodeReader.quote(scheme.group(1)) + " (expected ws, wss or demo)");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid URL " + NodeReader.quote(text) + ": " + e.getReason());
    }
    if (uri.isOpaque() || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("expected " + name + "://host[:port][/path], got " + NodeReader.quote(text));
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("user info is not allowed in an upstream URL");
    }
    if (uri.getRawQuery() != null) {
      throw new IllegalArgumentException("a query is not allowed in an upstream URL");
    }
    if (uri.getRawFragment() != null) {
      throw new IllegalArgumentException("a fragment is not allowed in an upstream URL");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("invalid host in " + NodeReader.quote(text));
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    boolean tls = name.equals("wss");
    int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    String path = uri.getRawPath();
    return new UpstreamTarget(text, false, tls, host, port, path == null || path.isEmpty() ? null : path);
  }
}
