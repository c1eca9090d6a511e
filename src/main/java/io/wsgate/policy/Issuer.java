package io.wsgate.policy;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A trusted token issuer.
 *
 * @param name           how routes refer to it
 * @param issuer         the exact {@code iss} claim value
 * @param audiences      accepted {@code aud} values (the token must carry at least one)
 * @param algorithms     JWS algorithms accepted from this issuer; never {@code none}, and HMAC
 *                       algorithms only with an HMAC key source
 * @param clockSkew      tolerance on {@code exp} / {@code nbf}
 * @param maxTokenBytes  longer tokens are refused before any parsing
 * @param requiredClaims claims that must be present
 */
public record Issuer(String name, String issuer, List<String> audiences, Set<String> algorithms, KeySource keys,
                     Duration clockSkew, int maxTokenBytes, List<String> requiredClaims) {
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_TOKEN_BYTES = 8192;
  public static final List<String> ALWAYS_REQUIRED_CLAIMS = List.of("sub", "exp");

  /** @throws IllegalArgumentException for an algorithm that is not a {@link SigningAlgorithm} ({@code none} included) */
  public Issuer {
    audiences = List.copyOf(audiences);
    algorithms = Set.copyOf(algorithms);
    for (String alg : algorithms) {
      if (SigningAlgorithm.byName(alg).isEmpty()) {
        throw new IllegalArgumentException("issuer " + name + ": unknown algorithm " + alg);
      }
    }
    requiredClaims = List.copyOf(requiredClaims);
  }

  /** {@link #algorithms()} as the enum. */
  public Set<SigningAlgorithm> signingAlgorithms() {
    return algorithms.stream().map(a -> SigningAlgorithm.byName(a).orElseThrow())
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }
}
