package io.wsgate.listener;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The host names a certificate is chosen by for an SNI name ({@link SniKeyManager}) and covers for a
 * Host ({@link MisdirectedRequest}): the DNS names among its subject alternative names and its
 * subject CNs, lower-case; {@code *.} in front stands for exactly one label.
 */
final class CertificateNames {
  private CertificateNames() {
  }

  static Set<String> of(X509Certificate certificate) {
    Set<String> names = new LinkedHashSet<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          if (((Number) entry.get(0)).intValue() == 2) {
            names.add(String.valueOf(entry.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no alternative names to read: the CN alone
    }
    try {
      new LdapName(certificate.getSubjectX500Principal().getName()).getRdns().stream()
          .filter(r -> r.getType().equalsIgnoreCase("CN"))
          .forEach(r -> names.add(String.valueOf(r.getValue()).toLowerCase(Locale.ROOT)));
    } catch (InvalidNameException e) {
      // no CN to read
    }
    return names;
  }

  /** @param host normalized: lower-case, no port */
  static boolean covers(String name, String host) {
    if (name.startsWith("*.")) {
      int dot = host.indexOf('.');
      return dot > 0 && host.substring(dot + 1).equals(name.substring(2));
    }
    return name.equals(host);
  }
}
