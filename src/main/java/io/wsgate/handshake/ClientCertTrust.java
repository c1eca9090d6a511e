package io.wsgate.handshake;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a client's chain is trusted on a route: PKIX (RFC 5280) with the route's CA bundle as the
 * trust anchors, validity at now, revocation off (no CRL or OCSP fetch on the event loop); and a leaf
 * that names extended key usages must name clientAuth. CPU only, no I/O.
 */
public final class ClientCertTrust {
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

  private ClientCertTrust() {
  }

  public static boolean trusted(List<X509Certificate> chain, List<X509Certificate> authorities) {
    if (chain.isEmpty() || !clientAuthAllowed(chain.get(0))) {
      return false;
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate ca : authorities) {
      anchors.add(new TrustAnchor(ca, null));
    }
    // A client that sends its anchor too gets it left out of the path: the path ends below the anchor.
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (authorities.contains(c)) {
        break;
      }
      path.add(c);
    }
    if (path.isEmpty()) {
      return false; // the client presented a CA certificate itself as its leaf
    }
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(new Date());
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      return true;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean clientAuthAllowed(X509Certificate leaf) {
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      return usages == null || usages.contains(CLIENT_AUTH) || usages.contains(ANY_EXTENDED_KEY_USAGE);
    } catch (java.security.cert.CertificateParsingException e) {
      return false;
    }
  }
}
