package io.wsgate.policy;

import io.wsgate.testing.ClientCerts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code routes[].clientCert}: what loads, and the precise refusal of each mistake. */
class ClientCertPolicyTest extends PolicyTestSupport {
  /** Lines 1-3: a TLS listener. */
  private static final String TLS_LISTENER = "listen:\n  tls: { cert: gw.crt, key: gw.key }\n"
      + "  clients: { allow: [0.0.0.0/0] }\n";
  /** Lines 4-7: a route's start, up to its auth. */
  private static final String ROUTE = "routes:\n  - path: /chat\n    upstreams: [demo]\n    origins: { allow: ['*'] }\n";
  private static final String ANONYMOUS = "    auth: { anonymous: true }\n";

  private ClientCerts.Authority ca;

  @BeforeEach
  void files() throws Exception {
    Files.writeString(dir.resolve("gw.crt"), "x");
    Files.writeString(dir.resolve("gw.key"), "x");
    ca = ClientCerts.authority(dir, "ca", "Example Client CA");
  }

  @Test
  void aRouteWithoutClientCertNeedsNone() throws Exception {
    assertNull(load(TLS_LISTENER + ROUTE + ANONYMOUS).routes().get(0).clientCert());
  }

  @Test
  void caIsReadAndTheTokenStaysTheIdentityByDefault() throws Exception {
    Route route = load(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt }\n").routes().get(0);
    assertEquals(abs("ca.crt"), route.clientCert().ca());
    assertEquals(List.of(ca.certificate()), route.clientCert().authorities());
    assertEquals(ClientCert.IdentityFrom.TOKEN, route.clientCert().identity());
    assertTrue(route.security().auth().anonymous(), "the route's auth applies as written");
  }

  @Test
  void aBundleMayHoldSeveralCas() throws Exception {
    ClientCerts.Authority other = ClientCerts.authority(dir, "other", "Other CA");
    Files.writeString(dir.resolve("both.pem"), Files.readString(ca.cert()) + Files.readString(other.cert()));
    Route route = load(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: both.pem }\n").routes().get(0);
    assertEquals(List.of(ca.certificate(), other.certificate()), route.clientCert().authorities());
  }

  @Test
  void certificateIdentityTakesTheRoutesAuth() throws Exception {
    Route route = load(TLS_LISTENER + ROUTE + "    clientCert: { ca: ca.crt, identity: certificate }\n").routes().get(0);
    assertTrue(route.clientCert().standsForToken());
    assertEquals(Auth.CLIENT_CERTIFICATE, route.security().auth());
    assertFalse(route.security().auth().anonymous(), "a certificate is a subject: per-subject rules apply");
  }

  @Test
  void certificateIdentityWithAnAuthIsRefused() throws Exception {
    assertEquals("8:11: routes[0].auth: not allowed with clientCert.identity: certificate (the certificate is the"
        + " identity)", onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt, identity: certificate }\n"));
  }

  @Test
  void tokenIdentityStillNeedsAnAuth() throws Exception {
    assertEquals("5:5: routes[0].auth: required (anonymous: true, or issuers: [...])",
        onlyError(TLS_LISTENER + ROUTE + "    clientCert: { ca: ca.crt, identity: token }\n"));
  }

