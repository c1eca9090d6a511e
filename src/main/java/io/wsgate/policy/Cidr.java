package io.wsgate.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare address is a /32 or
 * /128. IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3}) match IPv4 networks.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /** @throws IllegalArgumentException with a message naming the bad part */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    // Only literal forms: dotted-quad IPv4 (no legacy "10" or "10.1" forms, which the JDK would
    // accept) and IPv6 with colons. Anything else could send InetAddress to DNS.
    boolean v6 = address.indexOf(':') >= 0;
    if (address.isEmpty() || !(v6 ? address.matches("[0-9A-Fa-f:][0-9A-Fa-f:.]*") : isDottedQuad(address))) {
      throw new IllegalArgumentException("not an IP address or CIDR: \"" + text + "\"");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address or CIDR: \"" + text + "\"");
    }
    // The JDK hands an IPv4-mapped IPv6 literal (::ffff:a.b.c.d) back as IPv4: keep it IPv4, which
    // also matches mapped client addresses, and shift its prefix out of the 96 mapping bits.
    int mapped = v6 && bytes.length == 4 ? 96 : 0;
    int max = bytes.length * 8 + mapped;
    int prefix = max;
    if (slash >= 0) {
      String digits = s.substring(slash + 1);
      try {
        if (!digits.matches("[0-9]{1,3}")) {
          throw new NumberFormatException(digits);
        }
        prefix = Integer.parseInt(digits);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("prefix length must be 0.." + max + " in \"" + text + "\"");
      }
    }
    if (prefix < mapped) {
      throw new IllegalArgumentException("an IPv4-mapped network needs a prefix length of 96..128 in \"" + text + "\"");
    }
    return new Cidr(mask(bytes, prefix - mapped), prefix - mapped, s);
  }

  private static boolean isDottedQuad(String address) {
    String[] parts = address.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (!part.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  public boolean matches(byte[] address) {
    byte[] a = address;
    if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
      a = new byte[] {a[12], a[13], a[14], a[15]};
    }
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    return rest == 0 || ((a[full] ^ network[full]) & (0xFF << (8 - rest)) & 0xFF) == 0;
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - bits)));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr other && other.prefix == prefix && java.util.Arrays.equals(other.network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefix;
  }
}
