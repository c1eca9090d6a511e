package io.wsgate.handshake;

import io.netty.util.NetUtil;
import io.vertx.core.MultiMap;
import io.wsgate.policy.Cidr;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides who the client is. Forwarding headers are believed only when the direct peer is a
 * trusted proxy; then the client is the rightmost hop that is not itself a trusted proxy (each
 * proxy appends the address it saw, so everything left of an untrusted hop may be forged).
 * {@code Forwarded} (RFC 7239) wins over {@code X-Forwarded-For} when both are present.
 */
public final class ClientAddressResolver {
  private final List<Cidr> trustedProxies;

  public ClientAddressResolver(List<Cidr> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /**
   * @param peerIp     the TCP peer
   * @param declaredIp the source a PROXY protocol header declared (equal to {@code peerIp} without one)
   * @return the client IP (textual, canonical)
   */
  public String resolve(String peerIp, String declaredIp, MultiMap headers) {
    if (trustedProxies.isEmpty() || !trusted(peerIp)) {
      return peerIp;
    }
    if (!declaredIp.equals(peerIp)) {
      // A trusted load balancer spoke PROXY protocol: its declaration is the client (it carries
      // no forwarding headers of its own at the TCP level).
      return declaredIp;
    }
    List<String> hops = forwardedHops(headers);
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i);
      byte[] bytes = NetUtil.createByteArrayFromIpAddressString(hop);
      if (bytes == null) {
        // An unparsable hop ("unknown", an obfuscated id, garbage): stop trusting further left.
        return peerIp;
      }
      if (!matchesTrusted(bytes)) {
        return NetUtil.bytesToIpAddress(bytes);
      }
    }
    return peerIp;
  }

  private boolean trusted(String ip) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
    return bytes != null && matchesTrusted(bytes);
  }

  private boolean matchesTrusted(byte[] address) {
    for (Cidr cidr : trustedProxies) {
      if (cidr.matches(address)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> forwardedHops(MultiMap headers) {
    List<String> hops = new ArrayList<>();
    List<String> forwarded = headers.getAll("forwarded");
    if (!forwarded.isEmpty()) {
      for (String header : forwarded) {
        for (String element : header.split(",")) {
          for (String pair : element.split(";")) {
            String p = pair.trim();
            if (p.regionMatches(true, 0, "for=", 0, 4)) {
              hops.add(stripForwardedNode(p.substring(4).trim()));
            }
          }
        }
      }
      return hops;
    }
    for (String header : headers.getAll("x-forwarded-for")) {
      for (String hop : header.split(",")) {
        hops.add(hop.trim());
      }
    }
    return hops;
  }

  /** RFC 7239 §6: {@code "[2001:db8::1]:4711"}, {@code 192.0.2.43:80}, quoted or not. */
  private static String stripForwardedNode(String node) {
    String n = node;
    if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
      n = n.substring(1, n.length() - 1);
    }
    if (n.startsWith("[")) {
      int close = n.indexOf(']');
      return close > 0 ? n.substring(1, close) : n;
    }
    int colon = n.indexOf(':');
    return colon > 0 && n.indexOf(':', colon + 1) < 0 ? n.substring(0, colon) : n;
  }
}
