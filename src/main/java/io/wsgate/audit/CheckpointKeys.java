package io.wsgate.audit;

import io.wsgate.policy.Ed25519Keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;
import javax.crypto.Mac;

/**
 * What {@code audit verify} checks checkpoint signatures with: the audit HMAC key, an Ed25519
 * public key, both or neither. Once a key is given, every checkpoint must carry a valid signature
 * of a kind a given key checks; with none, signatures are not checked (and verify says so).
 *
 * <pre>{@code
 * CheckpointKeys keys = new CheckpointKeys(mac, Ed25519Keys.readPublic(Path.of("checkpoint.pub")));
 * }</pre>
 *
 * @param hmac    HMAC-SHA256 with the audit key, or null
 * @param ed25519 the checkpoint key's public half, or null
 */
public record CheckpointKeys(Mac hmac, PublicKey ed25519) {
  public static final CheckpointKeys NONE = new CheckpointKeys(null, null);

  public boolean any() {
    return hmac != null || ed25519 != null;
  }

  /** What is wrong with this signed checkpoint; null when valid, or when no key was given (not checked). */
  String problem(Checkpoint.Signed signed) {
    if (!any()) {
      return null;
    }
    String alg = signed.checkpoint().alg();
    if (Checkpoint.NONE.equals(alg) || signed.sigHex() == null) {
      return "not signed (alg " + AuditFormat.safe(alg) + "), but a checkpoint key was given";
    }
    byte[] data = signed.signedText().getBytes(StandardCharsets.UTF_8);
    byte[] sig;
    try {
      sig = HexFormat.of().parseHex(signed.sigHex());
    } catch (IllegalArgumentException e) {
      return "signature is not hex";
    }
    if (Checkpoint.HS256.equals(alg) && hmac != null) {
      return MessageDigest.isEqual(hmac.doFinal(data), sig) ? null : "signature mismatch (HS256)";
    }
    if (Ed25519Keys.ALGORITHM.equals(alg) && ed25519 != null) {
      try {
        Signature verifier = Signature.getInstance(Ed25519Keys.ALGORITHM);
        verifier.initVerify(ed25519);
        verifier.update(data);
        return verifier.verify(sig) ? null : "signature mismatch (Ed25519)";
      } catch (GeneralSecurityException e) {
        return "signature mismatch (Ed25519)";
      }
    }
    return "signed with " + AuditFormat.safe(alg) + ", which no given key checks ("
        + (Checkpoint.HS256.equals(alg) ? "give --hmac-key-file or --hmac-key-env" : "give --checkpoint-public-key")
        + ")";
  }
}
