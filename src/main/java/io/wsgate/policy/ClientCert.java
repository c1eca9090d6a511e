package io.wsgate.policy;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A route's {@code clientCert:}: the client must present a certificate that chains to {@code ca}.
 *
 * @param ca          the PEM bundle, as configured (resolved)
 * @param authorities the certificates of that bundle, read when the policy was read: the trust anchors
 * @param identity    whether the certificate stands in for a token or is required alongside one
 */
public record ClientCert(Path ca, List<X509Certificate> authorities, IdentityFrom identity) {
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
  }

  public boolean standsForToken() {
    return identity == IdentityFrom.CERTIFICATE;
  }
}
