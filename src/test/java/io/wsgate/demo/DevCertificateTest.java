package io.wsgate.demo;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Security;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevCertificateTest {

  @TempDir
  Path dir;
  private Path cert;
  private Path key;

  @BeforeEach
  void paths() {
    cert = dir.resolve("tls/dev/cert.pem");
    key = dir.resolve("tls/dev/key.pem");
  }

  @Test
  void generatesOnceThenLeavesTheFilesAlone() throws Exception {
    assertTrue(DevCertificate.ensure(cert, key));
    assertNull(Security.getProvider("BC"), "BouncyCastle must not be registered as a JCA provider");
    byte[] first = Files.readAllBytes(cert);
    assertFalse(DevCertificate.ensure(cert, key));
    assertArrayEquals(first, Files.readAllBytes(cert));
    try (var files = Files.list(cert.getParent())) {
      assertEquals(Set.of("cert.pem", "key.pem"),
          files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()), "no temp files left");
    }
  }

  @Test
  void refusesWhenOnlyOneFileExists() throws Exception {
    DevCertificate.ensure(cert, key);
    Files.delete(key);
    IllegalStateException noKey = assertThrows(IllegalStateException.class, () -> DevCertificate.ensure(cert, key));
    assertTrue(noKey.getMessage().contains(key.toString()), noKey.getMessage());

    Path otherCert = dir.resolve("other-cert.pem");
    IllegalStateException noCert = assertThrows(IllegalStateException.class, () -> DevCertificate.ensure(otherCert, cert));
    assertTrue(noCert.getMessage().contains(otherCert.toString()), noCert.getMessage());
  }

  @Test
  void certificateHasTheRequiredShape() throws Exception {
    DevCertificate.ensure(cert, key);
    String pem = Files.readString(cert, StandardCharsets.US_ASCII);
    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n") && pem.endsWith("-----END CERTIFICATE-----\n"));
    X509Certificate x509 = readCertificate(cert);

    assertEquals("CN=localhost", x509.getSubjectX500Principal().getName());
    assertEquals(x509.getSubjectX500Principal(), x509.getIssuerX500Principal());
    x509.verify(x509.getPublicKey());
    assertEquals("SHA256withECDSA", x509.getSigAlgName());
    assertEquals(256, ((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize());

    Set<List<?>> sans = Set.copyOf(x509.getSubjectAlternativeNames());
    assertEquals(Set.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1")), sans);

    assertEquals(-1, x509.getBasicConstraints(), "not a CA");
    assertTrue(x509.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")));
    boolean[] keyUsage = x509.getKeyUsage();
    assertTrue(keyUsage[0], "digitalSignature");
    for (int i = 1; i < keyUsage.length; i++) {
      assertFalse(keyUsage[i], "only digitalSignature, but bit " + i + " is set");
    }
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), x509.getExtendedKeyUsage());

    Instant now = Instant.now();
    Instant notBefore = x509.getNotBefore().toInstant();
    Instant notAfter = x509.getNotAfter().toInstant();
    assertTrue(notBefore.isBefore(now.minus(Duration.ofMinutes(59))) && notBefore.isAfter(now.minus(Duration.ofMinutes(61))));
    assertTrue(notAfter.isAfter(now.plus(Duration.ofDays(364))) && notAfter.isBefore(now.plus(Duration.ofDays(366))));
  }

  @Test
  void keyIsPkcs8MatchesTheCertificateAndIsPrivate() throws Exception {
    DevCertificate.ensure(cert, key);
    String pem = Files.readString(key, StandardCharsets.US_ASCII);
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n") && pem.endsWith("-----END PRIVATE KEY-----\n"));
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));

    byte[] data = "proof of possession".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(privateKey);
    signer.update(data);
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(readCertificate(cert).getPublicKey());
    verifier.update(data);
    assertTrue(verifier.verify(signer.sign()));

    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }
  }

  @Test
  void fingerprintIsColonSeparatedSha256OfTheDer() throws Exception {
    DevCertificate.ensure(cert, key);
    String fingerprint = DevCertificate.fingerprintSha256(cert);
    assertTrue(fingerprint.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fingerprint);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(readCertificate(cert).getEncoded());
    assertEquals(HexFormat.of().formatHex(digest), fingerprint.replace(":", "").toLowerCase());
  }

  private static X509Certificate readCertificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
