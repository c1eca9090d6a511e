package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.ClientCert;
import io.wsgate.policy.Tls;
import io.wsgate.testing.ClientCerts;
import io.wsgate.testing.NamedCerts;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a presented client certificate says ({@link ClientCertificate}) and whether a route trusts it ({@link ClientCertTrust}). */
class ClientCertificateTest {
  @TempDir
  static Path dir;
  private static ClientCerts.Authority ca;
  private static ClientCerts.Authority other;

  @BeforeAll
  static void authorities() {
    ca = ClientCerts.authority(dir, "ca", "Example CA");
    other = ClientCerts.authority(dir, "other", "Other CA");
  }

  private static ClientCertificate presented(Tls.Pair pair) {
    return ClientCertificate.of(List.of(NamedCerts.read(pair.cert())));
  }

  @Test
  void theSubjectIsTheFirstUriThenDnsThenEmailSanThenTheCn() {
    assertEquals("spiffe://example.org/a", presented(ca.issue("u", "CN=a", ClientCerts.email("a@example.org"),
        ClientCerts.dns("a.example.org"), ClientCerts.uri("spiffe://example.org/a"))).identitySubject());
    assertEquals("a.example.org", presented(ca.issue("d", "CN=a", ClientCerts.email("a@example.org"),
        ClientCerts.dns("a.example.org"))).identitySubject());
    assertEquals("a@example.org", presented(ca.issue("e", "CN=a", ClientCerts.email("a@example.org")))
        .identitySubject());
    assertEquals("device-7", presented(ca.issue("cn", "O=Example,CN=device-7")).identitySubject(),
        "no SAN: the CN");
    assertNull(presented(ca.issue("none", "O=Example")).identitySubject(), "neither: no subject at all");
  }

  @Test
  void theAuditedSubjectIsRfc4514WithNonAsciiEscapedAndTheFingerprintIsTheLeafsSha256() {
    Tls.Pair pair = ca.issue("utf", "CN=Zoë,O=Example");
    ClientCertificate cert = presented(pair);
    assertEquals(NamedCerts.read(pair.cert()).getSubjectX500Principal().getName("RFC2253")
        .replace("ë", "\\C3\\AB"), cert.subject());
    assertTrue(cert.subject().chars().allMatch(c -> c >= 0x20 && c < 0x7f), cert.subject());
    assertEquals(ClientCerts.fingerprint(pair.cert()), cert.sha256());
    assertEquals(64, cert.sha256().length());
  }

  @Test
  void noCertificateIsNull() {
    assertNull(ClientCertificate.of(List.of()));
    assertNull(ClientCertificate.of(null));
  }

  @Test
  void aLeafFromTheCaIsTrustedAndFromAnotherIsNot() {
    X509Certificate good = NamedCerts.read(ca.issue("good", "CN=good").cert());
    assertTrue(trusted(List.of(good), List.of(ca.certificate())));
    assertTrue(trusted(List.of(good, ca.certificate()), List.of(ca.certificate())),
        "a chain that carries its anchor too");
    assertTrue(trusted(List.of(good), List.of(other.certificate(), ca.certificate())), "a bundle");
    assertFalse(trusted(List.of(good), List.of(other.certificate())));
    X509Certificate foreign = NamedCerts.read(other.issue("foreign", "CN=good").cert());
    assertFalse(trusted(List.of(foreign, ca.certificate()), List.of(ca.certificate())),
        "naming the route's CA in the chain proves nothing");
  }

