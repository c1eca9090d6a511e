package io.wsgate.policy;

import java.util.List;

/**
 * How the gateway decides who the client is, at the listener.
 *
 * @param ipRules        listener-wide address rules (required: list what may connect)
 * @param trustedProxies only when the direct peer is one of these are {@code X-Forwarded-For} /
 *                       {@code Forwarded} believed (rightmost untrusted hop)
 * @param proxyProtocol  expect a HAProxy PROXY v1/v2 header on every connection (only from a
 *                       load balancer that always sends it)
 */
public record ClientAddresses(IpRules ipRules, List<Cidr> trustedProxies, boolean proxyProtocol) {
  public ClientAddresses {
    trustedProxies = List.copyOf(trustedProxies);
  }
}
