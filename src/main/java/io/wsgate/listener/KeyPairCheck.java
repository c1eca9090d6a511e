package io.wsgate.listener;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;

/**
 * Whether a PEM private key belongs to the first (leaf) certificate of a PEM chain: a random
 * challenge is signed with the private key and verified with the certificate's public key, so a
 * pair that passes is one a TLS handshake can use. RSA, EC and EdDSA (Ed25519, Ed448) keys, in
 * PKCS#8, PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) form; encrypted keys
 * and other types are refused. Problems never quote the files' contents.
 *
 * <pre>{@code
 * Optional<String> problem = KeyPairCheck.problem(Files.readAllBytes(cert), Files.readAllBytes(key));
 * problem.ifPresent(p -> LOG.error("{} / {}: {}", cert, key, p));
 * }</pre>
 */
public final class KeyPairCheck {
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyPairCheck() {
  }

  /** @return empty when the key matches the leaf certificate, else why not (safe to log) */
  public static Optional<String> problem(byte[] certificatePem, byte[] privateKeyPem) {
    X509Certificate leaf;
    try {
      Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(certificatePem));
      if (chain.isEmpty()) {
        return Optional.of("no certificate in the certificate file");
      }
      leaf = (X509Certificate) chain.iterator().next();
    } catch (GeneralSecurityException | ClassCastException e) {
      return Optional.of("the certificate file is not a PEM X.509 certificate chain");
    }
    PrivateKey key;
    try {
      key = privateKey(privateKeyPem);
    } catch (IOException | RuntimeException e) {
      // The parser's message may quote what it choked on: never repeat it.
      return Optional.of("the key file is not a readable PEM private key");
    }
    if (key == null) {
      return Optional.of("no unencrypted private key in the key file");
    }
    return matches(key, leaf.getPublicKey()) ? Optional.empty()
        : Optional.of("the private key does not match the certificate (" + leaf.getSubjectX500Principal().getName()
            + ", " + leaf.getPublicKey().getAlgorithm() + " public key; private key: " + key.getAlgorithm() + ")");
  }

  /** The chain of a PEM text that {@link #problem} accepted, leaf first. */
  static X509Certificate[] chain(byte[] certificatePem) {
    try {
      return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(certificatePem))
          .stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("not a certificate chain", e);
    }
  }

  /** The private key of a PEM text that {@link #problem} accepted. */
  static PrivateKey privateKeyOf(byte[] privateKeyPem) {
    try {
      return privateKey(privateKeyPem);
    } catch (IOException e) {
      throw new IllegalStateException("not a private key", e);
    }
  }

  /** The first unencrypted private key in the PEM text, or null. */
  private static PrivateKey privateKey(byte[] pem) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo()); // PKCS#1 or SEC1
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info); // PKCS#8
        }
      }
      return null;
    }
  }

  private static boolean matches(PrivateKey key, PublicKey certified) {
    String algorithm = signatureAlgorithm(key);
    if (algorithm == null || !family(key.getAlgorithm()).equals(family(certified.getAlgorithm()))) {
      return false;
    }
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // e.g. a key on another curve: not this certificate's key
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (family(key.getAlgorithm())) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA" -> key.getAlgorithm(); // EdDSA, Ed25519 or Ed448: the key's parameters decide
      default -> null;
    };
  }

  private static String family(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "RSA" -> "RSA";
      case "EC", "ECDSA" -> "EC";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      default -> keyAlgorithm;
    };
  }
}
