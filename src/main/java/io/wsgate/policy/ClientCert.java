package io.wsgate.policy;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A route's {@code clientCert:}: the client must present a certificate that chains to {@code ca}.
 *
 * @param ca          the PEM bundle, as configured (resolved)
 * @param authorities the certificates of that bundle, read when the policy was read: the trust anchors
 * @param identity    whether the certificate stands in for a token or is required alongside one
 * @param crl         the CRL file, as configured (resolved); null when revocation is not checked
 * @param crls        the CRLs of that file, read when the policy was read; empty when {@code crl} is null
 */
public record ClientCert(Path ca, List<X509Certificate> authorities, IdentityFrom identity, Path crl,
                         List<X509CRL> crls) {
  /** The issuer name sessions authenticated by a certificate carry; no policy issuer can have it (':'). */
  public static final String ISSUER = "x509:clientCert";

  public enum IdentityFrom {
    /** The route's {@code auth} applies; the certificate is required alongside the token. */
    TOKEN,
    /** The certificate is the identity: its first SAN (or CN) is the session's subject. */
    CERTIFICATE;

    public String policyName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ClientCert {
    authorities = List.copyOf(authorities);
    crls = List.copyOf(crls);
  }

  /** A requirement without revocation checking. */
  public ClientCert(Path ca, List<X509Certificate> authorities, IdentityFrom identity) {
    this(ca, authorities, identity, null, List.of());
  }

  /** Whether each certificate of a client's path must be covered by a current CRL of its issuer. */
  public boolean checksRevocation() {
    return crl != null;
  }

  public boolean standsForToken() {
    return identity == IdentityFrom.CERTIFICATE;
  }
}
