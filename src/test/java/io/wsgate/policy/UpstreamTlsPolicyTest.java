package io.wsgate.policy;

import io.wsgate.testing.NamedCerts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code routes[].upstreamTls} and its short form {@code upstreamCa}: what loads, and the precise refusals. */
class UpstreamTlsPolicyTest extends PolicyTestSupport {
  /** Lines 4-8 after {@link #PLAIN_LISTENER}: one open route to a wss:// member; upstreamTls goes on line 9. */
  private static final String WSS_ROUTE = "routes:\n  - path: /chat\n    upstreams: [\"wss://127.0.0.1:9443/\"]\n" + OPEN;

  private Tls.Pair upstream;
  private Tls.Pair client;
  private Tls.Pair other;

  @BeforeEach
  void certificates() {
    upstream = NamedCerts.create(dir, "upstream", "backend.test");
    client = NamedCerts.create(dir, "client", "gateway.test");
    other = NamedCerts.create(dir, "other", "other.test");
  }

  private static String tls(String body) {
    return "    upstreamTls:\n" + body.lines().map(line -> "      " + line + "\n").reduce("", String::concat);
  }

  @Test
  void everyKeyLoadsWithPathsResolvedBesideThePolicyAndTheNameLowerCased() throws Exception {
    Route route = load(PLAIN_LISTENER + WSS_ROUTE + tls("""
        ca: upstream.crt
        cert: ./client.crt
        key: client.key
        serverName: Backend.Test""")).routes().get(0);
    assertEquals(new UpstreamTls(abs("upstream.crt"), abs("client.crt"), abs("client.key"), "backend.test"),
        route.upstreamTls());
    assertEquals(abs("upstream.crt"), route.upstreamCa(), "upstreamCa() reads upstreamTls.ca");
    assertTrue(route.upstreamTls().clientCertificate());
  }

  @Test
  void eachKeyIsOptionalAndUpstreamCaIsTheShortFormOfCa() throws Exception {
    assertEquals(new UpstreamTls(null, null, null, "backend.test"),
        load(PLAIN_LISTENER + WSS_ROUTE + tls("serverName: backend.test")).routes().get(0).upstreamTls());
    assertEquals(new UpstreamTls(null, abs("client.crt"), abs("client.key"), null),
        load(PLAIN_LISTENER + WSS_ROUTE + tls("cert: client.crt\nkey: client.key")).routes().get(0).upstreamTls());
    assertEquals(new UpstreamTls(abs("upstream.crt"), null, null, null),
        load(PLAIN_LISTENER + WSS_ROUTE + "    upstreamCa: upstream.crt\n").routes().get(0).upstreamTls());
    assertNull(load(PLAIN_LISTENER + WSS_ROUTE).routes().get(0).upstreamTls(), "neither: the JVM trust store");
  }

