package io.wsgate.policy;

import java.util.Locale;

/**
 * A route's {@code host:}: one name, matched case-insensitively ({@code chat.example.com}), or one
 * wildcard label in front of a name ({@code *.example.com}), which stands for exactly one label:
 * {@code a.example.com}, never {@code example.com} nor {@code a.b.example.com} (the RFC 6125 §6.4.3
 * reading of a certificate wildcard, so a route and a certificate agree on what a pattern covers).
 *
 * <pre>{@code
 * HostPattern p = HostPattern.parse("*.example.com");
 * p.matches(HostPattern.requestHost("A.Example.com:8443")); // true
 * }</pre>
 *
 * @param name     lower-case: the host itself, or for a wildcard the name after {@code "*."}
 * @param wildcard true for {@code *.name}
 */
public record HostPattern(String name, boolean wildcard) {
  private static final int MAX_NAME = 253;
  private static final int MAX_LABEL = 63;

  /**
   * Reads a policy's host pattern.
   *
   * @throws IllegalArgumentException saying precisely what is wrong, quoting the value
   */
  public static HostPattern parse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("must not be empty (leave host out to match any host)");
    }
    String quoted = NodeReader.quote(text);
    if (text.equals("*")) {
      throw new IllegalArgumentException("\"*\" alone is not a host pattern (leave host out to match any host)");
    }
    if (text.indexOf(':') >= 0 || text.indexOf('[') >= 0) {
      throw new IllegalArgumentException("must be a host name without a port (the port is ignored when matching;"
          + " IPv6 literals are not supported), got " + quoted);
    }
    boolean wildcard = text.startsWith("*.");
    String name = wildcard ? text.substring(2) : text;
    if (name.indexOf('*') >= 0) {
      throw new IllegalArgumentException("a wildcard must be the whole first label, as in \"*.example.com\", got "
          + quoted);
    }
    if (name.length() > MAX_NAME) {
      throw new IllegalArgumentException("longer than " + MAX_NAME + " characters, got " + quoted);
    }
    for (String label : name.split("\\.", -1)) {
      String problem = labelProblem(label);
      if (problem != null) {
        throw new IllegalArgumentException(problem + " in " + quoted);
      }
    }
    return new HostPattern(name.toLowerCase(Locale.ROOT), wildcard);
  }

  private static String labelProblem(String label) {
    if (label.isEmpty()) {
      return "empty label (a leading, trailing or doubled \".\")";
    }
    if (label.length() > MAX_LABEL) {
      return "label longer than " + MAX_LABEL + " characters";
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (c > 0x7f) {
        return "non-ASCII label " + NodeReader.quote(label) + " (write the ASCII form, xn--...)";
      }
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
        return "label " + NodeReader.quote(label) + " may hold only letters, digits, \"-\" and \"_\"";
      }
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      return "label " + NodeReader.quote(label) + " starts or ends with \"-\"";
    }
    return null;
  }

  /** @param host a {@linkplain #requestHost normalized} host; null never matches */
  public boolean matches(String host) {
    if (host == null) {
      return false;
    }
    if (!wildcard) {
      return host.equals(name);
    }
    int dot = host.indexOf('.');
    return dot > 0 && host.length() - dot - 1 == name.length() && host.endsWith(name);
  }

  /** As written in a policy, lower-case. */
  public String text() {
    return wildcard ? "*." + name : name;
  }

  @Override
  public String toString() {
    return text();
  }

  /**
   * The host a request names, as routes compare it: the {@code Host} header without its port,
   * lower-case, without one trailing dot (the DNS root: {@code a.test.} is {@code a.test}); an IPv6
   * literal keeps its brackets. Null when there is no Host header or it is empty.
   */
  public static String requestHost(String hostHeader) {
    if (hostHeader == null) {
      return null;
    }
    String host = hostHeader.trim();
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      host = close < 0 ? host : host.substring(0, close + 1);
    } else {
      int colon = host.lastIndexOf(':');
      if (colon >= 0) {
        host = host.substring(0, colon);
      }
      if (host.endsWith(".")) {
        host = host.substring(0, host.length() - 1);
      }
    }
    return host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
  }
}
