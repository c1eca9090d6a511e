package io.wsgate.policy;

import java.util.List;

/**
 * Gateway-wide security settings.
 *
 * @param recheckOnReload      a reload re-checks live sessions against the new policy (address and
 *                             Origin rules, revoked subjects) and closes those now denied with 1008
 * @param closeRemovedRoutes   a reload closes the live sessions of a route it removed, with 1001
 *                             ({@code reload.removedRoutes: close}, the default); false keeps them
 */
public record Security(ClientAddresses clients, List<Issuer> issuers, ConnectionLimits connections,
                       boolean recheckOnReload, boolean closeRemovedRoutes) {
  public Security {
    issuers = List.copyOf(issuers);
  }

  /** Sessions of a removed route are closed on reload (the default). */
  public Security(ClientAddresses clients, List<Issuer> issuers, ConnectionLimits connections,
                  boolean recheckOnReload) {
    this(clients, issuers, connections, recheckOnReload, true);
  }
}
