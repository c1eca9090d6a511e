package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route's {@code origins:} and {@code auth:}. */
class RouteSecurityPolicyTest extends PolicyTestSupport {
  /** Lines 1-8: a listener, issuer {@code dev}, and a route with neither origins nor auth yet. */
  private static final String HEAD = PLAIN_LISTENER
      + "issuers:\n"
      + "  dev: { issuer: https://idp/, audiences: [a], algorithms: [RS256], keys: { jwksUrl: https://idp/jwks } }\n"
      + "routes:\n  - path: /chat\n    upstreams: [demo]\n";
  private static final String ANY_ORIGIN = "    origins: { allow: ['*'] }\n";
  private static final String ANONYMOUS = "    auth: { anonymous: true }\n";
  private static final List<TokenSource> DEFAULT_SOURCES = List.of(new TokenSource(TokenSource.Kind.AUTHORIZATION, null),
      new TokenSource(TokenSource.Kind.SUBPROTOCOL, null));

  private RouteSecurity security(String routeLines) throws Exception {
    return load(HEAD + routeLines).routes().get(0).security();
  }

  @Test
  void originsAndAuthAreRequired() throws Exception {
    assertEquals(List.of(
        "7:5: routes[0].origins: required (allow: the Origins that may open a session; [\"*\"] for any)",
        "7:5: routes[0].auth: required (anonymous: true, or issuers: [...])"), errors(HEAD));
    assertEquals("9:14: routes[0].origins.allow: required (the Origins that may open a session; [\"*\"] for any)",
        onlyError(HEAD + "    origins: { allowMissing: true }\n" + ANONYMOUS));
  }

  // --- origins ---

  @Test
  void originsAreNormalized() throws Exception {
    OriginRules o = security("    origins:\n"
        + "      allow: [\"HTTPS://App.Example.COM:443\", \"http://localhost:8080\", \"http://[::1]:80\","
        + " \"https://*.example.com\", \"https://*.example.com:8443\"]\n"
        + "      allowMissing: true\n      allowNull: true\n      mode: monitor\n" + ANONYMOUS).origins();
    assertEquals(new OriginRules(List.of("https://app.example.com", "http://localhost:8080", "http://[::1]",
        "https://*.example.com", "https://*.example.com:8443"), true, true, Mode.MONITOR), o);
    assertEquals(new OriginRules(List.of("*"), false, false, Mode.ENFORCE), security(ANY_ORIGIN + ANONYMOUS).origins());
    assertEquals(new OriginRules(List.of(), false, false, Mode.ENFORCE),
        security("    origins: { allow: [] }\n" + ANONYMOUS).origins());
  }

  @Test
  void badOriginsAreErrors() throws Exception {
    String yaml = HEAD + "    origins:\n      allow:\n"
        + "        - https://app.example.com/\n"     // 11
        + "        - ftp://app.example.com\n"        // 12
        + "        - app.example.com\n"              // 13
        + "        - https://*.com\n"                // 14
        + "        - https://a.*.example.com\n"      // 15
        + "        - https://app.example.com:0\n"    // 16
        + "        - https://bücher.example\n"       // 17
        + "        - https://-bad-.example.com\n"    // 18
        + "        - https://APP.example.com:443\n"  // 19
        + "        - https://app.example.com\n"      // 20
        + "        - '*'\n"                          // 21
        + ANONYMOUS;
    assertEquals(List.of(
        "11:11: routes[0].origins.allow[0]: an origin has no path, not even \"/\", got \"https://app.example.com/\"",
        "12:11: routes[0].origins.allow[1]: only http and https origins exist for WebSocket clients, got"
            + " \"ftp://app.example.com\"",
        "13:11: routes[0].origins.allow[2]: expected scheme://host[:port], got \"app.example.com\"",
        "14:11: routes[0].origins.allow[3]: a wildcard needs at least two labels after \"*.\" (https://*.example.com),"
            + " got \"https://*.com\"",
        "15:11: routes[0].origins.allow[4]: \"*\" may only stand for the first label (https://*.example.com), got"
            + " \"https://a.*.example.com\"",
        "16:11: routes[0].origins.allow[5]: port must be between 1 and 65535, got \"https://app.example.com:0\"",
        "17:11: routes[0].origins.allow[6]: must be ASCII without spaces (write an international domain name in its"
            + " xn-- form), got \"https://bücher.example\"",
        "18:11: routes[0].origins.allow[7]: invalid host \"-bad-.example.com\" in \"https://-bad-.example.com\"",
        "20:11: routes[0].origins.allow[9]: duplicate origin \"https://app.example.com\"",
        "21:11: routes[0].origins.allow[10]: \"*\" must be the only entry"), errors(yaml));
  }

