package io.wsgate.policy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where an issuer's verification keys come from; exactly one of the sources is set.
 *
 * @param jwksUrl           JWKS endpoint, fetched without blocking and cached
 * @param jwksRefresh       how often cached JWKS keys are refreshed in the background (null: {@link #DEFAULT_REFRESH})
 * @param jwksMinRefetch    an unknown {@code kid} triggers at most one refetch per this interval
 *                          (null: {@link #DEFAULT_MIN_REFETCH})
 * @param jwksFetchTimeout  longest one JWKS fetch may take, connect to last body byte (null: {@link #DEFAULT_FETCH_TIMEOUT})
 * @param jwkFile           a local JWK or JWK Set file
 * @param generateDevKey    a missing {@code jwkFile} is generated (development key) when the gateway starts
 *                          or reloads; never by {@code policy check}
 * @param pemFile           a local PEM public key (RSA or EC)
 * @param hmacSecretFile    file holding an HMAC secret (never inline in the policy)
 * @param hmacSecretEnv     environment variable holding an HMAC secret
 */
public record KeySource(URI jwksUrl, Duration jwksRefresh, Duration jwksMinRefetch, Duration jwksFetchTimeout,
                        Path jwkFile, boolean generateDevKey, Path pemFile, Path hmacSecretFile, String hmacSecretEnv) {
  public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(10);
  public static final Duration DEFAULT_MIN_REFETCH = Duration.ofSeconds(30);
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(10);
  /** Handshakes waiting for a first key set wait this long at most; longer would only hold them. */
  public static final Duration MAX_FETCH_TIMEOUT = Duration.ofMinutes(1);

  public KeySource {
    if (jwksUrl != null) {
      jwksRefresh = jwksRefresh == null ? DEFAULT_REFRESH : jwksRefresh;
      jwksMinRefetch = jwksMinRefetch == null ? DEFAULT_MIN_REFETCH : jwksMinRefetch;
      jwksFetchTimeout = jwksFetchTimeout == null ? DEFAULT_FETCH_TIMEOUT : jwksFetchTimeout;
    }
  }

  /** A key source that generates nothing. */
  public KeySource(URI jwksUrl, Duration jwksRefresh, Duration jwksMinRefetch, Duration jwksFetchTimeout,
                   Path jwkFile, Path pemFile, Path hmacSecretFile, String hmacSecretEnv) {
    this(jwksUrl, jwksRefresh, jwksMinRefetch, jwksFetchTimeout, jwkFile, false, pemFile, hmacSecretFile, hmacSecretEnv);
  }

  /** A key source with the default JWKS fetch timeout, generating nothing. */
  public KeySource(URI jwksUrl, Duration jwksRefresh, Duration jwksMinRefetch, Path jwkFile, Path pemFile,
                   Path hmacSecretFile, String hmacSecretEnv) {
    this(jwksUrl, jwksRefresh, jwksMinRefetch, null, jwkFile, false, pemFile, hmacSecretFile, hmacSecretEnv);
  }

  public boolean hmac() {
    return hmacSecretFile != null || hmacSecretEnv != null;
  }
}
