package io.wsgate.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.util.NetUtil;
import io.vertx.core.MultiMap;
import io.wsgate.policy.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Fuzz targets for who the client is: {@link ClientAddressResolver} over any {@code Forwarded} /
 * {@code X-Forwarded-For} headers and PROXY-declared source, and {@link Cidr#parse} over any text.
 * The PROXY protocol header itself is parsed by Netty's decoder (Vert.x {@code setUseProxyProtocol}),
 * which wsgate does not own; its result reaches the resolver as {@code declaredIp}.
 * Seeds: {@code ClientAddressFuzzTestInputs/<method>/}.
 */
class ClientAddressFuzzTest {
  private static final List<Cidr> TRUSTED = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.1"),
      Cidr.parse("fd00::/8"));
  private static final ClientAddressResolver RESOLVER = new ClientAddressResolver(TRUSTED);
  private static final String[] PEERS = {"10.1.2.3", "192.168.1.1", "fd00::1", "203.0.113.9", "2001:db8::7",
      "::ffff:10.9.9.9", "127.0.0.1"};

  /**
   * An untrusted peer is the client whatever it sends; a trusted one's PROXY declaration wins;
   * otherwise the answer is the peer or a canonical IP literal that is not a trusted proxy.
   */
  @FuzzTest
  void resolvesToAnAddressItMayBelieve(FuzzedDataProvider data) {
    String peer = data.consumeBoolean() ? data.pickValue(PEERS) : data.consumeString(45);
    String declared = data.consumeBoolean() ? peer : data.consumeBoolean() ? data.pickValue(PEERS)
        : data.consumeString(45);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    int count = data.consumeInt(0, 4);
    for (int i = 0; i < count; i++) {
      headers.add(data.pickValue(new String[] {"forwarded", "Forwarded", "x-forwarded-for", "X-Forwarded-For"}),
          data.consumeString(300));
    }

    String client = RESOLVER.resolve(peer, declared, headers);

    assertNotNull(client);
    byte[] peerBytes = NetUtil.createByteArrayFromIpAddressString(peer);
    boolean peerTrusted = peerBytes != null && TRUSTED.stream().anyMatch(c -> c.matches(peerBytes));
    if (!peerTrusted) {
      assertEquals(peer, client, "an untrusted peer's headers are never believed");
    } else if (!declared.equals(peer)) {
      assertEquals(declared, client, "a trusted proxy's PROXY declaration is the client");
    } else if (!client.equals(peer)) {
      byte[] bytes = NetUtil.createByteArrayFromIpAddressString(client);
      assertNotNull(bytes, () -> "not an IP literal: " + client);
      assertEquals(client, NetUtil.bytesToIpAddress(bytes), "canonical text");
      assertFalse(TRUSTED.stream().anyMatch(c -> c.matches(bytes)), () -> "resolved to a trusted proxy: " + client);
    }
  }

  /** Any text parses to a network that contains its own address, or is refused with IllegalArgumentException. */
  @FuzzTest
  void cidrParsesOrRefuses(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Cidr cidr;
    try {
      cidr = Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      assertNotNull(e.getMessage());
      return;
    }
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    // Only literals get this far: a dotted quad, or text with a colon, which the JDK parses as an
    // IPv6 literal and never looks up. (Netty's parser is narrower: it refuses ::ffff:50f:50.0.0.0.)
    assertTrue(address.indexOf(':') >= 0 || address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"),
        () -> "accepted a non-literal address: " + text);
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new AssertionError("accepted what the JDK cannot parse: " + text, e);
    }
    assertTrue(cidr.matches(bytes), () -> text + " does not contain its own address");
    assertEquals(cidr, Cidr.parse(cidr.toString()), "parses the same again");
  }
}
