package io.wsgate.policy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where an issuer's verification keys come from; exactly one of the sources is set.
 *
 * @param jwksUrl           JWKS endpoint, fetched without blocking and cached
 * @param jwksRefresh       how often cached JWKS keys are refreshed in the background
 * @param jwksMinRefetch    an unknown {@code kid} triggers at most one refetch per this interval
 * @param jwksFetchTimeout  longest one JWKS fetch may take, connect to last body byte (null: the default, 10 s)
 * @param jwkFile           a local JWK or JWK Set file
 * @param pemFile           a local PEM public key (RSA or EC)
 * @param hmacSecretFile    file holding an HMAC secret (never inline in the policy)
 * @param hmacSecretEnv     environment variable holding an HMAC secret
 */
public record KeySource(URI jwksUrl, Duration jwksRefresh, Duration jwksMinRefetch, Duration jwksFetchTimeout,
                        Path jwkFile, Path pemFile, Path hmacSecretFile, String hmacSecretEnv) {
  /** A key source with the default JWKS fetch timeout. */
  public KeySource(URI jwksUrl, Duration jwksRefresh, Duration jwksMinRefetch, Path jwkFile, Path pemFile,
                   Path hmacSecretFile, String hmacSecretEnv) {
    this(jwksUrl, jwksRefresh, jwksMinRefetch, null, jwkFile, pemFile, hmacSecretFile, hmacSecretEnv);
  }

  public boolean hmac() {
    return hmacSecretFile != null || hmacSecretEnv != null;
  }
}
