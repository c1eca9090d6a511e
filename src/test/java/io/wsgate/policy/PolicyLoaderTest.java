package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest extends PolicyTestSupport {
  /** Appended to a listen: block to make it complete. */
  private static final String CLIENTS = "  clients: { allow: [0.0.0.0/0] }\n";
  private static final Limits DEFAULT_LIMITS = new Limits(Duration.ofMinutes(5), Duration.ofHours(24), 10000,
      Duration.ofSeconds(30), FrameLimits.DEFAULT, Duration.ofSeconds(30), 6);
  private static final Shutdown DEFAULT_SHUTDOWN = new Shutdown(1001, Duration.ofSeconds(5), Duration.ofSeconds(30));

  // --- the shipped policy ---

  @Test
  void defaultPolicyLoads() throws Exception {
    Path policies = Path.of("policies");
    GatewayPolicy p = PolicyLoader.load(policies);

    assertEquals(policies, p.source());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(policies.resolve("gateway.yaml"))));
    assertEquals(sha.substring(0, 12), p.version());

    assertEquals("0.0.0.0", p.listen().host());
    assertEquals(8443, p.listen().port());
    assertFalse(p.listen().plain());
    Path certsDev = Path.of("certs-dev").toAbsolutePath().normalize();
    assertEquals(certsDev.resolve("gateway.crt"), p.listen().tls().cert());
    assertEquals(certsDev.resolve("gateway.key"), p.listen().tls().key());
    assertTrue(p.listen().tls().devCertificate());
    assertEquals(new AdminSettings(true, "127.0.0.1", 9090, null, null), p.admin(), "admin on loopback, no token");

    assertEquals(1, p.routes().size());
    Route chat = p.routes().get(0);
    assertEquals("/chat", chat.path());
    assertFalse(chat.prefix());
    assertEquals(List.of(UpstreamTarget.embeddedDemo()), chat.upstreams());
    assertEquals(List.of("user-agent", "accept-language", "cookie", "origin"), chat.forwardHeaders());
    assertEquals(Duration.ofSeconds(10), chat.upstreamCooldown());
    assertNull(chat.upstreamCa());

    assertEquals(DEFAULT_LIMITS, p.limits());
    assertEquals(DEFAULT_SHUTDOWN, p.shutdown());
    assertTrue(p.dev().demoPage());

    Security security = p.security();
    assertEquals(new ClientAddresses(new IpRules(List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")), List.of(),
        Mode.ENFORCE), List.of()), security.clients());
    Path devKey = certsDev.resolve("dev-issuer.jwk.json");
    assertEquals(List.of(new Issuer("dev", "https://wsgate.local/dev", List.of("wsgate"), Set.of("ES256"),
        new KeySource(null, null, null, null, devKey, true, null, null, null), Duration.ofSeconds(30), 8192,
        List.of("sub", "exp"))), security.issuers());
    assertEquals(new ConnectionLimits(new Rate(10, Duration.ofSeconds(1), 20), 100, 20,
        new Rate(1000, Duration.ofSeconds(1), 2000), 100_000, Mode.ENFORCE), security.connections());
    assertFalse(security.recheckOnReload());

    RouteSecurity rs = chat.security();
    assertNull(rs.ipRules());
    assertEquals(new OriginRules(List.of("https://localhost:8443", "https://127.0.0.1:8443"), true, false,
        Mode.ENFORCE), rs.origins());
    assertEquals(new Auth(false, List.of("dev"), List.of(new TokenSource(TokenSource.Kind.AUTHORIZATION, null),
        new TokenSource(TokenSource.Kind.SUBPROTOCOL, null)), List.of("chat"), List.of(), Map.of(),
        "x-wsgate-subject", Map.of(), true, Mode.ENFORCE), rs.auth());
    assertEquals(new MessageRules(List.of(
        new MessageRule.Size("size", 65536, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.RateLimit("rate", MessageRule.Scope.CONNECTION, new Rate(20, Duration.ofSeconds(1), 40), null,
            Action.DROP, Mode.ENFORCE),
        new MessageRule.Patterns("no-script", List.of("(?i)<script"), Action.DROP, Mode.ENFORCE)), List.of()),
        rs.messages());
  }

  @Test
  void aFilePathWorksLikeItsDirectory() throws Exception {
    Path file = write(PLAIN_LISTENER + ONE_ROUTE);
    assertEquals(PolicyLoader.load(dir).version(), PolicyLoader.load(file).version());
    assertEquals(file, PolicyLoader.load(file).source());
  }

  @Test
  void versionChangesWithTheFileContent() throws Exception {
    String first = load(PLAIN_LISTENER + ONE_ROUTE).version();
    String second = load(PLAIN_LISTENER + ONE_ROUTE + "# edited\n").version();
    assertTrue(first.matches("[0-9a-f]{12}"), first);
    assertNotEquals(first, second);
  }

  @Test
  void minimalPolicyGetsDefaults() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + ONE_ROUTE);
    assertEquals(DEFAULT_LIMITS, p.limits());
    assertEquals(DEFAULT_SHUTDOWN, p.shutdown());
    assertFalse(p.dev().demoPage());
    assertEquals("0.0.0.0", p.listen().host());
    assertEquals(8443, p.listen().port());
    Route route = p.routes().get(0);
    assertFalse(route.prefix());
    assertEquals(List.of("user-agent", "accept-language", "cookie", "origin"), route.forwardHeaders());
    assertEquals(Duration.ofSeconds(10), route.upstreamCooldown());
    assertNull(route.upstreamCa());

    assertEquals(List.of(), p.security().issuers());
    assertEquals(ConnectionLimits.NONE, p.security().connections());
    assertFalse(p.security().recheckOnReload());
    assertEquals(new ClientAddresses(new IpRules(List.of(Cidr.parse("0.0.0.0/0")), List.of(), Mode.ENFORCE), List.of()),
        p.security().clients());
    assertNull(route.security().ipRules());
    assertEquals(MessageRules.NONE, route.security().messages());
    assertEquals(new OriginRules(List.of("*"), false, false, Mode.ENFORCE), route.security().origins());
    assertTrue(route.security().auth().anonymous());
  }

  // --- positions and formatting ---

  @Test
  void errorTextIsFileLineColumnFieldMessage() {
    assertEquals("policies/gateway.yaml:7:17: routes[0].upstreams[0]: unknown scheme \"http\" (expected ws, wss or demo)",
        new PolicyError("policies/gateway.yaml", 7, 17, "routes[0].upstreams[0]",
            "unknown scheme \"http\" (expected ws, wss or demo)").toString());
    assertEquals("x.yaml: file not found", PolicyError.unpositioned("x.yaml", "file not found").toString());
  }

  @Test
  void unknownSchemeReportsItsLineAndColumn() throws Exception {
    String yaml = PLAIN_LISTENER                 // lines 1-3
        + "routes:\n"                            // 4
        + "  - path: /a\n"                       // 5
        + "    upstreams: [demo]\n"              // 6
        + OPEN                                   // 7-8
        + "  - path: /b\n"                       // 9
        + "    upstreams: [http://example.com/]\n" // 10, the URL starts in column 17
        + OPEN;
    assertEquals("10:17: routes[1].upstreams[0]: unknown scheme \"http\" (expected ws, wss or demo)", onlyError(yaml));
  }

  @Test
  void blockSequenceItemsAreReportedWhereTheyStand() throws Exception {
    String yaml = PLAIN_LISTENER + "routes:\n  - path: /a\n" + OPEN + "    upstreams:\n      - demo\n      - ftp://h\n";
    assertEquals("10:9: routes[0].upstreams[1]: unknown scheme \"ftp\" (expected ws, wss or demo)", onlyError(yaml));
  }

  @Test
  void everyErrorIsReportedInFileOrder() throws Exception {
    String yaml = "listen:\n"
        + "  plain: true\n"
        + CLIENTS                                // 3
        + "  port: 70000\n"                      // 4
        + ONE_ROUTE                              // 5-9
        + "limits:\n"                            // 10
        + "  maxConnections: lots\n"             // 11
        + "  idleTimeout: 5 minutes\n"           // 12
        + "shutdown:\n"                          // 13
        + "  closeCode: 1000\n"                  // 14
        + "dev:\n"                               // 15
        + "  demoPage: yes\n";                   // 16
    assertEquals(List.of(
        "4:9: listen.port: must be between 0 and 65535, got 70000",
        "11:19: limits.maxConnections: expected an integer, got \"lots\"",
        "12:16: limits.idleTimeout: invalid duration \"5 minutes\" (expected a number followed by ms, s, m, h or d, e.g. 30s)",
        "14:14: shutdown.closeCode: must be 1001 (going away) or 1012 (service restart), got 1000",
        "16:13: dev.demoPage: expected true or false, got \"yes\""), errors(yaml));
  }

  @Test
  void exceptionMessageJoinsAllErrors() throws Exception {
    write("listen:\n  plain: true\n  port: x\n" + CLIENTS + "routes: []\n");
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(dir));
    assertEquals(2, e.errors().size());
    assertEquals(e.errors().get(0) + "\n" + e.errors().get(1), e.getMessage());
  }

  // --- document-level errors ---

  @Test
  void yamlSyntaxErrorIsOneErrorWithAPosition() throws Exception {
    // the flow list opened on line 6 is never closed; the parser notices at the ':' on line 7
    String error = onlyError(PLAIN_LISTENER + "routes:\n  - path: /a\n    upstreams: [demo\n  - path: /b\n");
    assertTrue(error.startsWith("7:9: invalid YAML: "), error);
    assertTrue(error.endsWith("(while parsing a flow sequence started at line 6)"), error);
  }

  @Test
  void badIndentationIsASyntaxError() throws Exception {
    String error = onlyError("listen:\n  plain: true\n    port: 1\n" + ONE_ROUTE);
    assertTrue(error.startsWith("3:9: invalid YAML: mapping values are not allowed here"), error);
  }

  @Test
  void duplicateKeyIsAnError() throws Exception {
    assertEquals("3:3: listen.plain: duplicate key (first defined at line 2)",
        onlyError("listen:\n  plain: true\n  plain: false\n" + CLIENTS + ONE_ROUTE));
  }

  @Test
  void duplicateTopLevelSectionIsAnError() throws Exception {
    assertEquals("9:1: listen: duplicate key (first defined at line 1)",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "listen:\n  plain: true\n"));
  }

  @Test
  void emptyFileIsAnError() throws Exception {
    assertEquals("1:1: the policy is empty (expected listen: and routes:)", onlyError(""));
    assertEquals("1:1: the policy is empty (expected listen: and routes:)", onlyError("# only a comment\n"));
  }

  @Test
  void topLevelMustBeAMapping() throws Exception {
    assertEquals("1:1: expected a mapping at the top level, got a list", onlyError("- listen\n"));
  }

  @Test
  void unknownTopLevelKeyIsAnError() throws Exception {
    assertEquals("1:1: lsiten: unknown key (expected one of: listen, listeners, issuers, connections, routes, limits, shutdown,"
            + " reload, dev, admin, audit, cluster, probes)",
        onlyError("lsiten:\n  plain: true\n" + PLAIN_LISTENER + ONE_ROUTE));
  }

  @Test
  void missingFileIsAnError() {
    Path missing = dir.resolve("nope.yaml");
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(missing));
    assertEquals(missing + ": file not found", e.getMessage());
  }

  @Test
  void directoryWithoutGatewayYamlIsAnError() {
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(dir));
    assertEquals(dir.resolve("gateway.yaml") + ": file not found", e.getMessage());
  }

  @Test
  void oversizedFileIsRejected() throws Exception {
    String yaml = PLAIN_LISTENER + ONE_ROUTE + "#" + "x".repeat(PolicyLoader.MAX_BYTES) + "\n";
    assertEquals(" file is larger than 1048576 bytes", onlyError(yaml));
  }

  @Test
  void aliasBombIsRejected() throws Exception {
    StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char prev = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [")
          .append(("*" + prev + ", ").repeat(9)).append('*').append(prev).append("]\n");
    }
    String error = onlyError(yaml.toString());
    assertTrue(error.startsWith(" invalid YAML: Number of aliases"), error);
  }

  // --- types ---

  @Test
  void wrongTypesAreErrors() throws Exception {
    String yaml = "listen:\n  plain: maybe\n  port: [1]\n" + CLIENTS
        + "routes:\n  path: /a\n"
        + "limits: 5\n";
    assertEquals(List.of(
        "2:10: listen.plain: expected true or false, got \"maybe\"",
        "3:9: listen.port: expected an integer, got a list",
        "6:3: routes: expected a list, got a mapping",
        "7:9: limits: expected a mapping, got \"5\""), errors(yaml));
  }

  @Test
  void integersMustBeDecimal() throws Exception {
    assertEquals("2:9: listen.port: expected an integer, got \"0x20FB\"",
        onlyError("listen:\n  port: 0x20FB\n  plain: true\n" + CLIENTS + ONE_ROUTE));
  }

  @Test
  void unknownKeysNameTheExpectedOnes() throws Exception {
    String yaml = "listen:\n  tls:\n    cert: a\n    key: b\n    devCertificate: true\n    certt: c\n" + CLIENTS + ONE_ROUTE;
    assertEquals("6:5: listen.tls.certt: unknown key (expected one of: cert, key, devCertificate, engine, certificates)", onlyError(yaml));
  }

  @Test
  void emptySectionMeansDefaults() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + ONE_ROUTE + "limits:\nshutdown: ~\n");
    assertEquals(DEFAULT_LIMITS, p.limits());
    assertEquals(DEFAULT_SHUTDOWN, p.shutdown());
  }

  // --- durations and sizes ---

  @Test
  void durationsAcceptEveryUnit() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + ONE_ROUTE + "limits:\n"
        + "  handshakeTimeout: 500ms\n  upstreamConnectTimeout: 30s\n  idleTimeout: 5m\n"
        + "  maxLifetime: 24h\n  pingInterval: 2d\n");
    assertEquals(Duration.ofMillis(500), p.startup().handshakeTimeout());
    assertEquals(Duration.ofSeconds(30), p.startup().upstreamConnectTimeout());
    assertEquals(Duration.ofMinutes(5), p.limits().idleTimeout());
    assertEquals(Duration.ofHours(24), p.limits().maxLifetime());
    assertEquals(Duration.ofDays(2), p.limits().pingInterval());
  }

  @Test
  void badDurationsNameTheValue() throws Exception {
    assertEquals(List.of(
        "10:16: limits.idleTimeout: invalid duration \"5\" (expected a number followed by ms, s, m, h or d, e.g. 30s)",
        "11:16: limits.maxLifetime: invalid duration \"1w\" (expected a number followed by ms, s, m, h or d, e.g. 30s)",
        "12:17: limits.pingInterval: invalid duration \"-1s\" (expected a number followed by ms, s, m, h or d, e.g. 30s)",
        "13:21: limits.handshakeTimeout: must be greater than 0"),
        errors(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  idleTimeout: 5\n  maxLifetime: 1w\n  pingInterval: -1s\n"
            + "  handshakeTimeout: 0s\n"));
  }

  @Test
  void sizesAcceptBytesKibAndMib() throws Exception {
    assertEquals(1000, load(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxMessageBytes: 1000\n").startup().maxMessageBytes());
    assertEquals(65536, load(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxMessageBytes: 64KiB\n").startup().maxMessageBytes());
    assertEquals(1 << 20, load(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxMessageBytes: 1MiB\n").startup().maxMessageBytes());
    assertEquals(64 << 20, load(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxMessageBytes: 64MiB\n").startup().maxMessageBytes());
  }

  @Test
  void sizesOutOfRangeOrMalformedAreErrors() throws Exception {
    String head = PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxMessageBytes: ";
    assertEquals("10:20: limits.maxMessageBytes: must be between 1 byte and 67108864 bytes (64MiB), got \"0\"",
        onlyError(head + "0\n"));
    assertEquals("10:20: limits.maxMessageBytes: must be between 1 byte and 67108864 bytes (64MiB), got \"65MiB\"",
        onlyError(head + "65MiB\n"));
    assertEquals("10:20: limits.maxMessageBytes: invalid size \"64KB\" (expected a number of bytes, optionally followed"
        + " by KiB or MiB, e.g. 64KiB)", onlyError(head + "64KB\n"));
  }

  @Test
  void maxConnectionsHasBounds() throws Exception {
    assertEquals("10:19: limits.maxConnections: must be between 1 and 10000000, got 0",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxConnections: 0\n"));
    assertEquals(10_000_000,
        load(PLAIN_LISTENER + ONE_ROUTE + "limits:\n  maxConnections: 10000000\n").limits().maxConnections());
  }

  // --- listen ---

  @Test
  void plainListenerHasNoTls() throws Exception {
    GatewayPolicy p = load("listen:\n  host: 127.0.0.1\n  port: 0\n  plain: true\n" + CLIENTS + ONE_ROUTE);
    assertTrue(p.listen().plain());
    assertNull(p.listen().tls());
    assertEquals("127.0.0.1", p.listen().host());
    assertEquals(0, p.listen().port());
  }

  @Test
  void listenerNeedsTlsOrExplicitPlain() throws Exception {
    assertEquals("2:3: listen.tls: required (a plain ws:// listener needs plain: true)",
        onlyError("listen:\n  port: 80\n" + CLIENTS + ONE_ROUTE));
    assertEquals("2:3: listen.tls: required (a plain ws:// listener needs plain: true)",
        onlyError("listen:\n  plain: false\n" + CLIENTS + ONE_ROUTE));
    assertEquals(List.of("1:1: listen.tls: required (a plain ws:// listener needs plain: true)",
            "1:1: listen.clients: required (list the addresses that may connect, e.g. allow: [0.0.0.0/0, \"::/0\"])"),
        errors(ONE_ROUTE));
  }

  @Test
  void tlsAndPlainTogetherIsAnError() throws Exception {
    String yaml = "listen:\n  plain: true\n  tls:\n    cert: a.crt\n    key: a.key\n    devCertificate: true\n" + CLIENTS
        + ONE_ROUTE;
    assertEquals("2:10: listen.plain: plain: true conflicts with listen.tls (choose one)", onlyError(yaml));
  }

  @Test
  void tlsFilesResolveAgainstThePolicyDirectory() throws Exception {
    Files.createDirectories(dir.resolve("certs"));
    Files.writeString(dir.resolve("certs/gw.crt"), "cert");
    Files.writeString(dir.resolve("certs/gw.key"), "key");
    Path sub = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(sub.resolve("gateway.yaml"),
        "listen:\n  tls:\n    cert: ../certs/gw.crt\n    key: ./../certs/gw.key\n" + CLIENTS + ONE_ROUTE);
    Tls tls = PolicyLoader.load(sub).listen().tls();
    Path certs = dir.toAbsolutePath().normalize().resolve("certs");
    assertEquals(certs.resolve("gw.crt"), tls.cert());
    assertEquals(certs.resolve("gw.key"), tls.key());
    assertFalse(tls.devCertificate());
  }

  @Test
  void tlsFilesMustExistUnlessDevCertificate() throws Exception {
    Path abs = dir.toAbsolutePath().normalize();
    assertEquals(List.of(
            "3:11: listen.tls.cert: file not found: " + abs.resolve("missing.crt"),
            "4:10: listen.tls.key: file not found: " + abs.resolve("missing.key")),
        errors("listen:\n  tls:\n    cert: missing.crt\n    key: missing.key\n" + CLIENTS + ONE_ROUTE));
  }

  @Test
  void devCertificateAllowsBothFilesMissing() throws Exception {
    Tls tls = load("listen:\n  tls:\n    cert: gw.crt\n    key: gw.key\n    devCertificate: true\n" + CLIENTS + ONE_ROUTE)
        .listen().tls();
    assertTrue(tls.devCertificate());
    assertFalse(Files.exists(tls.cert()));
  }

  @Test
  void devCertificateRejectsHalfAPair() throws Exception {
    Files.writeString(dir.resolve("gw.crt"), "cert");
    assertEquals("4:10: listen.tls.key: file not found: " + dir.toAbsolutePath().normalize().resolve("gw.key")
            + " (with devCertificate: true, cert and key must both exist or both be missing)",
        onlyError("listen:\n  tls:\n    cert: gw.crt\n    key: gw.key\n    devCertificate: true\n" + CLIENTS + ONE_ROUTE));
  }

  @Test
  void tlsNeedsCertAndKey() throws Exception {
    assertEquals(List.of("3:5: listen.tls.cert: required (or list certificates)", "3:5: listen.tls.key: required (or list certificates)"),
        errors("listen:\n  tls:\n    devCertificate: true\n" + CLIENTS + ONE_ROUTE));
  }

  // --- routes ---

  @Test
  void routesAreRequiredAndNonEmpty() throws Exception {
    assertEquals("1:1: routes: required (at least one route)", onlyError(PLAIN_LISTENER));
    assertEquals("4:9: routes: must contain at least one route", onlyError(PLAIN_LISTENER + "routes: []\n"));
  }

  @Test
  void routePathRules() throws Exception {
    String yaml = PLAIN_LISTENER + "routes:\n"
        + "  - upstreams: [demo]\n" + OPEN                   // 5: no path
        + "  - path: chat\n    upstreams: [demo]\n" + OPEN   // 8
        + "  - path: /a b\n    upstreams: [demo]\n" + OPEN   // 12
        + "  - path: /a?x=1\n    upstreams: [demo]\n" + OPEN // 16
        + "  - path: /b\n    match: fuzzy\n    upstreams: [demo]\n" + OPEN; // 20-21
    assertEquals(List.of(
        "5:5: routes[0].path: required",
        "8:11: routes[1].path: must start with \"/\", got \"chat\"",
        "12:11: routes[2].path: must not contain whitespace or control characters, got \"/a b\"",
        "16:11: routes[3].path: must not contain \"?\" or \"#\" (a route matches the path only), got \"/a?x=1\"",
        "21:12: routes[4].match: expected exact or prefix, got \"fuzzy\""), errors(yaml));
  }

  @Test
  void duplicateRouteIsAnError() throws Exception {
    String yaml = PLAIN_LISTENER + ONE_ROUTE + "  - path: /chat\n    match: exact\n    upstreams: [demo]\n" + OPEN;
    assertEquals("9:11: routes[1].path: duplicate route \"/chat\" (exact), first defined at line 5", onlyError(yaml));
  }

  @Test
  void samePathWithDifferentMatchIsAllowed() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + ONE_ROUTE + "  - path: /chat\n    match: prefix\n    upstreams: [demo]\n" + OPEN);
    assertEquals(2, p.routes().size());
    assertTrue(p.routes().get(1).prefix());
  }

  @Test
  void prefixRoutesMatchSubPathsOnly() throws Exception {
    Route api = load(PLAIN_LISTENER + "routes:\n  - path: /api\n    match: prefix\n    upstreams: [demo]\n" + OPEN)
        .routes().get(0);
    assertTrue(api.matches("/api"));
    assertTrue(api.matches("/api/"));
    assertTrue(api.matches("/api/v1/stream"));
    assertFalse(api.matches("/apiary"));
    assertFalse(api.matches("/ap"));

    Route exact = load(PLAIN_LISTENER + ONE_ROUTE).routes().get(0);
    assertTrue(exact.matches("/chat"));
    assertFalse(exact.matches("/chat/room"));

    Route root = load(PLAIN_LISTENER + "routes:\n  - path: /\n    match: prefix\n    upstreams: [demo]\n" + OPEN)
        .routes().get(0);
    assertTrue(root.matches("/anything/at/all"));
  }

  @Test
  void upstreamsAreRequiredAndNonEmpty() throws Exception {
    assertEquals(List.of(
            "5:5: routes[0].upstreams: required (demo, or ws:// / wss:// URLs)",
            "9:16: routes[1].upstreams: must list at least one upstream"),
        errors(PLAIN_LISTENER + "routes:\n  - path: /a\n" + OPEN + "  - path: /b\n    upstreams: []\n" + OPEN));
  }

  @Test
  void upstreamUrlsParse() throws Exception {
    List<UpstreamTarget> ups = load(PLAIN_LISTENER + "routes:\n  - path: /a\n" + OPEN + "    upstreams:\n"
        + "      - ws://chat.internal\n"
        + "      - wss://chat.internal/\n"
        + "      - ws://10.0.0.5:9000/socket/v2\n"
        + "      - wss://[::1]:8443\n"
        + "      - demo\n").routes().get(0).upstreams();
    assertEquals(new UpstreamTarget("ws://chat.internal", false, false, "chat.internal", 80, null), ups.get(0));
    assertEquals(new UpstreamTarget("wss://chat.internal/", false, true, "chat.internal", 443, "/"), ups.get(1));
    assertEquals(new UpstreamTarget("ws://10.0.0.5:9000/socket/v2", false, false, "10.0.0.5", 9000, "/socket/v2"),
        ups.get(2));
    assertEquals(new UpstreamTarget("wss://[::1]:8443", false, true, "::1", 8443, null), ups.get(3));
    assertEquals(UpstreamTarget.embeddedDemo(), ups.get(4));
  }

  @Test
  void badUpstreamUrlsAreErrors() throws Exception {
    String yaml = PLAIN_LISTENER + "routes:\n  - path: /a\n" + OPEN + "    upstreams:\n"
        + "      - http://h\n"              // 9
        + "      - ws://user:pw@h\n"        // 10
        + "      - ws://h/x?y=1\n"          // 11
        + "      - ws://h/x#top\n"          // 12
        + "      - chat.internal\n"         // 13
        + "      - ws://h:0\n"              // 14
        + "      - ws:///path\n"            // 15
        + "      - [ws://h]\n";             // 16
    assertEquals(List.of(
        "9:9: routes[0].upstreams[0]: unknown scheme \"http\" (expected ws, wss or demo)",
        "10:9: routes[0].upstreams[1]: user info is not allowed in an upstream URL",
        "11:9: routes[0].upstreams[2]: a query is not allowed in an upstream URL",
        "12:9: routes[0].upstreams[3]: a fragment is not allowed in an upstream URL",
        "13:9: routes[0].upstreams[4]: expected demo or a ws:// or wss:// URL, got \"chat.internal\"",
        "14:9: routes[0].upstreams[5]: port must be between 1 and 65535, got 0",
        "15:9: routes[0].upstreams[6]: expected ws://host[:port][/path], got \"ws:///path\"",
        "16:9: routes[0].upstreams[7]: expected a string, got a list"), errors(yaml));
  }

  @Test
  void forwardHeadersAreLowerCasedTokens() throws Exception {
    Route r = load(PLAIN_LISTENER + ONE_ROUTE + "    forwardHeaders: [X-Request-Id, Authorization]\n").routes().get(0);
    assertEquals(List.of("x-request-id", "authorization"), r.forwardHeaders());
    Route all = load(PLAIN_LISTENER + ONE_ROUTE + "    forwardHeaders: ['*']\n").routes().get(0);
    assertEquals(List.of("*"), all.forwardHeaders());
    Route none = load(PLAIN_LISTENER + ONE_ROUTE + "    forwardHeaders: []\n").routes().get(0);
    assertEquals(List.of(), none.forwardHeaders());
  }

  @Test
  void forwardHeadersRejectHopByHopAndBadNames() throws Exception {
    String yaml = PLAIN_LISTENER + ONE_ROUTE + "    forwardHeaders:\n"
        + "      - Connection\n"            // 10
        + "      - sec-websocket-key\n"     // 11
        + "      - host\n"                  // 12
        + "      - 'x header'\n"            // 13
        + "      - '*'\n"                   // 14
        + "      - cookie\n"                // 15
        + "      - Cookie\n";               // 16
    assertEquals(List.of(
        "10:9: routes[0].forwardHeaders[0]: \"connection\" is a hop-by-hop or handshake header and is never forwarded",
        "11:9: routes[0].forwardHeaders[1]: \"sec-websocket-key\" is a hop-by-hop or handshake header and is never forwarded",
        "12:9: routes[0].forwardHeaders[2]: \"host\" is a hop-by-hop or handshake header and is never forwarded",
        "13:9: routes[0].forwardHeaders[3]: invalid header name \"x header\"",
        "14:9: routes[0].forwardHeaders[4]: \"*\" must be the only entry",
        "16:9: routes[0].forwardHeaders[6]: duplicate header name \"cookie\""), errors(yaml));
  }

  @Test
  void upstreamCooldownAndCa() throws Exception {
    io.wsgate.testing.NamedCerts.create(dir, "ca", "backend.test");
    Files.move(dir.resolve("ca.crt"), dir.resolve("ca.pem"));
    Route r = load(PLAIN_LISTENER + ONE_ROUTE + "    upstreamCooldown: 2m\n    upstreamCa: ca.pem\n").routes().get(0);
    assertEquals(Duration.ofMinutes(2), r.upstreamCooldown());
    assertEquals(dir.toAbsolutePath().normalize().resolve("ca.pem"), r.upstreamCa());

    assertEquals("9:17: routes[0].upstreamCa: file not found: " + dir.toAbsolutePath().normalize().resolve("none.pem"),
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "    upstreamCa: none.pem\n"));
  }

  @Test
  void mergeKeysReuseARouteAndExplicitKeysWin() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + "routes:\n"
        + "  - &chat\n    path: /a\n    upstreams: [ws://h:9000]\n    upstreamCooldown: 1m\n" + OPEN
        + "  - <<: *chat\n    path: /b\n");
    assertEquals(List.of("/a", "/b"), p.routes().stream().map(Route::path).toList());
    assertEquals(p.routes().get(0).upstreams(), p.routes().get(1).upstreams());
    assertEquals(Duration.ofMinutes(1), p.routes().get(1).upstreamCooldown());
    assertEquals(p.routes().get(0).security(), p.routes().get(1).security());
  }

  @Test
  void aRouteThatIsNotAMappingIsOneError() throws Exception {
    assertEquals("5:5: routes[0]: expected a mapping, got \"/chat\"", onlyError(PLAIN_LISTENER + "routes:\n  - /chat\n"));
  }

  // --- shutdown and dev ---

  @Test
  void shutdownAcceptsServiceRestart() throws Exception {
    GatewayPolicy p = load(PLAIN_LISTENER + ONE_ROUTE
        + "shutdown:\n  closeCode: 1012\n  drainWindow: 0s\n  drainTimeout: 1s\ndev:\n  demoPage: false\n");
    assertEquals(new Shutdown(1012, Duration.ZERO, Duration.ofSeconds(1)), p.shutdown());
    assertFalse(p.dev().demoPage());
  }

  @Test
  void drainTimeoutMustCoverTheDrainWindow() throws Exception {
    assertEquals("11:17: shutdown.drainTimeout: must be at least drainWindow (1m), got 30s",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "shutdown:\n  drainWindow: 1m\n  drainTimeout: 30s\n"));
    assertEquals("10:16: shutdown.drainWindow: must not exceed drainTimeout (30s), got 1m",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "shutdown:\n  drainWindow: 1m\n"));
    assertEquals("10:17: shutdown.drainTimeout: must be greater than 0",
        onlyError(PLAIN_LISTENER + ONE_ROUTE + "shutdown:\n  drainTimeout: 0s\n  drainWindow: 0s\n"));
  }
}
