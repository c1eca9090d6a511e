package io.wsgate.testing;

import io.vertx.core.net.KeyCertOptions;
import io.wsgate.policy.Tls;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;

/**
 * Client certificates for mutual TLS, made at test time: a CA ({@link #authority}) and the leaves it
 * issues ({@link Authority#issue}), written as PEM files for the policy, curl and Node, plus
 * {@link #keyCert} for Vert.x clients.
 */
public final class ClientCerts {
  private ClientCerts() {
  }

  /** A CA: its certificate file, key and certificate. */
  public record Authority(Path dir, Path cert, KeyPair keys, X509Certificate certificate) {
    /** A leaf with extendedKeyUsage clientAuth, valid from an hour ago for two days. */
    public Tls.Pair issue(String stem, String subjectDn, GeneralName... sans) {
      return issue(stem, subjectDn, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(2)),
          KeyPurposeId.id_kp_clientAuth, sans);
    }

    /** @param usage the only extendedKeyUsage; null: no extendedKeyUsage extension */
    public Tls.Pair issue(String stem, String subjectDn, Instant notBefore, Instant notAfter, KeyPurposeId usage,
                          GeneralName... sans) {
      try {
        KeyPair leaf = ecKeys();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(
            certificate.getSubjectX500Principal().getName()), serial(), Date.from(notBefore), Date.from(notAfter),
            new X500Name(subjectDn), leaf.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        if (usage != null) {
          builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
        }
        if (sans.length > 0) {
          builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        }
        byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
        return write(dir, stem, der, leaf.getPrivate());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** An intermediate CA this one signs. */
    public Authority intermediate(String stem, String commonName) {
      return authority(dir, stem, commonName, this);
    }

    /** A current CRL (this update an hour ago, next update in a day) revoking {@code revoked}. */
    public Path crl(String stem, X509Certificate... revoked) {
      Instant now = Instant.now();
      return crl(stem, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), revoked);
    }

    /** A CRL with these update times, revoking {@code revoked}, written as {@code <stem>.crl} (PEM). */
    public Path crl(String stem, Instant thisUpdate, Instant nextUpdate, X509Certificate... revoked) {
      try {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(
            new X500Name(certificate.getSubjectX500Principal().getName()), Date.from(thisUpdate));
        builder.setNextUpdate(Date.from(nextUpdate));
        for (X509Certificate c : revoked) {
          builder.addCRLEntry(c.getSerialNumber(), Date.from(thisUpdate), CRLReason.keyCompromise);
        }
        byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
        Path file = dir.resolve(stem + ".crl");
        Files.writeString(file, pem("X509 CRL", der));
        return file;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static Authority authority(Path dir, String stem, String commonName) {
    return authority(dir, stem, commonName, null);
  }

  /** A CA whose certificate {@code parent} signs (null: self-signed, a root). */
  private static Authority authority(Path dir, String stem, String commonName, Authority parent) {
    try {
      KeyPair keys = ecKeys();
      X500Name name = new X500Name("CN=" + commonName);
      X500Name issuer = parent == null ? name : new X500Name(parent.certificate.getSubjectX500Principal().getName());
      Instant now = Instant.now();
      byte[] der = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(2))), name, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .build(new JcaContentSignerBuilder("SHA256withECDSA")
              .build((parent == null ? keys : parent.keys).getPrivate())).getEncoded();
      Tls.Pair pair = write(dir, stem, der, keys.getPrivate());
      return new Authority(dir, pair.cert(), keys, NamedCerts.read(pair.cert()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }

  public static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  public static GeneralName email(String address) {
    return new GeneralName(GeneralName.rfc822Name, address);
  }

  /** SHA-256 of the certificate's DER, lower-case hex: what the gateway audits and forwards. */
  public static String fingerprint(Path cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(NamedCerts.read(cert).getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A Vert.x client's key material that presents {@code pair} whatever issuers the server names: a
   * JDK key manager would otherwise send no certificate when its CA is not among them, and a test of
   * a wrong CA would only ever see a missing certificate.
   */
  public static KeyCertOptions keyCert(Tls.Pair pair) {
    return keyCert(pair, new java.util.concurrent.CopyOnWriteArrayList<>());
  }

  /** The same, recording the acceptable issuers each server named in its CertificateRequest. */
  public static KeyCertOptions keyCert(Tls.Pair pair, java.util.List<java.util.List<Principal>> askedFor) {
    try {
      X509Certificate[] chain = {NamedCerts.read(pair.cert())};
      String pem = Files.readString(pair.key()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey key = java.security.KeyFactory.getInstance("EC")
          .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      return KeyCertOptions.wrap(new X509ExtendedKeyManager() {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
          return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
          return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
          askedFor.add(issuers == null ? java.util.List.of() : java.util.List.of(issuers));
          return "client";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
          return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
          return chain.clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
          return key;
        }
      });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom()).setBit(0);
  }

  private static Tls.Pair write(Path dir, String stem, byte[] der, PrivateKey key) throws Exception {
    Path cert = dir.resolve(stem + ".crt");
    Path keyFile = dir.resolve(stem + ".key");
    Files.writeString(cert, pem("CERTIFICATE", der));
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    return new Tls.Pair(cert, keyFile);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
