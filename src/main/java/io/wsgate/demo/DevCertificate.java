package io.wsgate.demo;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;

/**
 * A self-signed development certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}.
 * Uses the JDK's default providers; BouncyCastle only builds the certificate structure.
 */
public final class DevCertificate {

  private static final Duration VALIDITY = Duration.ofDays(365);
  private static final Duration BACKDATE = Duration.ofHours(1);

  private DevCertificate() {
  }

  /**
   * Generates the certificate and key if neither file exists.
   *
   * @return true if generated, false if both files already existed (they are not inspected)
   * @throws IllegalStateException if exactly one of the two files exists
   * @throws UncheckedIOException  if the files cannot be written
   */
  public static boolean ensure(Path certFile, Path keyFile) {
    boolean certExists = Files.exists(certFile);
    boolean keyExists = Files.exists(keyFile);
    if (certExists && keyExists) {
      return false;
    }
    if (certExists || keyExists) {
      Path missing = certExists ? keyFile : certFile;
      throw new IllegalStateException("TLS " + (certExists ? "key" : "certificate") + " file " + missing
          + " is missing but its partner exists; delete the other file to regenerate both, or supply both");
    }
    KeyPair keyPair = newKeyPair();
    byte[] certPem = pem("CERTIFICATE", selfSigned(keyPair));
    byte[] keyPem = pem("PRIVATE KEY", keyPair.getPrivate().getEncoded()); // JDK encodes PKCS#8
    try {
      PrivateFiles.createNew(keyFile, keyPem, "rw-------");
      try {
        PrivateFiles.createNew(certFile, certPem, "rw-r--r--");
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(keyFile); // never leave a lone key behind: the next start would refuse
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write development certificate", e);
    }
    return true;
  }

  /** SHA-256 of the first certificate's DER encoding, as upper-case hex pairs joined by colons. */
  public static String fingerprintSha256(Path certFile) {
    try (InputStream in = Files.newInputStream(certFile)) {
      byte[] der = CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a certificate: " + certFile, e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available", e);
    }
  }

  private static byte[] selfSigned(KeyPair keyPair) {
    X500Name name = new X500Name("CN=localhost");
    Instant now = Instant.now();
    // Positive, non-zero and at most 20 octets, as RFC 5280 requires.
    BigInteger serial = new BigInteger(159, new SecureRandom()).setBit(0);
    GeneralNames altNames = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.iPAddress, "::1"),
    });
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), name, keyPair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(Extension.subjectAlternativeName, false, altNames)
          .addExtension(Extension.subjectKeyIdentifier, false,
              new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keyPair.getPublic()));
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
      return builder.build(signer).getEncoded();
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build development certificate", e);
    }
  }

  private static byte[] pem(String type, byte[] der) {
    String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