  @Test
  void expiredNotYetValidServerOnlyAndTheCaItselfAreNotTrusted() {
    Instant now = Instant.now();
    List<X509Certificate> anchors = List.of(ca.certificate());
    assertFalse(trusted(List.of(NamedCerts.read(ca.issue("old", "CN=old", now.minus(Duration.ofDays(2)),
        now.minus(Duration.ofDays(1)), KeyPurposeId.id_kp_clientAuth).cert())), anchors));
    assertFalse(trusted(List.of(NamedCerts.read(ca.issue("soon", "CN=soon", now.plus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(2)), KeyPurposeId.id_kp_clientAuth).cert())), anchors));
    assertFalse(trusted(List.of(NamedCerts.read(ca.issue("srv", "CN=srv", now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), KeyPurposeId.id_kp_serverAuth).cert())), anchors));
    assertTrue(trusted(List.of(NamedCerts.read(ca.issue("noeku", "CN=noeku", now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), null).cert())), anchors), "no extendedKeyUsage: any use");
    assertFalse(trusted(List.of(ca.certificate()), anchors), "the anchor is no client");
    assertFalse(trusted(List.of(), anchors));
  }

  @Test
  void withACrlARevokedLeafIsRevokedAndTheOthersStayTrusted() {
    X509Certificate kept = NamedCerts.read(ca.issue("kept", "CN=kept").cert());
    X509Certificate lost = NamedCerts.read(ca.issue("lost", "CN=lost").cert());
    ClientCert required = withCrls(List.of(ca.certificate()), ca.crl("ca-crl", lost));
    assertNull(ClientCertTrust.refusal(List.of(kept), required));
    assertEquals(Reason.CLIENT_CERT_REVOKED, ClientCertTrust.refusal(List.of(lost), required));
    assertEquals(Reason.CLIENT_CERT_REVOKED, ClientCertTrust.refusal(List.of(lost, ca.certificate()), required),
        "with its anchor along");
    assertNull(ClientCertTrust.refusal(List.of(lost), new ClientCert(null, List.of(ca.certificate()),
        ClientCert.IdentityFrom.TOKEN)), "without crl: not checked");
  }

  @Test
  void aCrlPastItsNextUpdateOrFromAnotherCaLeavesTheStatusUnknown() {
    Instant now = Instant.now();
    X509Certificate leaf = NamedCerts.read(ca.issue("leaf", "CN=leaf").cert());
    assertEquals(Reason.CLIENT_CERT_REVOCATION_UNKNOWN, ClientCertTrust.refusal(List.of(leaf),
        withCrls(List.of(ca.certificate()), ca.crl("stale", now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))))),
        "stale");
    assertEquals(Reason.CLIENT_CERT_REVOCATION_UNKNOWN, ClientCertTrust.refusal(List.of(leaf),
        withCrls(List.of(ca.certificate()), other.crl("elsewhere"))), "only another CA's CRL");
    assertEquals(Reason.CLIENT_CERT_UNTRUSTED, ClientCertTrust.refusal(
        List.of(NamedCerts.read(other.issue("outsider", "CN=outsider").cert())),
        withCrls(List.of(ca.certificate()), ca.crl("fresh"))), "a chain that does not validate stays untrusted");
  }

  @Test
  void everyCertificateOfThePathNeedsItsIssuersCrl() {
    ClientCerts.Authority sub = ca.intermediate("sub", "Example Issuing CA");
    X509Certificate leaf = NamedCerts.read(sub.issue("via-sub", "CN=via-sub").cert());
    List<X509Certificate> chain = List.of(leaf, sub.certificate());
    List<X509Certificate> anchors = List.of(ca.certificate());
    assertTrue(trusted(chain, anchors), "the intermediate chains to the root");
    assertNull(ClientCertTrust.refusal(chain, withCrls(anchors, ca.crl("root-none"), sub.crl("sub-none"))));
    assertEquals(Reason.CLIENT_CERT_REVOCATION_UNKNOWN,
        ClientCertTrust.refusal(chain, withCrls(anchors, sub.crl("sub-only"))), "no CRL of the root");
    assertEquals(Reason.CLIENT_CERT_REVOKED,
        ClientCertTrust.refusal(chain, withCrls(anchors, ca.crl("root-revokes-sub", sub.certificate()),
            sub.crl("sub-clean"))), "the intermediate itself revoked");
  }

  private static ClientCert withCrls(List<X509Certificate> anchors, Path... files) {
    List<X509CRL> crls = new ArrayList<>();
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        crls.add((X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return new ClientCert(null, anchors, ClientCert.IdentityFrom.TOKEN, files[0], crls);
  }

  private static boolean trusted(List<X509Certificate> chain, List<X509Certificate> anchors) {
    return ClientCertTrust.refusal(chain, new ClientCert(null, anchors, ClientCert.IdentityFrom.TOKEN)) == null;
  }
}
