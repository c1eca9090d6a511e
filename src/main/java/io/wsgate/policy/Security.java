package io.wsgate.policy;

import java.util.List;

/**
 * Gateway-wide security settings.
 *
 * @param recheckOnReload a reload re-checks live sessions against the new policy (address and
 *                        Origin rules, revoked subjects) and closes those now denied with 1008
 */
public record Security(ClientAddresses clients, List<Issuer> issuers, ConnectionLimits connections,
                       boolean recheckOnReload) {
  public Security {
    issuers = List.copyOf(issuers);
  }
}
