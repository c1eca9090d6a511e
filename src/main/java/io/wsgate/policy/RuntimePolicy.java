package io.wsgate.policy;

import java.util.List;
import java.util.Objects;

/**
 * The part of a policy a reload may change: routes and their rules, limits on sessions, graceful
 * stop, development conveniences and the gateway-wide security settings. What is fixed at start is
 * in {@link StartupSettings}.
 */
public record RuntimePolicy(List<Route> routes, Limits limits, Shutdown shutdown, Dev dev, Security security) {
  public RuntimePolicy {
    routes = List.copyOf(routes);
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(dev, "dev");
    Objects.requireNonNull(security, "security");
  }
}
