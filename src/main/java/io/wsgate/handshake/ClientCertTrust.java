package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.ClientCert;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a client's chain is trusted on a route: PKIX (RFC 5280) with the route's CA bundle as the
 * trust anchors, validity at now; a leaf that names extended key usages must name clientAuth. With
 * the route's {@code crl}, every certificate of the path must be covered by a current CRL of its
 * issuer from that file (as nginx's {@code ssl_crl}): only those CRLs, never OCSP or a CRL fetched
 * from a distribution point, so CPU only, no I/O on the event loop.
 */
public final class ClientCertTrust {
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

  private ClientCertTrust() {
  }

  /**
   * Why the route refuses the chain: {@link Reason#CLIENT_CERT_UNTRUSTED}, {@link Reason#CLIENT_CERT_REVOKED}
   * or {@link Reason#CLIENT_CERT_REVOCATION_UNKNOWN} (no current CRL for a certificate's issuer); null
   * when it trusts it.
   */
  public static Reason refusal(List<X509Certificate> chain, ClientCert required) {
    if (chain.isEmpty() || !clientAuthAllowed(chain.get(0))) {
      return Reason.CLIENT_CERT_UNTRUSTED;
    }
    List<X509Certificate> authorities = required.authorities();
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
      return Reason.CLIENT_CERT_UNTRUSTED; // the client presented a CA certificate itself as its leaf
    }
    try {
      CertPathValidator validator = CertPathValidator.getInstance("PKIX");
      PKIXParameters params = new PKIXParameters(anchors);
      params.setDate(new Date());
      params.setRevocationEnabled(required.checksRevocation());
      if (required.checksRevocation()) {
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(required.crls())));
        PKIXRevocationChecker crlsOnly = (PKIXRevocationChecker) validator.getRevocationChecker();
        crlsOnly.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
            PKIXRevocationChecker.Option.NO_FALLBACK));
        params.addCertPathChecker(crlsOnly);
      }
      validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      return null;
    } catch (CertPathValidatorException e) {
      return e.getReason() == CertPathValidatorException.BasicReason.REVOKED ? Reason.CLIENT_CERT_REVOKED
          : e.getReason() == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS
          ? Reason.CLIENT_CERT_REVOCATION_UNKNOWN : Reason.CLIENT_CERT_UNTRUSTED;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Reason.CLIENT_CERT_UNTRUSTED;
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