  @Test
  void caIsRequired() throws Exception {
    assertEquals("9:17: routes[0].clientCert.ca: required (PEM bundle of the CA(s) client certificates must chain to)",
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { identity: token }\n"));
  }

  @Test
  void caMustBeAReadableFile() throws Exception {
    assertEquals("9:23: routes[0].clientCert.ca: file not found: " + abs("none.pem"),
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: none.pem }\n"));
    assertEquals("9:23: routes[0].clientCert.ca: must not be empty",
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: '' }\n"));
  }

  @Test
  void caMustHoldACertificate() throws Exception {
    Files.writeString(dir.resolve("empty.pem"), "");
    assertEquals("9:23: routes[0].clientCert.ca: no certificate in " + abs("empty.pem"),
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: empty.pem }\n"));
    Files.writeString(dir.resolve("junk.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    assertEquals("9:23: routes[0].clientCert.ca: not a PEM certificate bundle: " + abs("junk.pem"),
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: junk.pem }\n"));
  }

  @Test
  void identityIsTokenOrCertificate() throws Exception {
    assertEquals("9:41: routes[0].clientCert.identity: expected token or certificate, got \"san\"",
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt, identity: san }\n"));
  }

  @Test
  void unknownKeysAndNonMappingsAreRefused() throws Exception {
    String unknown = onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt, ocsp: true }\n");
    assertEquals("9:31: routes[0].clientCert.ocsp: unknown key (expected one of: ca, identity, crl)", unknown);
    assertEquals("9:17: routes[0].clientCert: expected a mapping, got \"ca.crt\"",
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: ca.crt\n"));
    assertEquals("9:5: routes[0].clientCert: expected a mapping (ca:, identity:, crl:), got nothing",
        onlyError(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert:\n"));
  }

  @Test
  void aCrlFileIsReadWithEveryCrlItHolds() throws Exception {
    ClientCerts.Authority other = ClientCerts.authority(dir, "other", "Other CA");
    Files.writeString(dir.resolve("both.crl"), Files.readString(ca.crl("a")) + Files.readString(other.crl("b")));
    ClientCert required = load(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt, crl: both.crl }\n")
        .routes().get(0).clientCert();
    assertEquals(abs("both.crl"), required.crl());
    assertEquals(2, required.crls().size());
    assertTrue(required.checksRevocation());
    assertFalse(load(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt }\n").routes().get(0)
        .clientCert().checksRevocation(), "no crl: revocation is not checked");
  }

  @Test
  void aCrlThatIsMissingNotACrlOrForgedIsRefused() throws Exception {
    String route = TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt, crl: %s }\n";
    assertEquals("9:36: routes[0].clientCert.crl: file not found: " + abs("gone.crl"),
        onlyError(route.formatted("gone.crl")));
    assertEquals("9:36: routes[0].clientCert.crl: not a CRL file (PEM or DER): " + abs("ca.crt"),
        onlyError(route.formatted("ca.crt")));
    // A CRL in the CA's name, signed by another key: whoever wrote it is not the CA.
    ClientCerts.Authority impostor = ClientCerts.authority(Files.createDirectories(dir.resolve("impostor")), "ca",
        "Example Client CA");
    Files.copy(impostor.crl("forged"), dir.resolve("forged.crl"));
    assertEquals("9:36: routes[0].clientCert.crl: the CRL of CN=Example Client CA in " + abs("forged.crl")
        + " is not signed by that CA's key in ca", onlyError(route.formatted("forged.crl")));
  }

  @Test
  void aPlainListenerCannotAskForCertificates() throws Exception {
    assertEquals("9:17: routes[0].clientCert: needs a TLS listener (listen.tls): a plain ws:// listener sees no"
        + " client certificate", onlyError(PLAIN_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt }\n"));
  }

  @Test
  void withSeveralListenersTheRouteMustBeKeptOffThePlainOnes() throws Exception {
    String listeners = "listeners:\n"
        + "  - { name: public, tls: { cert: gw.crt, key: gw.key }, clients: { allow: [0.0.0.0/0] } }\n"
        + "  - { name: internal, port: 8080, plain: true, clients: { allow: [10.0.0.0/8] } }\n";
    String route = ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt }\n";
    assertEquals("9:17: routes[0].clientCert: needs TLS listeners: listener \"internal\" is plain ws:// and sees no"
        + " client certificate (name the TLS ones in this route's listeners)", onlyError(listeners + route));
    Route onPublic = load(listeners + route + "    listeners: [public]\n").routes().get(0);
    assertEquals(List.of("public"), onPublic.listeners());
  }

  @Test
  void theSchemaAgreesOnWhenAuthIsRequired() throws Exception {
    String certificate = TLS_LISTENER + ROUTE + "    clientCert: { ca: ca.crt, identity: certificate }\n";
    String token = TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { ca: ca.crt }\n";
    assertEquals(List.of(), GatewaySchemaTest.violations(certificate));
    assertEquals(List.of(), GatewaySchemaTest.violations(token));
    load(certificate);
    load(token);
    assertFalse(GatewaySchemaTest.violations(certificate.replace("identity: certificate }", "identity: certificate }\n"
        + ANONYMOUS.stripTrailing())).isEmpty(), "auth with a certificate identity");
    assertFalse(GatewaySchemaTest.violations(TLS_LISTENER + ROUTE + "    clientCert: { ca: ca.crt }\n").isEmpty(),
        "no auth with a token identity");
    assertFalse(GatewaySchemaTest.violations(TLS_LISTENER + ROUTE).isEmpty(), "no auth, no clientCert");
    assertFalse(GatewaySchemaTest.violations(TLS_LISTENER + ROUTE + ANONYMOUS + "    clientCert: { identity: token }\n")
        .isEmpty(), "no ca");
  }
}
