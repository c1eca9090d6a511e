package io.wsgate.token;

import io.wsgate.policy.HmacSecrets;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import io.wsgate.policy.KeySource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads an issuer's keys from files or the environment. Blocking: called through
 * {@code executeBlocking}. Error messages name the source (file, variable) and never any key material.
 */
final class LocalKeys {
  static final int MAX_FILE_BYTES = 1 << 20;
  static final int MIN_HMAC_BYTES = 32;
  static final int MAX_HMAC_BYTES = 4096;

  private LocalKeys() {
  }

  /** @throws IllegalArgumentException if the source cannot be read or holds no usable key */
  static KeySet load(KeySource source, Function<String, String> env) {
    if (source.jwkFile() != null) {
      return strict(jwkFile(source.jwkFile()), "keys.jwkFile " + source.jwkFile());
    }
    if (source.pemFile() != null) {
      return strict(pemFile(source.pemFile()), "keys.pemFile " + source.pemFile());
    }
    byte[] secret;
    try {
      // Read exactly as the policy loader checked it (one trailing newline is not part of it).
      secret = HmacSecrets.read(source, env);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(where(source) + ": " + e.getMessage());
    }
    try {
      if (secret.length < MIN_HMAC_BYTES) {
        throw new IllegalArgumentException(where(source) + ": HMAC secret has " + secret.length
            + " bytes, at least " + MIN_HMAC_BYTES + " required");
      }
      return strict(List.of(new OctetSequenceKey.Builder(secret).build()), where(source));
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private static String where(KeySource source) {
    return source.hmacSecretFile() != null ? "keys.hmacSecretFile " + source.hmacSecretFile()
        : "keys.hmacSecretEnv " + source.hmacSecretEnv();
  }

  /** A JWK Set ({@code {"keys": [...]}}) or a single JWK; private members are dropped. */
  static List<JWK> jwkFile(Path file) {
    String text = text(file, "keys.jwkFile");
    try {
      Map<String, Object> json = com.nimbusds.jose.util.JSONObjectUtils.parse(text);
      List<JWK> keys = json.containsKey("keys") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
      return publicParts(keys, "keys.jwkFile " + file);
    } catch (ParseException e) {
      throw new IllegalArgumentException("keys.jwkFile " + file + ": not a JWK or JWK Set");
    }
  }

  /** PEM public key, certificate or key pair (RSA or EC); the public part is used. */
  static List<JWK> pemFile(Path file) {
    String text = text(file, "keys.pemFile");
    try {
      return publicParts(List.of(JWK.parseFromPEMEncodedObjects(text)), "keys.pemFile " + file);
    } catch (JOSEException | RuntimeException e) {
      throw new IllegalArgumentException("keys.pemFile " + file + ": no RSA or EC key in PEM");
    }
  }

  private static List<JWK> publicParts(List<JWK> keys, String where) {
    List<JWK> out = new ArrayList<>(keys.size());
    for (JWK jwk : keys) {
      JWK pub = jwk.toPublicJWK();
      if (pub == null) {
        throw new IllegalArgumentException(where + ": holds a symmetric key; HMAC secrets belong in "
            + "keys.hmacSecretFile or keys.hmacSecretEnv");
      }
      out.add(pub);
    }
    return out;
  }

  private static KeySet strict(List<JWK> keys, String where) {
    try {
      return KeySet.strict(keys);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static String text(Path file, String field) {
    return new String(bytes(file, field, MAX_FILE_BYTES), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(Path file, String field, int max) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] data = in.readNBytes(max + 1);
      if (data.length > max) {
        throw new IllegalArgumentException(field + " " + file + ": larger than " + max + " bytes");
      }
      return data;
    } catch (IOException e) {
      throw new IllegalArgumentException(field + " " + file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
  }


}
