package io.wsgate.metrics;

import java.util.Set;

/** The JWKS fetch counts of the policy in force, by issuer, as the metrics read them at each scrape. */
public interface JwksCounts {
  /** The issuers of the policy in force that fetch a JWKS. */
  Set<String> issuers();

  long fetches(String issuer);

  long failures(String issuer);
}
