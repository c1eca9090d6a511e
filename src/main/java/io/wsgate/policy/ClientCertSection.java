package io.wsgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads a route's {@code clientCert:} (client mutual TLS). */
final class ClientCertSection {
  static final List<String> KEYS = List.of("ca", "identity", "crl");
  static final String DEFAULT_IDENTITY = ClientCert.IdentityFrom.TOKEN.policyName();

  private ClientCertSection() {
  }

  /**
   * @param clientCert          the route's requirement; null when absent, or when invalid (reported)
   * @param certificateIdentity {@code identity: certificate} was asked for (even if {@code ca} is wrong):
   *                            the route's {@code auth} must then be left out
   */
  record Parsed(ClientCert clientCert, boolean certificateIdentity) {
  }

  static Parsed read(MappingReader route, PolicyPaths paths) {
    if (!route.present("clientCert")) {
      return new Parsed(null, false);
    }
    if (!route.has("clientCert")) {
      route.error("clientCert", "expected a mapping (ca:, identity:, crl:), got nothing");
      return new Parsed(null, false);
    }
    MappingReader m = route.mapping("clientCert", KEYS);
    m.requireKey("ca", "required (PEM bundle of the CA(s) client certificates must chain to)");
    String identity = m.choice("identity", List.of("token", "certificate"), DEFAULT_IDENTITY);
    ClientCert.IdentityFrom from = ClientCert.IdentityFrom.valueOf(identity.toUpperCase(java.util.Locale.ROOT));
    boolean certificateIdentity = from == ClientCert.IdentityFrom.CERTIFICATE;
    Path ca = paths.resolve(m, "ca");
    if (ca == null || !PolicyPaths.checkReadable(m, "ca", ca)) {
      return new Parsed(null, certificateIdentity);
    }
    List<X509Certificate> authorities = authorities(m, ca);
    Path crl = paths.resolve(m, "crl");
    List<X509CRL> crls = List.of();
    if (crl != null) {
      crls = PolicyPaths.checkReadable(m, "crl", crl) ? crls(m, crl, authorities) : null;
    }
    return new Parsed(authorities.isEmpty() || crls == null ? null : new ClientCert(ca, authorities, from, crl, crls),
        certificateIdentity);
  }

  /**
   * The file's CRLs (PEM or DER); null (reported) when it holds none, one that does not parse, or one
   * that names a CA of the bundle as its issuer without that CA's signature. A CRL of an intermediate
   * CA (not in the bundle) is checked at the handshake, against the intermediate the client sends.
   */
  private static List<X509CRL> crls(MappingReader m, Path crl, List<X509Certificate> authorities) {
    Collection<? extends CRL> read;
    try (InputStream in = Files.newInputStream(crl)) {
      read = CertificateFactory.getInstance("X.509").generateCRLs(in);
    } catch (IOException | CertificateException | CRLException e) {
      m.error("crl", "not a CRL file (PEM or DER): " + crl);
      return null;
    }
    List<X509CRL> out = new ArrayList<>();
    for (CRL c : read) {
      if (c instanceof X509CRL x509) {
        out.add(x509);
      }
    }
    if (out.isEmpty()) {
      m.error("crl", "no CRL in " + crl);
      return null;
    }
    for (X509CRL c : out) {
      for (X509Certificate ca : authorities) {
        if (ca.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && !signedBy(c, ca)) {
          m.error("crl", "the CRL of " + c.getIssuerX500Principal().getName() + " in " + crl
              + " is not signed by that CA's key in ca");
          return null;
        }
      }
    }
    return out;
  }

  private static boolean signedBy(X509CRL crl, X509Certificate ca) {
    try {
      crl.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The bundle's certificates; empty (reported) when it holds none or one that does not parse. */
  private static List<X509Certificate> authorities(MappingReader m, Path ca) {
    Collection<? extends Certificate> read;
    try (InputStream in = Files.newInputStream(ca)) {
      read = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | CertificateException e) {
      m.error("ca", "not a PEM certificate bundle: " + ca);
      return List.of();
    }
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : read) {
      if (c instanceof X509Certificate x509) {
        out.add(x509);
      }
    }
    if (out.isEmpty()) {
      m.error("ca", "no certificate in " + ca);
    }
    return out;
  }
}
