package io.wsgate.policy;

import java.util.List;

/**
 * How the gateway decides who the client is, at the listener ({@code listen.clients}; its
 * {@code proxyProtocol} is fixed at start, in {@link StartupSettings}).
 *
 * @param ipRules        listener-wide address rules (required: list what may connect)
 * @param trustedProxies only when the direct peer is one of these are {@code X-Forwarded-For} /
 *                       {@code Forwarded} (or a PROXY protocol header) believed (rightmost untrusted hop)
 */
public record ClientAddresses(IpRules ipRules, List<Cidr> trustedProxies) {
  public ClientAddresses {
    trustedProxies = List.copyOf(trustedProxies);
  }
}
