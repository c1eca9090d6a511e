package io.wsgate.policy;

import java.util.List;
import java.util.Map;

/**
 * Gateway-wide security settings.
 *
 * @param clients            the first listener's {@code clients} rules ({@code listen.clients})
 * @param recheckOnReload    a reload re-checks live sessions against the new policy (address and
 *                           Origin rules, revoked subjects) and closes those now denied with 1008
 * @param closeRemovedRoutes a reload closes the live sessions of a route it removed, with 1001
 *                           ({@code reload.removedRoutes: close}, the default); false keeps them
 * @param listenerClients    each listener's {@code clients} rules by listener name ({@code listeners:}); a
 *                           listener not in it (every listener of a {@code listen:} policy) has {@code clients}
 */
public record Security(ClientAddresses clients, List<Issuer> issuers, ConnectionLimits connections,
                       boolean recheckOnReload, boolean closeRemovedRoutes, Map<String, ClientAddresses> listenerClients) {
  public Security {
    issuers = List.copyOf(issuers);
    listenerClients = listenerClients == null ? Map.of() : Map.copyOf(listenerClients);
  }

  /** Settings where every listener has the same {@code clients} rules and removed routes' sessions are closed. */
  public Security(ClientAddresses clients, List<Issuer> issuers, ConnectionLimits connections,
                  boolean recheckOnReload) {
    this(clients, issuers, connections, recheckOnReload, true, Map.of());
  }

  /** The {@code clients} rules of the listener named {@code listener}. */
  public ClientAddresses clients(String listener) {
    return listenerClients.getOrDefault(listener, clients);
  }
}
