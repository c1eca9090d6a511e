package io.wsgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Reads an HMAC issuer's secret the one way the loader checks it and the token verifier uses it:
 * the file's bytes, or the environment variable's UTF-8 bytes, minus one trailing {@code \n} or
 * {@code \r\n}. Policies never hold secrets inline, and records keep only the file path or the
 * variable name. Error messages name the file or variable, never the secret.
 *
 * <pre>{@code
 * byte[] secret = HmacSecrets.read(issuer.keys()); // then new MACVerifier(secret); Arrays.fill(secret, (byte) 0)
 * }</pre>
 */
public final class HmacSecrets {
  static final int MAX_FILE_BYTES = 64 << 10;

  private HmacSecrets() {
  }

  /** The shortest secret usable with {@code algorithm} (HS256: 32, HS384: 48, HS512: 64 bytes); 0 if not HMAC. */
  public static int minBytes(String algorithm) {
    return SigningAlgorithm.byName(algorithm).map(SigningAlgorithm::minSecretBytes).orElse(0);
  }

  /**
   * @return the secret; the caller should zero it once a verifier holds it
   * @throws IllegalStateException when the source is not HMAC, or the secret is missing or unreadable
   */
  public static byte[] read(KeySource keys) {
    return read(keys, System::getenv);
  }

  public static byte[] read(KeySource keys, Function<String, String> env) {
    if (keys.hmacSecretFile() != null) {
      try (InputStream in = Files.newInputStream(keys.hmacSecretFile())) {
        byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        if (bytes.length > MAX_FILE_BYTES) {
          Arrays.fill(bytes, (byte) 0);
          throw new IllegalStateException(keys.hmacSecretFile() + " is larger than " + MAX_FILE_BYTES
              + " bytes (the file must hold only the secret)");
        }
        return stripNewline(bytes);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + keys.hmacSecretFile() + ": " + e.getClass().getSimpleName());
      }
    }
    if (keys.hmacSecretEnv() != null) {
      String value = env.apply(keys.hmacSecretEnv());
      if (value == null) {
        throw new IllegalStateException("environment variable " + keys.hmacSecretEnv() + " is not set");
      }
      return stripNewline(value.getBytes(StandardCharsets.UTF_8));
    }
    throw new IllegalStateException("not an HMAC key source");
  }

  /** One trailing {@code \n} or {@code \r\n} is not part of a secret; the original array is wiped. */
  static byte[] stripNewline(byte[] bytes) {
    int n = bytes.length;
    if (n > 0 && bytes[n - 1] == '\n') {
      n--;
      if (n > 0 && bytes[n - 1] == '\r') {
        n--;
      }
    }
    if (n == bytes.length) {
      return bytes;
    }
    byte[] out = Arrays.copyOf(bytes, n);
    Arrays.fill(bytes, (byte) 0);
    return out;
  }
}