  @Test
  void originMatchingFollowsTheNormalizedForms() {
    List<String> allow = List.of("https://app.example.com", "https://*.example.org", "http://localhost:8080");
    assertTrue(Origins.allowed(allow, Origins.normalize("https://APP.example.com:443")));
    assertTrue(Origins.allowed(allow, Origins.normalize("https://chat.example.org")));
    assertFalse(Origins.allowed(allow, Origins.normalize("https://example.org")), "the wildcard needs one label");
    assertFalse(Origins.allowed(allow, Origins.normalize("https://a.b.example.org")), "only one label");
    assertFalse(Origins.allowed(allow, Origins.normalize("http://chat.example.org")), "the scheme must match");
    assertFalse(Origins.allowed(allow, Origins.normalize("https://chat.example.org:8443")), "the port must match");
    assertFalse(Origins.allowed(allow, Origins.normalize("https://evil-example.org")));
    assertFalse(Origins.allowed(allow, Origins.normalize("https://app.example.com.evil.net")));
    assertTrue(Origins.allowed(allow, Origins.normalize("http://localhost:8080")));
    assertFalse(Origins.allowed(allow, Origins.normalize("http://localhost")));
    assertTrue(Origins.allowed(List.of("*"), Origins.normalize("https://anything.example")));
    assertNull(Origins.normalize(null));
    assertNull(Origins.normalize("null"));
    assertNull(Origins.normalize("https://a.example.com/path"));
    assertNull(Origins.normalize("https://*.example.com"), "a wildcard is not an origin");
  }

  // --- auth ---

  @Test
  void everyAuthFieldParses() throws Exception {
    Auth auth = security(ANY_ORIGIN + "    auth:\n"
        + "      issuers: [dev]\n"
        + "      tokenFrom: [subprotocol, \"cookie:session\", \"query:access_token\", authorization]\n"
        + "      scopes: [chat, read]\n"
        + "      roles: [admin]\n"
        + "      claims: { tenant: acme, level: 3 }\n"
        + "      subjectHeader: X-User\n"
        + "      forwardClaims: { tenant: X-Tenant, email: x-email }\n"
        + "      reauth: true\n"
        + "      mode: monitor\n").auth();
    assertEquals(new Auth(false, List.of("dev"), List.of(new TokenSource(TokenSource.Kind.SUBPROTOCOL, null),
            new TokenSource(TokenSource.Kind.COOKIE, "session"), new TokenSource(TokenSource.Kind.QUERY, "access_token"),
            new TokenSource(TokenSource.Kind.AUTHORIZATION, null)), List.of("chat", "read"), List.of("admin"),
        Map.of("tenant", "acme", "level", "3"), "x-user", Map.of("tenant", "x-tenant", "email", "x-email"), true,
        Mode.MONITOR), auth);
  }

  @Test
  void authDefaults() throws Exception {
    assertEquals(new Auth(false, List.of("dev"), DEFAULT_SOURCES, List.of(), List.of(), Map.of(), "x-wsgate-subject",
        Map.of(), false, Mode.ENFORCE), security(ANY_ORIGIN + "    auth: { issuers: [dev] }\n").auth());
    assertEquals(new Auth(true, List.of(), List.of(), List.of(), List.of(), Map.of(), null, Map.of(), false,
        Mode.MONITOR), security(ANY_ORIGIN + "    auth: { anonymous: true, mode: monitor }\n").auth());
  }

