package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code listen.clients} and a route's {@code clients}. */
class ClientsPolicyTest extends PolicyTestSupport {
  private static final String LISTEN = "listen:\n  plain: true\n";

  private static byte[] ip(int... octets) {
    byte[] out = new byte[octets.length];
    for (int i = 0; i < octets.length; i++) {
      out[i] = (byte) octets[i];
    }
    return out;
  }

  @Test
  void listenerClientsParse() throws Exception {
    GatewayPolicy p = load(LISTEN + "  clients:\n"
        + "    allow: [10.0.0.0/8, \"2001:db8::/32\", 192.168.1.7]\n"
        + "    deny: [10.6.6.0/24]\n"
        + "    trustedProxies: [127.0.0.1]\n"
        + "    proxyProtocol: true\n"
        + "    mode: monitor\n" + ONE_ROUTE);
    ClientAddresses c = p.security().clients();
    assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"), Cidr.parse("192.168.1.7/32")),
        c.ipRules().allow());
    assertEquals(List.of(Cidr.parse("10.6.6.0/24")), c.ipRules().deny());
    assertEquals(Mode.MONITOR, c.ipRules().mode());
    assertEquals(List.of(Cidr.parse("127.0.0.1")), c.trustedProxies());
    assertTrue(p.startup().proxyProtocol());
    assertTrue(c.ipRules().permits(ip(10, 1, 2, 3)));
    assertFalse(c.ipRules().permits(ip(10, 6, 6, 9)));
    assertFalse(c.ipRules().permits(ip(192, 168, 1, 8)));
  }

  @Test
  void proxyProtocolWithoutTrustedProxiesIsAnErrorThatSaysWhatToAdd() throws Exception {
    String message = "listen.clients.proxyProtocol: proxyProtocol: true needs trustedProxies: add the load balancer's"
        + " addresses (e.g. trustedProxies: [10.0.0.10]), or every client gets the load balancer's address";
    assertEquals("3:49: " + message, onlyError(LISTEN + "  clients: { allow: [0.0.0.0/0], proxyProtocol: true }\n"
        + ONE_ROUTE));
    assertEquals("3:69: " + message, onlyError(LISTEN
        + "  clients: { allow: [0.0.0.0/0], trustedProxies: [], proxyProtocol: true }\n" + ONE_ROUTE));
    assertTrue(load(LISTEN + "  clients: { allow: [0.0.0.0/0], trustedProxies: [10.0.0.10], proxyProtocol: true }\n"
        + ONE_ROUTE).startup().proxyProtocol());
  }

  @Test
  void optionalListenerKeysDefault() throws Exception {
    ClientAddresses c = load(LISTEN + "  clients: { allow: [\"::/0\"] }\n" + ONE_ROUTE).security().clients();
    assertEquals(new ClientAddresses(new IpRules(List.of(Cidr.parse("::/0")), List.of(), Mode.ENFORCE), List.of()), c);
  }

  @Test
  void anEmptyAllowListRefusesEveryone() throws Exception {
    IpRules rules = load(LISTEN + "  clients: { allow: [] }\n" + ONE_ROUTE).security().clients().ipRules();
    assertEquals(List.of(), rules.allow());
    assertFalse(rules.permits(ip(127, 0, 0, 1)));
  }

  @Test
  void clientsAreRequired() throws Exception {
    assertEquals("2:3: listen.clients: required (list the addresses that may connect, e.g. allow: [0.0.0.0/0,"
        + " \"::/0\"])", onlyError(LISTEN + ONE_ROUTE));
    assertEquals("3:12: listen.clients.allow: required (the addresses that may connect; [] refuses everyone)",
        onlyError(LISTEN + "  clients: { deny: [10.0.0.0/8] }\n" + ONE_ROUTE));
  }

  @Test
  void unknownKeyInClients() throws Exception {
    assertEquals("5:5: listen.clients.trusted: unknown key (expected one of: allow, deny, trustedProxies, proxyProtocol,"
        + " mode)", onlyError(LISTEN + "  clients:\n    allow: []\n    trusted: [10.0.0.1]\n" + ONE_ROUTE));
  }

  @Test
  void badCidrs() throws Exception {
    String yaml = LISTEN + "  clients:\n    allow:\n"
        + "      - 10.0.0.0/33\n"        // 5
        + "      - 999.1.1.1\n"          // 6
        + "      - example.com\n"        // 7
        + "      - \"10\"\n"             // 8: the JDK would read this as 0.0.0.10
        + "      - abc\n"                // 9: hex-looking, must not reach DNS
        + "      - 10.0.0.0/x\n"         // 10
        + "      - \"2001:db8::/129\"\n" // 11
        + "      - [1.2.3.4]\n"          // 12
        + "    deny: [1.2.3.4, 1.2.3.4/32]\n" // 13
        + "    trustedProxies: [localhost]\n"  // 14
        + ONE_ROUTE;
    assertEquals(List.of(
        "5:9: listen.clients.allow[0]: prefix length must be 0..32 in \"10.0.0.0/33\"",
        "6:9: listen.clients.allow[1]: not an IP address or CIDR: \"999.1.1.1\"",
        "7:9: listen.clients.allow[2]: not an IP address or CIDR: \"example.com\"",
        "8:9: listen.clients.allow[3]: not an IP address or CIDR: \"10\"",
        "9:9: listen.clients.allow[4]: not an IP address or CIDR: \"abc\"",
        "10:9: listen.clients.allow[5]: bad prefix length in \"10.0.0.0/x\"",
        "11:9: listen.clients.allow[6]: prefix length must be 0..128 in \"2001:db8::/129\"",
        "12:9: listen.clients.allow[7]: expected a string, got a list",
        "13:21: listen.clients.deny[1]: duplicate network \"1.2.3.4/32\"",
        "14:22: listen.clients.trustedProxies[0]: not an IP address or CIDR: \"localhost\""), errors(yaml));
  }

  @Test
  void cidrParsingIsLiteralOnly() {
    for (String bad : List.of("10", "10.1", "1.2.3.4.5", "01.2.3.4", "cafe", ".::1", "1.2.3.4/-1", "::1%eth0")) {
      assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
    }
    assertTrue(Cidr.parse("::ffff:0:0/96").matches(ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4)));
    assertTrue(Cidr.parse("::ffff:0:0/96").matches(ip(1, 2, 3, 4)));
    assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("::ffff:10.0.0.0/104"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::ffff:10.0.0.0/64"));
    assertTrue(Cidr.parse("10.0.0.0/8").matches(ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 2, 3, 4)));
  }

  @Test
  void badModeAndProxyProtocol() throws Exception {
    assertEquals(List.of(
            "3:49: listen.clients.proxyProtocol: expected true or false, got \"maybe\"",
            "3:62: listen.clients.mode: expected enforce or monitor, got \"audit\""),
        errors(LISTEN + "  clients: { allow: [0.0.0.0/0], proxyProtocol: maybe, mode: audit }\n" + ONE_ROUTE));
  }

  @Test
  void routeClientsNarrowTheListener() throws Exception {
    Route r = load(PLAIN_LISTENER + ONE_ROUTE + "    clients: { allow: [10.0.0.0/8], deny: [10.9.0.0/16], mode: monitor }\n")
        .routes().get(0);
    assertEquals(new IpRules(List.of(Cidr.parse("10.0.0.0/8")), List.of(Cidr.parse("10.9.0.0/16")), Mode.MONITOR),
        r.security().ipRules());
    assertNull(load(PLAIN_LISTENER + ONE_ROUTE).routes().get(0).security().ipRules());
  }

  @Test
  void routeClientsTakeNoProxySettings() throws Exception {
    assertEquals("9:37: routes[0].clients.trustedProxies: unknown key (expected one of: allow, deny, mode)",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "    clients: { allow: [10.0.0.0/8], trustedProxies: [] }\n"));
    assertEquals("9:14: routes[0].clients.allow: required (the addresses that may connect; [] refuses everyone)",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "    clients: { deny: [10.0.0.0/8] }\n"));
  }
}
