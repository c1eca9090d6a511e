package io.wsgate;

import io.wsgate.audit.AuditLog;
import io.wsgate.handshake.ClientAddressResolver;
import io.wsgate.handshake.HandshakePipeline;
import io.wsgate.handshake.IpGuard;
import io.wsgate.handshake.MonitorLog;
import io.wsgate.handshake.OriginGuard;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.upstream.UpstreamPool;

import java.util.ArrayList;
import java.util.List;

/**
 * A policy snapshot with everything derived from it built once (pools, guard pipeline), so the
 * request path only reads final fields. Swapped whole on reload.
 */
public final class CompiledPolicy {
  private final GatewayPolicy policy;
  private final RoutePlan[] exact;
  private final RoutePlan[] prefix;
  private final HandshakePipeline pipeline;
  private final ClientAddressResolver clientAddresses;

  public CompiledPolicy(GatewayPolicy policy, int demoPort, AuditLog audit) {
    this.policy = policy;
    MonitorLog monitor = (request, reason) -> audit.monitored(request.requestId(), request.clientIp(), request.path(),
        reason, null);
    this.pipeline = new HandshakePipeline(List.of(
        new IpGuard(policy.security().clients().ipRules(), monitor),
        new OriginGuard(monitor)));
    this.clientAddresses = new ClientAddressResolver(policy.security().clients().trustedProxies());
    List<RoutePlan> exactList = new ArrayList<>();
    List<RoutePlan> prefixList = new ArrayList<>();
    policy.routes().forEach(route -> (route.prefix() ? prefixList : exactList)
        .add(new RoutePlan(route, new UpstreamPool(route, demoPort))));
    // Longest prefix first, so /chat/admin wins over /chat.
    prefixList.sort((a, b) -> Integer.compare(b.route().path().length(), a.route().path().length()));
    this.exact = exactList.toArray(new RoutePlan[0]);
    this.prefix = prefixList.toArray(new RoutePlan[0]);
  }

  public GatewayPolicy policy() {
    return policy;
  }

  public ClientAddressResolver clientAddresses() {
    return clientAddresses;
  }

  public HandshakePipeline pipeline() {
    return pipeline;
  }

  /** Exact routes win over prefix routes; among prefixes the longest wins. Null: no route. */
  public RoutePlan match(String path) {
    for (RoutePlan plan : exact) {
      if (plan.route().matches(path)) {
        return plan;
      }
    }
    for (RoutePlan plan : prefix) {
      if (plan.route().matches(path)) {
        return plan;
      }
    }
    return null;
  }
}
