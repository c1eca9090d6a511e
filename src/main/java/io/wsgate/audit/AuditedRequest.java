package io.wsgate.audit;

/**
 * Who made an upgrade request and what it asked for, as far as the gateway knew when it decided:
 * the fields that every handshake record carries, and (its first five, and the listener) every record of the session
 * the request became, so that one record answers who, from where and on which route without a
 * join. Holds no token, cookie or other header that could carry a secret: of the headers, only
 * {@code Origin}, {@code User-Agent} and {@code Host}, each cut to {@link #MAX_HEADER_CHARS} characters with
 * control characters escaped ({@link #clientText}).
 *
 * <pre>{@code
 * audit.rejected(new AuditedRequest(id, "203.0.113.9", "alice", "idp", "/chat", "/chat", origin, userAgent),
 *     Reason.INSUFFICIENT_PERMISSION);
 * }</pre>
 *
 * @param requestId the request's id ({@code -} when no request arrived)
 * @param clientIp  the client's address; null when not known (a TLS handshake that timed out)
 * @param subject   the subject of a verified token; null before or without one
 * @param issuer    the policy's name of the issuer that verified it; null with no subject
 * @param route     the path of the route that matched; null before routing or when none did
 * @param path      the request path without the query; null when no request line was decoded
 * @param origin    the {@code Origin} header, bounded; null when absent
 * @param userAgent the {@code User-Agent} header, bounded; null when absent
 * @param listener  the name of the listener the request arrived on ({@code default} for {@code listen:}); null
 *                  when not known
 * @param clientCert the client certificate read on a {@code clientCert} route; null when none (or no such route)
 * @param host      the {@code Host} header as the client sent it, bounded; null when absent or not read
 * @param sni       the TLS server name the connection was opened for, bounded; recorded only on the refusal
 *                  it explains ({@code misdirected_request}), null otherwise
 */
public record AuditedRequest(String requestId, String clientIp, String subject, String issuer, String route,
                             String path, String origin, String userAgent, String listener, ClientCert clientCert,
                             String host, String sni) {
  /** Client-chosen header values are cut to this many characters. */
  public static final int MAX_HEADER_CHARS = 256;

  /**
   * A client certificate as audited: its subject DN (RFC 4514; chosen by whoever issued it, so
   * bounded like a header) and the SHA-256 of its DER encoding, lower-case hex.
   */
  public record ClientCert(String subject, String sha256) {
    public ClientCert {
      subject = clientText(subject);
    }
  }

  public AuditedRequest {
    origin = clientText(origin);
    userAgent = clientText(userAgent);
    host = clientText(host);
    sni = clientText(sni);
  }

  /** A request whose Host was not recorded. */
  public AuditedRequest(String requestId, String clientIp, String subject, String issuer, String route,
                        String path, String origin, String userAgent, String listener, ClientCert clientCert) {
    this(requestId, clientIp, subject, issuer, route, path, origin, userAgent, listener, clientCert, null, null);
  }

  /** A request without a client certificate. */
  public AuditedRequest(String requestId, String clientIp, String subject, String issuer, String route,
                        String path, String origin, String userAgent, String listener) {
    this(requestId, clientIp, subject, issuer, route, path, origin, userAgent, listener, null);
  }

  /** A request not tied to a known listener, without a client certificate. */
  public AuditedRequest(String requestId, String clientIp, String subject, String issuer, String route,
                        String path, String origin, String userAgent) {
    this(requestId, clientIp, subject, issuer, route, path, origin, userAgent, null, null);
  }

  /** A refusal made before any request was read: only what the connection tells. */
  public static AuditedRequest connectionOnly(String clientIp) {
    return connectionOnly(clientIp, null);
  }

  /** A refusal made before any request was read on the listener named {@code listener}. */
  public static AuditedRequest connectionOnly(String clientIp, String listener) {
    return new AuditedRequest("-", clientIp, null, null, null, null, null, null, listener);
  }

  /**
   * A header value as recorded: at most {@link #MAX_HEADER_CHARS} characters (a surrogate pair is
   * never split), followed by {@code ...} when cut, with every control character (C0, DEL, C1)
   * written as {@code \\uXXXX}, so the value stays one harmless line however it is printed later.
   */
  static String clientText(String value) {
    if (value == null) {
      return null;
    }
    int end = Math.min(value.length(), MAX_HEADER_CHARS);
    if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    StringBuilder out = null;
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        if (out == null) {
          out = new StringBuilder(end + 16).append(value, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    String text = out != null ? out.toString() : value.substring(0, end);
    return end < value.length() ? text + "..." : text;
  }
}
