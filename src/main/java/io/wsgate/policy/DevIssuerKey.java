package io.wsgate.policy;

import io.wsgate.demo.PrivateFiles;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The development token issuer's signing key: an EC P-256 JWK Set with one key ({@code kid}
 * {@value #KEY_ID}, {@code alg} ES256, {@code use} sig), private part included so that
 * {@code wsgate dev-token} can sign with it. The gateway only ever verifies with the public part.
 * Generated when a policy says {@code keys: { jwkFile: ..., generateDevKey: true }} and the file is
 * missing; never use such an issuer in production.
 *
 * <pre>{@code
 * DevIssuerKey.ensure(Path.of("certs-dev/dev-issuer.jwk.json"));
 * ECKey key = JWKSet.load(file.toFile()).getKeyByKeyId(DevIssuerKey.KEY_ID).toECKey();
 * }</pre>
 */
public final class DevIssuerKey {
  public static final String KEY_ID = "dev-1";
  public static final SigningAlgorithm ALGORITHM = SigningAlgorithm.ES256;

  private DevIssuerKey() {
  }

  /**
   * Generates the key file unless it exists. The file appears complete or not at all (written
   * beside it, then linked into place), owner-only ({@code rw-------}), and is never replaced: if
   * another process creates it first, that one is kept.
   *
   * @return true if this call generated the file, false if it already existed (it is not inspected)
   * @throws UncheckedIOException if the file cannot be written
   */
  public static boolean ensure(Path file) {
    if (Files.exists(file)) {
      return false;
    }
    byte[] json = (JSONObjectUtils.toJSONString(new JWKSet(newKey()).toJSONObject(false)) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    try {
      return PrivateFiles.createNew(file, json, "rw-------");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write development issuer key " + file, e);
    }
  }

  private static ECKey newKey() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(KEY_ID).algorithm(JWSAlgorithm.ES256).keyUse(KeyUse.SIGNATURE)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("EC P-256 is not available", e);
    }
  }
}
