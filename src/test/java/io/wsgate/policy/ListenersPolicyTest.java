package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code listeners:} and {@code routes[].listeners}. */
class ListenersPolicyTest extends PolicyTestSupport {
  /** Lines 1-11: a public TLS listener (development certificate, generated on start) and an internal plain one. */
  private static final String TWO = "listeners:\n"
      + "  - name: public\n"
      + "    port: 8443\n"
      + "    tls: { cert: dev.crt, key: dev.key, devCertificate: true }\n"
      + "    clients: { allow: [0.0.0.0/0] }\n"
      + "  - name: internal\n"
      + "    host: 127.0.0.2\n"
      + "    port: 8080\n"
      + "    plain: true\n"
      + "    clients: { allow: [10.0.0.0/8], deny: [10.6.0.0/16], trustedProxies: [10.0.0.10], proxyProtocol: true,"
      + " mode: monitor }\n";

  private static String listener(String name, String rest) {
    return "  - name: " + name + "\n    plain: true\n    clients: { allow: [0.0.0.0/0] }\n" + rest;
  }

  @Test
  void everyListenerHasItsOwnAddressPortTlsAndClients() throws Exception {
    GatewayPolicy p = load(TWO + ONE_ROUTE);
    List<NamedListener> listeners = p.startup().listeners();
    assertEquals(List.of("public", "internal"), listeners.stream().map(NamedListener::name).toList());
    NamedListener pub = listeners.get(0);
    assertEquals("0.0.0.0", pub.listen().host());
    assertEquals(8443, pub.listen().port());
    assertEquals(abs("dev.crt"), pub.listen().tls().cert());
    assertFalse(pub.proxyProtocol());
    NamedListener internal = listeners.get(1);
    assertEquals(new Listener("127.0.0.2", 8080, null), internal.listen());
    assertTrue(internal.proxyProtocol());
    // listen and proxyProtocol are the first listener's
    assertEquals(pub.listen(), p.listen());
    assertFalse(p.startup().proxyProtocol());
    assertEquals(new ClientAddresses(new IpRules(List.of(Cidr.parse("0.0.0.0/0")), List.of(), Mode.ENFORCE), List.of()),
        p.security().clients("public"));
    assertEquals(p.security().clients("public"), p.security().clients());
    assertEquals(new ClientAddresses(new IpRules(List.of(Cidr.parse("10.0.0.0/8")), List.of(Cidr.parse("10.6.0.0/16")),
        Mode.MONITOR), List.of(Cidr.parse("10.0.0.10"))), p.security().clients("internal"));
    assertEquals(List.of(), p.routes().get(0).listeners());
    assertTrue(p.routes().get(0).reachableThrough("public"));
    assertTrue(p.routes().get(0).reachableThrough("internal"));
  }

