package io.wsgate.audit;

import io.wsgate.policy.Ed25519Keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.HexFormat;
import javax.crypto.Mac;

/**
 * Signs checkpoint lines: with an Ed25519 private key (anyone holding the public key can check,
 * nobody else can sign), with the audit HMAC key (only key holders can check or sign), or not at
 * all. Confined to the audit writer's thread.
 */
final class CheckpointSigner {
  static final CheckpointSigner NONE = new CheckpointSigner(Checkpoint.NONE, null, null);

  private final String alg;
  private final Mac mac;
  private final Signature ed25519;

  private CheckpointSigner(String alg, Mac mac, Signature ed25519) {
    this.alg = alg;
    this.mac = mac;
    this.ed25519 = ed25519;
  }

  /** @param mac an HMAC-SHA256 keyed with the audit key, used by this signer only */
  static CheckpointSigner hmac(Mac mac) {
    return new CheckpointSigner(Checkpoint.HS256, mac, null);
  }

  static CheckpointSigner ed25519(PrivateKey key) {
    try {
      Signature signature = Signature.getInstance(Ed25519Keys.ALGORITHM);
      signature.initSign(key);
      return new CheckpointSigner(Ed25519Keys.ALGORITHM, null, signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the checkpoint key cannot sign with Ed25519: " + e.getClass().getSimpleName());
    }
  }

  String alg() {
    return alg;
  }

  /** The checkpoint's line, signed. */
  String line(Checkpoint checkpoint) {
    String unsigned = checkpoint.unsignedLine();
    byte[] data = unsigned.getBytes(StandardCharsets.UTF_8);
    if (mac != null) {
      return Checkpoint.withSignature(unsigned, HexFormat.of().formatHex(mac.doFinal(data)));
    }
    if (ed25519 != null) {
      try {
        ed25519.update(data);
        return Checkpoint.withSignature(unsigned, HexFormat.of().formatHex(ed25519.sign()));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("Ed25519 signing failed: " + e.getClass().getSimpleName());
      }
    }
    return unsigned;
  }
}
