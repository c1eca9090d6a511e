package io.wsgate.policy;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one definition of how {@code Origin} values (RFC 6454 §6.2: {@code scheme://host[:port]})
 * are written in policies and compared at the handshake. Both sides are normalized the same way:
 * lower-case, and the default port (80 for http, 443 for https) dropped, so
 * {@code https://App.Example.com:443} and {@code https://app.example.com} are equal.
 *
 * <pre>{@code
 * String origin = Origins.normalize(request.getHeader("Origin")); // null: missing, "null" or malformed
 * boolean ok = origin != null && Origins.allowed(route.security().origins().allow(), origin);
 * }</pre>
 */
public final class Origins {
  /** The allow entry that accepts any origin (an explicit opt-in, and then the only entry). */
  public static final String ANY = "*";

  private static final Pattern ORIGIN =
      Pattern.compile("(http|https)://(\\[[0-9a-f:.]+\\]|[a-z0-9.*-]+)(?::([0-9]{1,5}))?");
  /**
   * One host-name label (RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1), lower case, 1 to 63
   * characters. Browsers send an international name as its xn-- A-labels, which are such labels.
   */
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private Origins() {
  }

  /** The normalized origin, or null when {@code value} is absent, {@code null} or not an http(s) origin. */
  public static String normalize(String value) {
    if (value == null) {
      return null;
    }
    try {
      return parse(value, false);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * True when the normalized {@code origin} is allowed by normalized entries: {@code "*"}, an exact
   * origin, or {@code scheme://*.suffix[:port]}, which matches exactly one more DNS label in front
   * of {@code suffix} (same scheme and port), never {@code suffix} itself or deeper names.
   *
   * @param origin a value {@link #normalize} returned (not null): its host is already made of DNS labels
   */
  public static boolean allowed(List<String> allow, String origin) {
    for (String entry : allow) {
      if (entry.equals(ANY) || entry.equals(origin)) {
        return true;
      }
      int star = entry.indexOf("://*.");
      if (star >= 0) {
        String scheme = entry.substring(0, star + 3);
        String rest = entry.substring(star + 4); // ".example.com[:port]"
        if (origin.startsWith(scheme) && origin.endsWith(rest)) {
          String label = origin.substring(scheme.length(), origin.length() - rest.length());
          if (LABEL.matcher(label).matches()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * A policy allow entry, normalized: {@code "*"}, an origin, or a one-label wildcard.
   *
   * @throws IllegalArgumentException with an operator-facing message
   */
  static String normalizeEntry(String entry) {
    return entry.equals(ANY) ? ANY : parse(entry, true);
  }

  private static String parse(String value, boolean wildcard) {
    if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("must be ASCII without spaces (write an international domain name in its"
          + " xn-- form), got " + NodeReader.quote(value));
    }
    String lower = value.toLowerCase(Locale.ROOT);
    Matcher m = ORIGIN.matcher(lower);
    if (!m.matches()) {
      String hint = lower.matches("[a-z][a-z0-9+.-]*://.*") && !lower.matches("https?://.*")
          ? "only http and https origins exist for WebSocket clients"
          : lower.matches("https?://[^/]+/.*") ? "an origin has no path, not even \"/\""
          : "expected scheme://host[:port]";
      throw new IllegalArgumentException(hint + ", got " + NodeReader.quote(value));
    }
    String scheme = m.group(1);
    String host = m.group(2);
    if (!host.startsWith("[")) {
      String[] labels = host.split("\\.", -1);
      for (int i = 0; i < labels.length; i++) {
        boolean star = labels[i].equals("*");
        if (star && !(wildcard && i == 0)) {
          throw new IllegalArgumentException("\"*\" may only stand for the first label (https://*.example.com), got "
              + NodeReader.quote(value));
        }
        if (!star && !LABEL.matcher(labels[i]).matches()) {
          throw new IllegalArgumentException("invalid host " + NodeReader.quote(host) + " in " + NodeReader.quote(value));
        }
      }
      if (labels[0].equals("*") && labels.length < 3) {
        throw new IllegalArgumentException("a wildcard needs at least two labels after \"*.\" (https://*.example.com),"
            + " got " + NodeReader.quote(value));
      }
    }
    String port = "";
    if (m.group(3) != null) {
      int n = Integer.parseInt(m.group(3));
      if (n < 1 || n > 65535) {
        throw new IllegalArgumentException("port must be between 1 and 65535, got " + NodeReader.quote(value));
      }
      boolean defaultPort = (scheme.equals("http") && n == 80) || (scheme.equals("https") && n == 443);
      port = defaultPort ? "" : ":" + n;
    }
    return scheme + "://" + host + port;
  }
}
