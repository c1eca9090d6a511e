package io.wsgate.handshake;

import io.wsgate.policy.Tls;
import io.wsgate.testing.ClientCerts;
import io.wsgate.testing.NamedCerts;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
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
    assertTrue(ClientCertTrust.trusted(List.of(good), List.of(ca.certificate())));
    assertTrue(ClientCertTrust.trusted(List.of(good, ca.certificate()), List.of(ca.certificate())),
        "a chain that carries its anchor too");
    assertTrue(ClientCertTrust.trusted(List.of(good), List.of(other.certificate(), ca.certificate())), "a bundle");
    assertFalse(ClientCertTrust.trusted(List.of(good), List.of(other.certificate())));
    X509Certificate foreign = NamedCerts.read(other.issue("foreign", "CN=good").cert());
    assertFalse(ClientCertTrust.trusted(List.of(foreign, ca.certificate()), List.of(ca.certificate())),
        "naming the route's CA in the chain proves nothing");
  }

  @Test
  void expiredNotYetValidServerOnlyAndTheCaItselfAreNotTrusted() {
    Instant now = Instant.now();
    List<X509Certificate> anchors = List.of(ca.certificate());
    assertFalse(ClientCertTrust.trusted(List.of(NamedCerts.read(ca.issue("old", "CN=old", now.minus(Duration.ofDays(2)),
        now.minus(Duration.ofDays(1)), KeyPurposeId.id_kp_clientAuth).cert())), anchors));
    assertFalse(ClientCertTrust.trusted(List.of(NamedCerts.read(ca.issue("soon", "CN=soon", now.plus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(2)), KeyPurposeId.id_kp_clientAuth).cert())), anchors));
    assertFalse(ClientCertTrust.trusted(List.of(NamedCerts.read(ca.issue("srv", "CN=srv", now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), KeyPurposeId.id_kp_serverAuth).cert())), anchors));
    assertTrue(ClientCertTrust.trusted(List.of(NamedCerts.read(ca.issue("noeku", "CN=noeku", now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(1)), null).cert())), anchors), "no extendedKeyUsage: any use");
    assertFalse(ClientCertTrust.trusted(List.of(ca.certificate()), anchors), "the anchor is no client");
    assertFalse(ClientCertTrust.trusted(List.of(), anchors));
  }
}
