package io.wsgate.listener;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpConnection;
import io.wsgate.policy.HostPattern;

import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * RFC 9110 §15.5.20 (421 Misdirected Request): a client that named a host in its TLS handshake (SNI)
 * may only ask, on that connection, for a host the certificate it was given covers. Otherwise a
 * client handed tenant A's certificate could send {@code Host: b.example} and reach tenant B's
 * routes. Which certificate was given is read from the TLS session, not guessed from the SNI name,
 * and its names are the ones the listener chose it by: DNS names in its subject alternative names
 * and its subject CN, a leading {@code *.} standing for exactly one label; an IP literal host is
 * covered by an IP address SAN.
 *
 * <p>Connections without SNI (clients that dialled an IP address, old clients) are not checked:
 * they asked for no name, so none can be mismatched, and they are routed by Host alone. A request
 * without a Host header is not checked either; it can only reach routes without {@code host}.
 */
final class MisdirectedRequest {
  private MisdirectedRequest() {
  }

  /** @param host the request's host, normalized ({@link HostPattern#requestHost}) */
  static boolean misdirected(HttpConnection connection, String host) {
    if (host == null || !connection.isSsl()) {
      return false;
    }
    SSLSession session = connection.sslSession();
    if (session == null || SniKeyManager.requestedName(session) == null) {
      return false;
    }
    try {
      Certificate[] local = session.getLocalCertificates();
      return local == null || local.length == 0 || !(local[0] instanceof X509Certificate leaf) || !covers(leaf, host);
    } catch (RuntimeException e) {
      return true; // a certificate we cannot read covers nothing we can vouch for
    }
  }

  /** The server name the client asked for in its TLS handshake, as the audit records a 421; null without one. */
  static String requestedName(HttpConnection connection) {
    SSLSession session = connection.isSsl() ? connection.sslSession() : null;
    return session == null ? null : SniKeyManager.requestedName(session);
  }

  static boolean covers(X509Certificate certificate, String host) {
    byte[] ip = literal(host);
    if (ip == null) {
      return CertificateNames.of(certificate).stream().anyMatch(name -> CertificateNames.covers(name, host));
    }
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      return alternatives != null && alternatives.stream().anyMatch(entry -> ((Number) entry.get(0)).intValue() == 7
          && Arrays.equals(ip, NetUtil.createByteArrayFromIpAddressString(String.valueOf(entry.get(1)))));
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  private static byte[] literal(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare)
        ? NetUtil.createByteArrayFromIpAddressString(bare) : null;
  }
}