  @Test
  void anonymousExcludesEverythingElse() throws Exception {
    assertEquals(List.of(
            "10:39: routes[0].auth.issuers: not allowed with anonymous: true (a route is either anonymous or lists its"
                + " issuers)",
            "10:54: routes[0].auth.reauth: not allowed with anonymous: true (a route is either anonymous or lists its"
                + " issuers)"),
        errors(HEAD + ANY_ORIGIN + "    auth: { anonymous: true, issuers: [dev], reauth: true }\n"));
  }

  @Test
  void authNeedsIssuersUnlessAnonymous() throws Exception {
    assertEquals("10:11: routes[0].auth.issuers: required (the issuers this route trusts), or anonymous: true",
        onlyError(HEAD + ANY_ORIGIN + "    auth: { anonymous: false, scopes: [chat] }\n"));
    assertEquals("10:22: routes[0].auth.issuers: must list at least one issuer (or use anonymous: true)",
        onlyError(HEAD + ANY_ORIGIN + "    auth: { issuers: [] }\n"));
    assertEquals(List.of(
            "10:11: routes[0].auth.issuers: required (the issuers this route trusts), or anonymous: true",
            "10:13: routes[0].auth.isuers: unknown key (expected one of: anonymous, issuers, tokenFrom, scopes, roles,"
                + " claims, subjectHeader, forwardClaims, reauth, mode)"),
        errors(HEAD + ANY_ORIGIN + "    auth: { isuers: [dev] }\n"));
  }

  @Test
  void badTokenSources() throws Exception {
    assertEquals(List.of(
        "10:41: routes[0].auth.tokenFrom[0]: expected authorization, subprotocol, cookie:<name> or query:<name>, got"
            + " \"header:x-token\"",
        "10:57: routes[0].auth.tokenFrom[1]: expected authorization, subprotocol, cookie:<name> or query:<name>, got"
            + " \"cookie:\"",
        "10:68: routes[0].auth.tokenFrom[2]: expected authorization, subprotocol, cookie:<name> or query:<name>, got"
            + " \"Authorization\"",
        "10:83: routes[0].auth.tokenFrom[3]: expected authorization, subprotocol, cookie:<name> or query:<name>, got"
            + " \"query:a=b\"",
        "10:109: routes[0].auth.tokenFrom[5]: duplicate token source \"subprotocol\""),
        errors(HEAD + ANY_ORIGIN + "    auth: { issuers: [dev], tokenFrom: [header:x-token, \"cookie:\", Authorization,"
            + " \"query:a=b\", subprotocol, subprotocol] }\n"));
    assertEquals("10:40: routes[0].auth.tokenFrom: must list at least one token source",
        onlyError(HEAD + ANY_ORIGIN + "    auth: { issuers: [dev], tokenFrom: [] }\n"));
  }

  @Test
  void badHeadersScopesAndClaims() throws Exception {
    String yaml = HEAD + ANY_ORIGIN + "    auth:\n"
        + "      issuers: [dev]\n"                                     // 11
        + "      scopes: [chat, chat, \"two words\"]\n"                // 12
        + "      claims: { tenant: [a, b] }\n"                         // 13
        + "      subjectHeader: Connection\n"                          // 14
        + "      forwardClaims: { a: x-wsgate-subject, b: x-b, c: X-B, d: \"bad header\" }\n"; // 15
    assertEquals(List.of(
        "12:22: routes[0].auth.scopes[1]: duplicate scope \"chat\"",
        "12:28: routes[0].auth.scopes[2]: a scope is one non-empty word, got \"two words\"",
        "13:25: routes[0].auth.claims.tenant: expected a string, got a list",
        "14:22: routes[0].auth.subjectHeader: \"connection\" is a hop-by-hop or handshake header and is never forwarded",
        "15:27: routes[0].auth.forwardClaims.a: \"x-wsgate-subject\" already carries the subject (subjectHeader)",
        "15:56: routes[0].auth.forwardClaims.c: duplicate header \"x-b\"",
        "15:64: routes[0].auth.forwardClaims.d: invalid header name \"bad header\""), errors(yaml));
    assertEquals("10:44: routes[0].auth.subjectHeader: expected a header name, got \"*\"",
        onlyError(HEAD + ANY_ORIGIN + "    auth: { issuers: [dev], subjectHeader: '*' }\n"));
  }
}
