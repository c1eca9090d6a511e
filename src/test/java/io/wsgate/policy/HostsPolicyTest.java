package io.wsgate.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code routes[].host} and {@code listen.tls.certificates}: what loads, and the precise refusals. */
class HostsPolicyTest extends PolicyTestSupport {

  private static String route(String host) {
    return "routes:\n  - path: /chat\n    host: \"" + host + "\"\n    upstreams: [demo]\n" + OPEN;
  }

  @Test
  void hostIsLowerCasedAndOptional() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + route("Chat.Example.COM") + "  - path: /chat\n    upstreams: [demo]\n" + OPEN);
    assertEquals(new HostPattern("chat.example.com", false), p.routes().get(0).host());
    assertNull(p.routes().get(1).host(), "no host: any host");
    assertEquals(new HostPattern("example.com", true), load(PLAIN_LISTENER + route("*.example.com")).routes().get(0).host());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'a.*.com'          | a wildcard must be the whole first label, as in \"*.example.com\", got \"a.*.com\"",
      "'*'                | \"*\" alone is not a host pattern (leave host out to match any host)",
      "'**.a.com'         | a wildcard must be the whole first label, as in \"*.example.com\", got \"**.a.com\"",
      "'a..b'             | empty label (a leading, trailing or doubled \".\") in \"a..b\"",
      "'a.test.'          | empty label (a leading, trailing or doubled \".\") in \"a.test.\"",
      "'a.test:8443'      | must be a host name without a port (the port is ignored when matching; IPv6 literals are not supported), got \"a.test:8443\"",
      "'[::1]'            | must be a host name without a port (the port is ignored when matching; IPv6 literals are not supported), got \"[::1]\"",
      "'a b.test'         | label \"a b\" may hold only letters, digits, \"-\" and \"_\" in \"a b.test\"",
      "'-a.test'          | label \"-a\" starts or ends with \"-\" in \"-a.test\"",
      "'bücher.test'      | non-ASCII label \"bücher\" (write the ASCII form, xn--...) in \"bücher.test\"",
      "''                 | must not be empty (leave host out to match any host)",
  })
  void badHostPatternsAreRefusedPrecisely(String host, String message) throws Exception {
    assertEquals("6:11: routes[0].host: " + message, onlyError(PLAIN_LISTENER + route(host)));
  }

  @Test
  void theSamePathOnTwoHostsIsNoDuplicateButOnOneHostIs() throws Exception {
    String two = PLAIN_LISTENER + route("a.test") + "  - path: /chat\n    host: b.test\n    upstreams: [demo]\n" + OPEN;
    assertEquals(2, load(two).routes().size());
    String twice = PLAIN_LISTENER + route("a.test") + "  - path: /chat\n    host: A.test\n    upstreams: [demo]\n" + OPEN;
    assertTrue(onlyError(twice).endsWith("routes[1].path: duplicate route \"/chat\" (exact on host a.test), first"
        + " defined at line 5"), errors(twice).toString());
  }

  @Test
  void hostPatternsMatchOneLabelCaseInsensitivelyWithoutPort() {
    HostPattern wildcard = HostPattern.parse("*.example.com");
    assertTrue(wildcard.matches(HostPattern.requestHost("A.Example.com:8443")));
    assertFalse(wildcard.matches("example.com"));
    assertFalse(wildcard.matches("a.b.example.com"));
    assertFalse(wildcard.matches("aexample.com"));
    HostPattern exact = HostPattern.parse("chat.example.com");
    assertTrue(exact.matches(HostPattern.requestHost("CHAT.example.com.")));
    assertFalse(exact.matches(HostPattern.requestHost(null)));
    assertEquals("[::1]", HostPattern.requestHost("[::1]:8443"));
  }

  private String tlsListener(String tls) {
    return "listen:\n  tls:\n" + tls + "  clients: { allow: [0.0.0.0/0] }\n" + ONE_ROUTE;
  }

  @Test
  void certificatesListsPairsInOrder() throws Exception {
    for (String f : List.of("a.crt", "a.key", "b.crt", "b.key")) {
      Files.writeString(dir.resolve(f), "x");
    }
    GatewayPolicy p = load(tlsListener("    certificates:\n      - { cert: a.crt, key: a.key }\n"
        + "      - { cert: b.crt, key: b.key }\n"));
    Tls tls = p.listen().tls();
    assertEquals(List.of(new Tls.Pair(abs("a.crt"), abs("a.key")), new Tls.Pair(abs("b.crt"), abs("b.key"))),
        tls.certificates());
    assertEquals(abs("a.crt"), tls.cert(), "the first is the default");
  }

  @Test
  void certificatesRefusalsNameTheField() throws Exception {
    for (String f : List.of("a.crt", "a.key")) {
      Files.writeString(dir.resolve(f), "x");
    }
    assertEquals("3:19: listen.tls.certificates: conflicts with cert/key (list every certificate under certificates;"
        + " the first is the default)", onlyError(tlsListener("    certificates: [{ cert: a.crt, key: a.key }]\n"
        + "    cert: a.crt\n    key: a.key\n")));
    assertEquals("3:19: listen.tls.certificates: must list at least one {cert, key}",
        onlyError(tlsListener("    certificates: []\n")));
    assertEquals("3:20: listen.tls.certificates[0].key: required",
        onlyError(tlsListener("    certificates: [{ cert: a.crt }]\n")));
    assertEquals("3:57: listen.tls.certificates[1].cert: the same certificate as certificates[0]: " + abs("a.crt"),
        onlyError(tlsListener("    certificates: [{ cert: a.crt, key: a.key }, { cert: a.crt, key: a.key }]\n")));
    assertTrue(onlyError(tlsListener("    certificates: [{ cert: a.crt, key: missing.key }]\n"))
        .endsWith("listen.tls.certificates[0].key: file not found: " + abs("missing.key")));
  }
}
