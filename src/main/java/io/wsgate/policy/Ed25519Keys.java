package io.wsgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The Ed25519 keys that sign and check audit checkpoints, as PEM files: the private key as unencrypted
 * PKCS#8 (what {@code openssl genpkey -algorithm ed25519} writes), the public key as
 * SubjectPublicKeyInfo ({@code openssl pkey -pubout}). Error
 * messages name the file, never the key.
 *
 * <pre>{@code
 * PrivateKey key = Ed25519Keys.readPrivate(Path.of("/etc/wsgate/checkpoint.key"));
 * }</pre>
 */
public final class Ed25519Keys {
  public static final String ALGORITHM = "Ed25519";
  private static final String PRIVATE = "PRIVATE KEY";
  private static final String PUBLIC = "PUBLIC KEY";
  private static final int MAX_FILE_BYTES = 16 << 10;

  private Ed25519Keys() {
  }

  /** @throws IllegalStateException when the file cannot be read or holds no Ed25519 private key */
  public static PrivateKey readPrivate(Path file) {
    byte[] der = der(file, PRIVATE);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(file + " holds no Ed25519 private key (expected PKCS#8 PEM, as written by"
          + " 'openssl genpkey -algorithm ed25519')");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** @throws IllegalStateException when the file cannot be read or holds no Ed25519 public key */
  public static PublicKey readPublic(Path file) {
    byte[] der = der(file, PUBLIC);
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(file + " holds no Ed25519 public key (expected PEM, as written by"
          + " 'openssl pkey -in checkpoint.key -pubout')");
    }
  }

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is required of every Java 15+ runtime", e);
    }
  }

  /** PKCS#8 PEM of a private key, SubjectPublicKeyInfo PEM of a public one. */
  public static String pem(java.security.Key key) {
    String label = key instanceof PrivateKey ? PRIVATE : PUBLIC;
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END " + label + "-----\n";
  }

  private static byte[] der(Path file, String label) {
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw new IllegalStateException(file + " is larger than " + MAX_FILE_BYTES + " bytes: not a key file");
      }
      text = new String(bytes, StandardCharsets.US_ASCII);
      Arrays.fill(bytes, (byte) 0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getClass().getSimpleName());
    }
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    int to = from < 0 ? -1 : text.indexOf(end, from);
    if (from < 0 || to < 0) {
      throw new IllegalStateException(file + " is not a PEM file with a '" + begin + "' block");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(file + ": the " + label + " block is not base64");
    }
  }
}
