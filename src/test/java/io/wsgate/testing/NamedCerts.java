package io.wsgate.testing;

import io.wsgate.policy.Tls;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Self-signed EC certificates for host names of a test's choosing ({@code a.test}, {@code *.c.test}),
 * made at test time: each is its own trust anchor, so curl's {@code --cacert}, Node's {@code ca} and
 * a JDK trust store can each trust exactly the ones a test names.
 */
public final class NamedCerts {
  private NamedCerts() {
  }

  /** Writes {@code <stem>.crt} and {@code <stem>.key} in {@code dir}: CN the first name, SAN all of them. */
  public static Tls.Pair create(Path dir, String stem, String... dnsNames) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      X500Name name = new X500Name("CN=" + dnsNames[0]);
      Instant now = Instant.now();
      GeneralName[] alternatives = new GeneralName[dnsNames.length];
      for (int i = 0; i < dnsNames.length; i++) {
        alternatives[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
      }
      byte[] der = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()).setBit(0),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), name, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives))
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
      Path cert = dir.resolve(stem + ".crt");
      Path key = dir.resolve(stem + ".key");
      Files.writeString(cert, pem("CERTIFICATE", der));
      Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
      return new Tls.Pair(cert, key);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JDK SSLContext trusting exactly {@code certs}. */
  public static SSLContext trusting(List<Path> certs) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (Path cert : certs) {
        store.setCertificateEntry(cert.toString(), read(cert));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static X509Certificate read(Path cert) {
    try (InputStream in = Files.newInputStream(cert)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
