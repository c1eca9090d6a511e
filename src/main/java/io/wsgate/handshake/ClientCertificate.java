package io.wsgate.handshake;

import io.wsgate.audit.AuditedRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The certificate chain a client presented in its TLS handshake, leaf first, as the listener read
 * it: accepted by the TLS layer whoever issued it (the engine checked only that the client holds the
 * key), so nothing here is trusted until {@link ClientCertGuard} verified it against the route's CA.
 *
 * @param chain   leaf first, at least one certificate
 * @param subject the leaf's subject DN, RFC 4514, every character outside visible ASCII escaped as
 *                {@code \XX} UTF-8 hex pairs (RFC 4514 §2.4), so it can cross as a header unchanged
 * @param sha256  SHA-256 of the leaf's DER encoding, lower-case hex
 */
public record ClientCertificate(List<X509Certificate> chain, String subject, String sha256) {
  public ClientCertificate {
    chain = List.copyOf(chain);
  }

  /** @return null when the client presented no X.509 certificate */
  public static ClientCertificate of(List<? extends Certificate> presented) {
    List<X509Certificate> chain = new ArrayList<>();
    for (Certificate c : presented == null ? List.<Certificate>of() : presented) {
      if (!(c instanceof X509Certificate x509)) {
        return null;
      }
      chain.add(x509);
    }
    if (chain.isEmpty()) {
      return null;
    }
    X509Certificate leaf = chain.get(0);
    return new ClientCertificate(chain, dn(leaf.getSubjectX500Principal()), fingerprint(leaf));
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public AuditedRequest.ClientCert audited() {
    return new AuditedRequest.ClientCert(subject, sha256);
  }

  /**
   * Who the certificate says the client is, when it stands in for a token: the first SAN of type URI,
   * else DNS, else email; without any of those, the CN of the subject DN; null when it has neither.
   */
  public String identitySubject() {
    X509Certificate leaf = leaf();
    for (int type : new int[] {6, 2, 1}) { // uniformResourceIdentifier, dNSName, rfc822Name (RFC 5280 §4.2.1.6)
      String name = firstName(leaf, type);
      if (name != null) {
        return name;
      }
    }
    return commonName(leaf.getSubjectX500Principal());
  }

  private static String firstName(X509Certificate leaf, int type) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return null;
    }
    if (names == null) {
      return null;
    }
    for (List<?> name : names) {
      if (name.size() >= 2 && name.get(0) instanceof Integer t && t == type && name.get(1) instanceof String value) {
        return value;
      }
    }
    return null;
  }

  private static String commonName(X500Principal principal) {
    try {
      List<javax.naming.ldap.Rdn> rdns = new javax.naming.ldap.LdapName(principal.getName(X500Principal.RFC2253))
          .getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) { // most specific first: LdapName indexes right to left
        javax.naming.ldap.Rdn rdn = rdns.get(i);
        if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
          return cn;
        }
      }
    } catch (javax.naming.InvalidNameException e) {
      return null;
    }
    return null;
  }

  static String dn(X500Principal principal) {
    String text = principal.getName(X500Principal.RFC2253);
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c > 0x20 && c < 0x7f || c == ' ') {
        out.append((char) c);
      } else {
        out.append('\\').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
      }
    }
    String escaped = out.toString();
    // RFC 4514 §2.4: a value's leading or trailing space is escaped; a header value must not end in one either.
    return escaped.endsWith(" ") ? escaped.substring(0, escaped.length() - 1) + "\\20" : escaped;
  }

  private static String fingerprint(X509Certificate leaf) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
