package io.wsgate.policy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

/** Checks the verification keys an issuer names in local files, when the policy is loaded. */
final class KeyFiles {
  static final int MAX_BYTES = 1 << 20;

  private KeyFiles() {
  }

  /** A JWK Set ({@code {"keys": [...]}}) or a single JWK. @throws IllegalArgumentException naming the problem */
  static List<JWK> jwkFile(Path file) {
    String text = read(file);
    List<JWK> keys;
    try {
      Map<String, Object> json = JSONObjectUtils.parse(text);
      keys = json.containsKey("keys") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JWK or JWK Set: " + e.getMessage() + " (" + file + ")");
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("the JWK Set holds no keys (" + file + ")");
    }
    for (JWK key : keys) {
      if (!(key instanceof RSAKey || key instanceof ECKey || key instanceof OctetKeyPair)) {
        throw new IllegalArgumentException("holds a " + key.getKeyType() + " key; only public-key types (RSA, EC,"
            + " OKP) verify here, HMAC secrets go in hmacSecretFile or hmacSecretEnv (" + file + ")");
      }
    }
    return keys;
  }

  /** A PEM public key, certificate or key pair (RSA or EC). @throws IllegalArgumentException naming the problem */
  static List<JWK> pemFile(Path file) {
    String text = read(file);
    try {
      return List.of(JWK.parseFromPEMEncodedObjects(text));
    } catch (JOSEException | RuntimeException e) {
      throw new IllegalArgumentException("not a PEM public key or certificate: " + e.getMessage() + " (" + file + ")");
    }
  }

  private static String read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new IllegalArgumentException("larger than " + MAX_BYTES + " bytes (" + file + ")");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** True when {@code key} can verify a JWS signed with {@code algorithm}. */
  static boolean canVerify(JWK key, String algorithm) {
    if (key.getKeyUse() != null && !key.getKeyUse().equals(KeyUse.SIGNATURE)) {
      return false;
    }
    if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(algorithm)) {
      return false;
    }
    SigningAlgorithm alg = SigningAlgorithm.byName(algorithm).orElse(null);
    if (alg == null) {
      return false;
    }
    return switch (alg.family()) {
      case RSA -> key instanceof RSAKey;
      case EC -> key instanceof ECKey ec && ec.getCurve().getName().equals(alg.curve());
      case EDDSA -> key instanceof OctetKeyPair okp && okp.getCurve().getName().equals(alg.curve());
      case HMAC -> false;
    };
  }

  /** {@code RSA}, {@code EC P-256}, {@code OKP Ed25519}, with the key's own alg / use when set. */
  static String describe(JWK key) {
    StringBuilder out = new StringBuilder(key.getKeyType().getValue());
    if (key instanceof ECKey ec) {
      out.append(' ').append(ec.getCurve());
    } else if (key instanceof OctetKeyPair okp) {
      out.append(' ').append(okp.getCurve());
    }
    if (key.getAlgorithm() != null) {
      out.append(" alg ").append(key.getAlgorithm().getName());
    }
    if (key.getKeyUse() != null) {
      out.append(" use ").append(key.getKeyUse().getValue());
    }
    return out.toString();
  }
}
