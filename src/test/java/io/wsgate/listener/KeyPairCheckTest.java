package io.wsgate.listener;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key and certificate are matched by a real signature, for every key type a certificate can carry. */
class KeyPairCheckTest {
  enum Type {
    RSA("RSA", null, "SHA256withRSA"),
    EC_P256("EC", "secp256r1", "SHA256withECDSA"),
    EC_P384("EC", "secp384r1", "SHA384withECDSA"),
    ED25519("Ed25519", null, "Ed25519"),
    ED448("Ed448", null, "Ed448");

    final String algorithm;
    final String curve;
    final String signature;

    Type(String algorithm, String curve, String signature) {
      this.algorithm = algorithm;
      this.curve = curve;
      this.signature = signature;
    }
  }

  /** Two key pairs of each type, and a self-signed certificate for each. */
  private static final Map<Type, Pair[]> PAIRS = new EnumMap<>(Type.class);

  record Pair(KeyPair keys, byte[] certificatePem) {
  }

  @BeforeAll
  static void generate() throws Exception {
    for (Type type : Type.values()) {
      PAIRS.put(type, new Pair[] {pair(type, "CN=one"), pair(type, "CN=two")});
    }
  }

  @ParameterizedTest
  @EnumSource(Type.class)
  void aKeyMatchesItsOwnCertificateInPkcs8(Type type) throws Exception {
    Pair pair = PAIRS.get(type)[0];
    assertEquals(Optional.empty(), KeyPairCheck.problem(pair.certificatePem(), pkcs8(pair.keys().getPrivate())));
  }

  @ParameterizedTest
  @EnumSource(value = Type.class, names = {"RSA", "EC_P256", "EC_P384"})
  void aKeyMatchesItsOwnCertificateInTheTraditionalForms(Type type) throws Exception {
    Pair pair = PAIRS.get(type)[0];
    byte[] traditional = traditional(pair.keys().getPrivate());
    String header = type == Type.RSA ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----";
    assertTrue(new String(traditional, StandardCharsets.US_ASCII).startsWith(header), "PKCS#1 / SEC1 as written");
    assertEquals(Optional.empty(), KeyPairCheck.problem(pair.certificatePem(), traditional));
  }

  @ParameterizedTest
  @EnumSource(Type.class)
  void anotherKeyOfTheSameTypeDoesNotMatch(Type type) throws Exception {
    Pair[] pairs = PAIRS.get(type);
    byte[] otherKey = pkcs8(pairs[1].keys().getPrivate());
    String problem = KeyPairCheck.problem(pairs[0].certificatePem(), otherKey).orElseThrow();
    assertTrue(problem.startsWith("the private key does not match the certificate (CN=one"), problem);
    assertNoKeyMaterial(problem, otherKey);
  }

  @Test
  void aKeyOfAnyOtherTypeDoesNotMatch() throws Exception {
    for (Type certified : Type.values()) {
      for (Type keyType : Type.values()) {
        if (certified != keyType) {
          byte[] key = pkcs8(PAIRS.get(keyType)[0].keys().getPrivate());
          String problem = KeyPairCheck.problem(PAIRS.get(certified)[0].certificatePem(), key)
              .orElseThrow(() -> new AssertionError(keyType + " key accepted for a " + certified + " certificate"));
          assertTrue(problem.contains("does not match"), problem);
        }
      }
    }
  }

  @Test
  void onlyTheLeafCountsNotACertificateFurtherDownTheChain() throws Exception {
    byte[] chain = concat(PAIRS.get(Type.RSA)[0].certificatePem(), PAIRS.get(Type.RSA)[1].certificatePem());
    assertEquals(Optional.empty(), KeyPairCheck.problem(chain, pkcs8(PAIRS.get(Type.RSA)[0].keys().getPrivate())));
    assertTrue(KeyPairCheck.problem(chain, pkcs8(PAIRS.get(Type.RSA)[1].keys().getPrivate())).isPresent(),
        "the second certificate's key is not the leaf's");
  }

  @Test
  void unusableFilesAreNamedWithoutQuotingThem() throws Exception {
    Pair pair = PAIRS.get(Type.EC_P256)[0];
    byte[] key = pkcs8(pair.keys().getPrivate());
    assertEquals(Optional.of("no unencrypted private key in the key file"),
        KeyPairCheck.problem(pair.certificatePem(), pair.certificatePem()), "a certificate where the key should be");
    assertEquals(Optional.of("no unencrypted private key in the key file"),
        KeyPairCheck.problem(pair.certificatePem(), encrypted(pair.keys().getPrivate())));
    assertEquals(Optional.of("no unencrypted private key in the key file"),
        KeyPairCheck.problem(pair.certificatePem(), new byte[0]));
    String broken = new String(key, StandardCharsets.US_ASCII).replace("\n-----END", "!!\n-----END");
    String problem = KeyPairCheck.problem(pair.certificatePem(), broken.getBytes(StandardCharsets.US_ASCII)).orElseThrow();
    assertEquals("the key file is not a readable PEM private key", problem);
    assertEquals(Optional.of("the certificate file is not a PEM X.509 certificate chain"),
        KeyPairCheck.problem(key, key), "a key where the certificate should be");
    assertEquals(Optional.of("no certificate in the certificate file"), KeyPairCheck.problem(new byte[0], key));
  }

  private static void assertNoKeyMaterial(String text, byte[] keyPem) {
    for (String line : new String(keyPem, StandardCharsets.US_ASCII).split("\n")) {
      if (!line.startsWith("-----") && line.length() >= 16) {
        assertFalse(text.contains(line.substring(0, 16)), "key material in: " + text);
      }
    }
  }

  private static Pair pair(Type type, String subject) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(type.algorithm);
    if (type.curve != null) {
      generator.initialize(new ECGenParameterSpec(type.curve));
    } else if (type == Type.RSA) {
      generator.initialize(2048);
    }
    KeyPair keys = generator.generateKeyPair();
    X500Name name = new X500Name(subject);
    Instant now = Instant.now();
    byte[] der = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), name, keys.getPublic())
        .build(new JcaContentSignerBuilder(type.signature).build(keys.getPrivate())).getEncoded();
    return new Pair(keys, pem(new PemObject("CERTIFICATE", der)));
  }

  private static byte[] pkcs8(PrivateKey key) throws Exception {
    return pem(new JcaPKCS8Generator(key, null).generate());
  }

  private static byte[] encrypted(PrivateKey key) throws Exception {
    return pem(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
        .setPassword("secret".toCharArray()).build()).generate());
  }

  /** PKCS#1 for RSA, SEC1 with the named curve for EC: what {@code openssl genrsa} / {@code openssl ecparam -genkey} write. */
  private static byte[] traditional(PrivateKey key) throws Exception {
    if (!key.getAlgorithm().equals("EC")) {
      return pem(key);
    }
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    ECPrivateKey sec1 = ECPrivateKey.getInstance(info.parsePrivateKey());
    int bits = ((java.security.interfaces.ECPrivateKey) key).getParams().getOrder().bitLength();
    return pem(new PemObject("EC PRIVATE KEY",
        new ECPrivateKey(bits, sec1.getKey(), info.getPrivateKeyAlgorithm().getParameters()).getEncoded()));
  }

  private static byte[] pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