  @Test
  void upstreamCaTogetherWithUpstreamTlsIsRefused() throws Exception {
    assertEquals("11:17: routes[0].upstreamCa: conflicts with upstreamTls (write the CA as upstreamTls.ca)",
        onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("serverName: backend.test") + "    upstreamCa: upstream.crt\n"));
  }

  @Test
  void upstreamTlsNeedsAWssMember() throws Exception {
    String plainRoute = "routes:\n  - path: /chat\n    upstreams: [demo, \"ws://127.0.0.1:9000/\"]\n" + OPEN;
    assertEquals("10:7: routes[0].upstreamTls: applies to wss:// upstreams only, and this route has none",
        onlyError(PLAIN_LISTENER + plainRoute + tls("ca: upstream.crt")));
    String mixed = "routes:\n  - path: /chat\n    upstreams: [\"ws://127.0.0.1:9000/\", \"wss://127.0.0.1:9443/\"]\n"
        + OPEN;
    assertEquals(abs("upstream.crt"), load(PLAIN_LISTENER + mixed + tls("ca: upstream.crt")).routes().get(0).upstreamCa(),
        "one wss:// member is enough");
  }

  @Test
  void anEmptyOrMalformedUpstreamTlsIsRefused() throws Exception {
    assertEquals("9:18: routes[0].upstreamTls: must set ca, cert and key, or serverName (leave upstreamTls out for the"
        + " defaults)", onlyError(PLAIN_LISTENER + WSS_ROUTE + "    upstreamTls: {}\n"));
    assertEquals("9:18: routes[0].upstreamTls: expected a mapping, got \"upstream.crt\"",
        onlyError(PLAIN_LISTENER + WSS_ROUTE + "    upstreamTls: upstream.crt\n"));
    assertEquals("10:7: routes[0].upstreamTls.trustAll: unknown key (expected one of: ca, cert, key, serverName)",
        onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("trustAll: true\nserverName: backend.test")));
  }

  @Test
  void certAndKeyComeTogether() throws Exception {
    assertEquals("10:13: routes[0].upstreamTls.cert: needs key too (the client certificate's private key)",
        onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("cert: client.crt")));
    assertEquals("10:12: routes[0].upstreamTls.key: needs cert too (the client certificate the key belongs to)",
        onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("key: client.key")));
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefusedWithoutQuotingIt() throws Exception {
    String error = onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("cert: client.crt\nkey: other.key"));
    assertEquals("11:12: routes[0].upstreamTls.key: the private key does not match the certificate (CN=gateway.test,"
        + " EC public key; private key: EC) (cert: " + abs("client.crt") + ")", error);

    Files.writeString(dir.resolve("broken.key"), "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n"
        + "-----END PRIVATE KEY-----\n");
    String broken = onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("cert: client.crt\nkey: broken.key"));
    assertTrue(broken.startsWith("11:12: routes[0].upstreamTls.key: "), broken);
    assertFalse(broken.contains("c2VjcmV0") || broken.contains("BEGIN"), "the key file is never quoted: " + broken);
  }

  @Test
  void filesMustExistAndTheCaMustHoldCertificates() throws Exception {
    assertEquals(List.of(
            "10:11: routes[0].upstreamTls.ca: file not found: " + abs("none.crt"),
            "11:13: routes[0].upstreamTls.cert: file not found: " + abs("none.crt"),
            "12:12: routes[0].upstreamTls.key: file not found: " + abs("none.key")),
        errors(PLAIN_LISTENER + WSS_ROUTE + tls("ca: none.crt\ncert: none.crt\nkey: none.key")));
    Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
    assertEquals("10:11: routes[0].upstreamTls.ca: no PEM certificate in " + abs("notes.txt"),
        onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("ca: notes.txt")));
    assertEquals("9:17: routes[0].upstreamCa: no PEM certificate in " + abs("notes.txt"),
        onlyError(PLAIN_LISTENER + WSS_ROUTE + "    upstreamCa: notes.txt\n"), "the short form is checked the same");
    assertEquals("10:11: routes[0].upstreamTls.ca: no PEM certificate in " + abs("client.key"),
        onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("ca: client.key")), "a key is no CA bundle");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'*.backend.test'   | must be one DNS name, not a wildcard, got \"*.backend.test\"",
      "'127.0.0.1'        | must be a DNS name, not an IP address, got \"127.0.0.1\" (leave serverName out to verify the member URL's address)",
      "'backend.test:443' | must be a DNS name: must be a host name without a port (the port is ignored when matching; IPv6 literals are not supported), got \"backend.test:443\"",
      "'a..test'          | must be a DNS name: empty label (a leading, trailing or doubled \".\") in \"a..test\"",
      "'bad name.test'    | must be a DNS name: label \"bad name\" may hold only letters, digits, \"-\" and \"_\" in \"bad name.test\"",
      "'bad_name.test'    | must be a DNS name: not a name SNI can carry, got \"bad_name.test\"",
      "''                 | must be a DNS name: must not be empty",
  })
  void serverNameMustBeOneDnsName(String name, String message) throws Exception {
    assertEquals("10:19: routes[0].upstreamTls.serverName: " + message,
        onlyError(PLAIN_LISTENER + WSS_ROUTE + tls("serverName: \"" + name + "\"")));
  }
}
