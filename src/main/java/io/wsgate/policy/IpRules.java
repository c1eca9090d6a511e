package io.wsgate.policy;

import java.util.List;

/**
 * Source address rules. A deny match refuses; otherwise the address must match an allow entry.
 * An empty allow list therefore refuses everything (closed by default).
 */
public record IpRules(List<Cidr> allow, List<Cidr> deny, Mode mode) {
  public IpRules {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
  }

  public boolean permits(byte[] address) {
    for (Cidr cidr : deny) {
      if (cidr.matches(address)) {
        return false;
      }
    }
    for (Cidr cidr : allow) {
      if (cidr.matches(address)) {
        return true;
      }
    }
    return false;
  }
}