  @Test
  void listenIsTheOneListenerNamedDefault() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + ONE_ROUTE);
    assertEquals(List.of(new NamedListener("default", p.listen(), false)), p.startup().listeners());
    assertEquals(Map.of("default", p.security().clients()), p.security().listenerClients());
  }

  @Test
  void listenAndListenersTogetherIsAnError() throws Exception {
    assertEquals("5:3: listeners: conflicts with listen (write one listener under listen, or several under listeners)",
        onlyError(PLAIN_LISTENER + "listeners:\n" + listener("a", "") + ONE_ROUTE));
  }

  @Test
  void anEmptyListIsAnError() throws Exception {
    assertEquals("1:12: listeners: must list at least one listener", onlyError("listeners: []\n" + ONE_ROUTE));
  }

  @Test
  void neitherIsTheMissingListenErrorsAsBefore() throws Exception {
    assertEquals(List.of("1:1: listen.tls: required (a plain ws:// listener needs plain: true)",
            "1:1: listen.clients: required (list the addresses that may connect, e.g. allow: [0.0.0.0/0, \"::/0\"])"),
        errors(ONE_ROUTE));
  }

  @Test
  void aNameIsRequiredValidAndUnique() throws Exception {
    assertEquals("2:5: listeners[0].name: required (a unique name such as public or internal; routes name it in"
            + " listeners)",
        onlyError("listeners:\n  - plain: true\n    clients: { allow: [0.0.0.0/0] }\n" + ONE_ROUTE));
    assertEquals("2:11: listeners[0].name: must be 1 to 32 of a-z, 0-9, _ and -, got \"Public\"",
        onlyError("listeners:\n" + listener("Public", "") + ONE_ROUTE));
    assertEquals("2:11: listeners[0].name: must be 1 to 32 of a-z, 0-9, _ and -, got \"" + "a".repeat(33) + "\"",
        onlyError("listeners:\n" + listener("a".repeat(33), "") + ONE_ROUTE));
    assertEquals("6:11: listeners[1].name: duplicate listener name \"a\" (also listeners[0])",
        onlyError("listeners:\n" + listener("a", "    port: 1\n") + listener("a", "    port: 2\n") + ONE_ROUTE));
    assertEquals("listeners[0].foo", onlyError("listeners:\n" + listener("a", "    foo: 1\n") + ONE_ROUTE)
        .split(": ")[1]);
  }

  @Test
  void anEntryIsCheckedLikeListenUnderItsOwnPath() throws Exception {
    assertEquals("2:5: listeners[0].tls: required (a plain ws:// listener needs plain: true)",
        onlyError("listeners:\n  - name: a\n    clients: { allow: [0.0.0.0/0] }\n" + ONE_ROUTE));
    assertEquals("2:5: listeners[0].clients: required (list the addresses that may connect, e.g. allow: [0.0.0.0/0,"
        + " \"::/0\"])", onlyError("listeners:\n  - name: a\n    plain: true\n" + ONE_ROUTE));
    assertEquals("4:24: listeners[0].clients.allow[0]: not an IP address or CIDR: \"example.com\"",
        onlyError("listeners:\n  - name: a\n    plain: true\n    clients: { allow: [example.com] }\n" + ONE_ROUTE));
  }

  @Test
  void twoListenersOnOnePortOfOverlappingAddressesIsAnError() throws Exception {
    assertEquals("11:11: listeners[1].port: port 8080 on 127.0.0.1 is bound by listeners[0] (a, host 127.0.0.1) too"
            + " (choose another port or address)",
        onlyError("listeners:\n" + listener("a", "    host: 127.0.0.1\n    port: 8080\n")
            + listener("b", "    host: 127.0.0.1\n    port: 8080\n") + ONE_ROUTE));
    assertEquals("11:11: listeners[1].port: port 8080 on 127.0.0.2 is bound by listeners[0] (a, host 0.0.0.0) too"
            + " (choose another port or address)",
        onlyError("listeners:\n" + listener("a", "    host: 0.0.0.0\n    port: 8080\n")
            + listener("b", "    host: 127.0.0.2\n    port: 8080\n") + ONE_ROUTE));
    // another address, another port, or a port the OS picks each time: no clash
    load("listeners:\n" + listener("a", "    host: 127.0.0.1\n    port: 8080\n")
        + listener("b", "    host: 127.0.0.2\n    port: 8080\n") + ONE_ROUTE);
    load("listeners:\n" + listener("a", "    port: 8080\n") + listener("b", "    port: 8081\n") + ONE_ROUTE);
    load("listeners:\n" + listener("a", "    port: 0\n") + listener("b", "    port: 0\n") + ONE_ROUTE);
  }

  @Test
  void probesMayNotTakeAListenersPort() throws Exception {
    assertEquals("16:34: probes.port: port 8080 is listeners[1].port too (choose another port)",
        onlyError(TWO + ONE_ROUTE + "probes: { host: 127.0.0.2, port: 8080 }\n"));
    load(TWO + ONE_ROUTE + "probes: { port: 8080 }\n"); // 127.0.0.1: another address than 127.0.0.2
  }

  @Test
  void aRouteNamesTheListenersItIsReachableThrough() throws Exception {
    GatewayPolicy p = load(TWO + ONE_ROUTE + "    listeners: [internal]\n");
    Route route = p.routes().get(0);
    assertEquals(List.of("internal"), route.listeners());
    assertTrue(route.reachableThrough("internal"));
    assertFalse(route.reachableThrough("public"));
  }

  @Test
  void aRouteNamingAnUnknownListenerIsAnError() throws Exception {
    assertEquals("16:17: routes[0].listeners[0]: unknown listener \"intrenal\" (the policy's listeners: public,"
        + " internal)", onlyError(TWO + ONE_ROUTE + "    listeners: [intrenal]\n"));
    assertEquals("9:17: routes[0].listeners[0]: unknown listener \"public\" (the policy's listeners: default)",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "    listeners: [public]\n"));
  }

  @Test
  void aRouteListingNoListenerOrOneTwiceIsAnError() throws Exception {
    assertEquals("16:16: routes[0].listeners: must name at least one listener (leave listeners out for every"
        + " listener)", onlyError(TWO + ONE_ROUTE + "    listeners: []\n"));
    assertEquals("16:25: routes[0].listeners[1]: duplicate listener \"public\"",
        onlyError(TWO + ONE_ROUTE + "    listeners: [public, public]\n"));
    assertEquals("16:16: routes[0].listeners: expected a list", onlyError(TWO + ONE_ROUTE + "    listeners: public\n")
        .replaceAll("expected a list.*", "expected a list"));
  }

  @Test
  void aReloadMayChangeClientsButNotTheListeners() throws Exception {
    StartupSettings before = load(TWO + ONE_ROUTE).startup();
    GatewayPolicy clientsChanged = load(TWO.replace("allow: [10.0.0.0/8]", "allow: [10.1.0.0/16]") + ONE_ROUTE);
    assertEquals(List.of(), before.differences(clientsChanged.startup()));
    assertEquals(List.of("listeners[1].port"),
        before.differences(load(TWO.replace("port: 8080", "port: 8081") + ONE_ROUTE).startup()));
    assertEquals(List.of("listeners[1].host"),
        before.differences(load(TWO.replace("127.0.0.2", "127.0.0.3") + ONE_ROUTE).startup()));
    assertEquals(List.of("listeners[1].clients.proxyProtocol"),
        before.differences(load(TWO.replace(" proxyProtocol: true,", "") + ONE_ROUTE).startup()));
    assertEquals(List.of("listeners"),
        before.differences(load(TWO.replace("name: internal", "name: inside") + ONE_ROUTE).startup()));
    assertEquals(List.of("listeners"), before.differences(load(PLAIN_LISTENER + ONE_ROUTE).startup()));
  }

  @Test
  void runListenMovesTheFirstListener() throws Exception {
    StartupSettings moved = load(TWO + ONE_ROUTE).startup().withPort(9999);
    assertEquals(9999, moved.listen().port());
    assertEquals(9999, moved.listeners().get(0).listen().port());
    assertEquals(8080, moved.listeners().get(1).listen().port());
    assertNull(moved.listener("nope"));
  }
}
