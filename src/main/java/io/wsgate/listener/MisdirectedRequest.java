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
import java.util.Locale;

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
    if (host == null || !connection.isSsl() || connection.indicatedServerName() == null) {
      return false;
    }
    SSLSession session = connection.sslSession();
    if (session == null) {
      return false;
    }
    try {
      Certificate[] local = session.getLocalCertificates();
      return local == null || local.length == 0 || !(local[0] instanceof X509Certificate leaf) || !covers(leaf, host);
    } catch (RuntimeException e) {
      return true; // a certificate we cannot read covers nothing we can vouch for
    }
  }

  static boolean covers(X509Certificate certificate, String host) {
    byte[] ip = literal(host);
    Collection<List<?>> alternatives;
    try {
      alternatives = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return false;
    }
    if (alternatives != null) {
      for (List<?> entry : alternatives) {
        int type = ((Number) entry.get(0)).intValue();
        String value = String.valueOf(entry.get(1));
        if (ip == null && type == 2 && nameCovers(value, host)) {
          return true;
        }
        if (ip != null && type == 7 && Arrays.equals(ip, NetUtil.createByteArrayFromIpAddressString(value))) {
          return true;
        }
      }
    }
    return ip == null && commonNames(certificate).stream().anyMatch(cn -> nameCovers(cn, host));
  }

  private static boolean nameCovers(String certificateName, String host) {
    String name = certificateName.toLowerCase(Locale.ROOT);
    if (name.startsWith("*.")) {
      int dot = host.indexOf('.');
      return dot > 0 && host.substring(dot + 1).equals(name.substring(2));
    }
    return name.equals(host);
  }

  private static byte[] literal(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare)
        ? NetUtil.createByteArrayFromIpAddressString(bare) : null;
  }

  private static List<String> commonNames(X509Certificate certificate) {
    try {
      javax.naming.ldap.LdapName dn = new javax.naming.ldap.LdapName(certificate.getSubjectX500Principal().getName());
      return dn.getRdns().stream().filter(r -> r.getType().equalsIgnoreCase("CN")).map(r -> String.valueOf(r.getValue()))
          .toList();
    } catch (javax.naming.InvalidNameException e) {
      return List.of();
    }
  }
}
