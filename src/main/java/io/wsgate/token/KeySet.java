package io.wsgate.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.wsgate.policy.SigningAlgorithm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One issuer's verification keys, each with its verifier built once. Immutable; replaced whole
 * when a JWKS refresh brings new keys.
 *
 * <p>Key selection ({@link #candidates}): a token's {@code kid} picks the keys with that id that
 * fit the token's algorithm. Without a {@code kid}, or when no key carries that id, the one key
 * that fits the algorithm and has no id of its own is used (PEM files and HMAC secrets cannot carry
 * an id); a token without {@code kid} may also use the one fitting key whatever its id. Anything
 * else selects nothing.
 */
final class KeySet {
  /** No issuer needs more; a JWKS with more keys is refused. */
  static final int MAX_KEYS = 100;
  static final int MIN_RSA_BITS = 2048;

  record Entry(String kid, JWK jwk, JWSVerifier verifier) {
    /** The key's type (and curve) suits the algorithm, and its optional {@code alg} equals it. */
    boolean fits(JWSAlgorithm alg) {
      if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(alg.getName())) {
        return false;
      }
      SigningAlgorithm known = SigningAlgorithm.byName(alg.getName()).orElse(null);
      if (known == null) {
        return false;
      }
      return switch (known.family()) {
        case RSA -> jwk instanceof RSAKey;
        case EC -> jwk instanceof ECKey ec && ec.getCurve().getName().equals(known.curve());
        case EDDSA -> jwk instanceof OctetKeyPair okp && okp.getCurve().getName().equals(known.curve());
        case HMAC -> jwk instanceof OctetSequenceKey;
      };
    }
  }

  private final List<Entry> entries;
  private final Set<String> kids;

  private KeySet(List<Entry> entries) {
    this.entries = List.copyOf(entries);
    Set<String> ids = new HashSet<>();
    for (Entry e : entries) {
      if (e.kid() != null) {
        ids.add(e.kid());
      }
    }
    this.kids = Set.copyOf(ids);
  }

  /**
   * Keys from the operator's own files: every key must be usable for signatures.
   *
   * @throws IllegalArgumentException naming the first unusable key by position and kid, never its material
   */
  static KeySet strict(List<JWK> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("contains no key");
    }
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("contains " + keys.size() + " keys, at most " + MAX_KEYS + " allowed");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      JWK jwk = keys.get(i);
      String problem = problem(jwk);
      if (problem != null) {
        throw new IllegalArgumentException("key " + i + (jwk.getKeyID() == null ? "" : " (kid " + jwk.getKeyID() + ")")
            + ": " + problem);
      }
      entries.add(entry(jwk));
    }
    return new KeySet(entries);
  }

  /**
   * Keys from a JWKS endpoint: public asymmetric signature keys are kept, anything else (symmetric
   * keys, encryption keys, weak RSA, unsupported types) is skipped.
   *
   * @throws IllegalArgumentException if more than {@link #MAX_KEYS} keys or none usable
   */
  static KeySet lenient(List<JWK> keys) {
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("JWK Set has " + keys.size() + " keys, at most " + MAX_KEYS + " allowed");
    }
    List<Entry> entries = new ArrayList<>();
    for (JWK jwk : keys) {
      if (jwk instanceof OctetSequenceKey) {
        continue; // a secret served over the network is nobody's secret
      }
      JWK pub = jwk.toPublicJWK();
      if (pub != null && problem(pub) == null) {
        entries.add(entry(pub));
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("JWK Set has no usable signature key");
    }
    return new KeySet(entries);
  }

  private static String problem(JWK jwk) {
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      return "use is not sig";
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      return "key_ops does not include verify";
    }
    if (jwk instanceof RSAKey rsa) {
      return rsa.size() < MIN_RSA_BITS ? "RSA key shorter than " + MIN_RSA_BITS + " bits" : null;
    }
    if (jwk instanceof ECKey ec) {
      Curve c = ec.getCurve();
      return Curve.P_256.equals(c) || Curve.P_384.equals(c) || Curve.P_521.equals(c) ? null
          : "unsupported EC curve " + c;
    }
    if (jwk instanceof OctetSequenceKey oct) {
      return oct.size() < 256 ? "HMAC secret shorter than 32 bytes" : null;
    }
    if (jwk instanceof OctetKeyPair okp) {
      return Curve.Ed25519.equals(okp.getCurve()) ? null : "unsupported OKP curve " + okp.getCurve()
          + " (EdDSA tokens are verified with Ed25519 keys only)";
    }
    return "unsupported key type " + jwk.getKeyType();
  }

  private static Entry entry(JWK jwk) {
    try {
      JWSVerifier verifier;
      if (jwk instanceof RSAKey rsa) {
        verifier = new RSASSAVerifier(rsa.toRSAPublicKey());
      } else if (jwk instanceof ECKey ec) {
        verifier = new ECDSAVerifier(ec.toECPublicKey());
      } else if (jwk instanceof OctetKeyPair okp) {
        verifier = new Ed25519Verifier(okp.toPublicJWK());
      } else {
        verifier = new MACVerifier(((OctetSequenceKey) jwk).toByteArray());
      }
      return new Entry(jwk.getKeyID(), jwk, verifier);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable key" + (jwk.getKeyID() == null ? "" : " (kid " + jwk.getKeyID() + ")"));
    }
  }

  /** The keys to try for a token with this algorithm and (nullable) kid; empty if none fits. */
  List<Entry> candidates(JWSAlgorithm alg, String kid) {
    List<Entry> fitting = new ArrayList<>(2);
    for (Entry e : entries) {
      if (e.fits(alg)) {
        fitting.add(e);
      }
    }
    if (kid != null) {
      List<Entry> byKid = new ArrayList<>(1);
      List<Entry> anonymous = new ArrayList<>(1);
      for (Entry e : fitting) {
        if (kid.equals(e.kid())) {
          byKid.add(e);
        } else if (e.kid() == null) {
          anonymous.add(e);
        }
      }
      return !byKid.isEmpty() ? byKid : anonymous.size() == 1 ? anonymous : List.of();
    }
    return fitting.size() == 1 ? fitting : List.of();
  }

  /** Some key, of any type, carries this id. */
  boolean knows(String kid) {
    return kids.contains(kid);
  }

  /** At least one key fits at least one of the algorithms. */
  boolean fitsAny(Set<JWSAlgorithm> algorithms) {
    for (Entry e : entries) {
      for (JWSAlgorithm alg : algorithms) {
        if (e.fits(alg)) {
          return true;
        }
      }
    }
    return false;
  }

  int size() {
    return entries.size();
  }
}
