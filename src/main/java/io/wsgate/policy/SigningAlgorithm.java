package io.wsgate.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The JWS algorithms an issuer may list in {@code algorithms:}: the one definition that the loader,
 * the token verifier, {@code gateway.schema.json} (its {@code algorithms} enum, checked by a test)
 * and {@code policies/README.md} follow. {@code none} is never one of them.
 *
 * <pre>{@code
 * SigningAlgorithm alg = SigningAlgorithm.byName("ES256").orElseThrow();
 * alg.family();   // EC
 * alg.curve();    // "P-256"
 * }</pre>
 */
public enum SigningAlgorithm {
  RS256(Family.RSA), RS384(Family.RSA), RS512(Family.RSA),
  PS256(Family.RSA), PS384(Family.RSA), PS512(Family.RSA),
  ES256(Family.EC, "P-256"), ES384(Family.EC, "P-384"), ES512(Family.EC, "P-521"),
  /** Ed25519 only (RFC 8037); Ed448 keys are not accepted: Nimbus verifies Ed25519 alone. */
  EdDSA(Family.EDDSA, "Ed25519"),
  HS256(Family.HMAC, 32), HS384(Family.HMAC, 48), HS512(Family.HMAC, 64);

  /** What kind of key verifies the algorithm. */
  public enum Family { RSA, EC, EDDSA, HMAC }

  /** Every algorithm, in the order the docs and the schema list them. */
  public static final List<SigningAlgorithm> ALL = List.of(values());
  /** Their JWS names ({@code alg} header values). */
  public static final List<String> NAMES = ALL.stream().map(Enum::name).toList();

  private final Family family;
  private final String curve;
  private final int minSecretBytes;

  SigningAlgorithm(Family family) {
    this(family, null, 0);
  }

  SigningAlgorithm(Family family, String curve) {
    this(family, curve, 0);
  }

  SigningAlgorithm(Family family, int minSecretBytes) {
    this(family, null, minSecretBytes);
  }

  SigningAlgorithm(Family family, String curve, int minSecretBytes) {
    this.family = family;
    this.curve = curve;
    this.minSecretBytes = minSecretBytes;
  }

  /** The algorithm with this exact JWS name; empty for anything else, {@code none} included. */
  public static Optional<SigningAlgorithm> byName(String name) {
    return Arrays.stream(values()).filter(a -> a.name().equals(name)).findFirst();
  }

  public Family family() {
    return family;
  }

  /** The JWK curve name an EC or OKP key must have ({@code P-256}, {@code Ed25519}); null for RSA and HMAC. */
  public String curve() {
    return curve;
  }

  public boolean hmac() {
    return family == Family.HMAC;
  }

  /** RFC 7518 §3.2: an HMAC key at least as long as the hash output; 0 for the others. */
  public int minSecretBytes() {
    return minSecretBytes;
  }
}
