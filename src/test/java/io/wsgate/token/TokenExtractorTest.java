package io.wsgate.token;

import io.vertx.core.MultiMap;
import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.policy.TokenSource;
import io.wsgate.policy.TokenSource.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenExtractorTest {
  private static final String JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
  private static final TokenSource AUTHORIZATION = new TokenSource(Kind.AUTHORIZATION, null);
  private static final TokenSource SUBPROTOCOL = new TokenSource(Kind.SUBPROTOCOL, null);
  private static final TokenSource COOKIE = new TokenSource(Kind.COOKIE, "access_token");
  private static final TokenSource QUERY = new TokenSource(Kind.QUERY, "access_token");
  private static final List<TokenSource> ALL = List.of(AUTHORIZATION, SUBPROTOCOL, COOKIE, QUERY);

  private static HandshakeRequest request(String query, List<String> subprotocols, String... headerPairs) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headerPairs.length; i += 2) {
      headers.add(headerPairs[i], headerPairs[i + 1]);
    }
    return new HandshakeRequest("req-1", "127.0.0.1", "127.0.0.1", new byte[] {127, 0, 0, 1}, true, "localhost", "/chat",
        query, headers, subprotocols, null, System.nanoTime(), null, false, headers.get("cookie"));
  }

  @Test
  void bearerAuthorizationHeaderInAnyCase() {
    for (String scheme : List.of("Bearer", "bearer", "BEARER", "bEaReR")) {
      Extraction e = TokenExtractor.extract(request(null, List.of(), "Authorization", scheme + " " + JWT), ALL);
      assertEquals(JWT, e.token(), scheme);
      assertEquals(Kind.AUTHORIZATION, e.source());
      assertTrue(e.found());
    }
    assertEquals(JWT, TokenExtractor.extract(request(null, List.of(), "authorization", "Bearer   " + JWT + " "),
        List.of(AUTHORIZATION)).token(), "extra spaces are not part of the token");
  }

  @Test
  void otherSchemesEmptyOrDuplicateAuthorizationYieldNothing() {
    for (HandshakeRequest r : List.of(
        request(null, List.of(), "Authorization", "Basic YWxpY2U6c2VjcmV0"),
        request(null, List.of(), "Authorization", "Bearer"),
        request(null, List.of(), "Authorization", "Bearer   "),
        request(null, List.of(), "Authorization", "Bearer" + JWT),
        request(null, List.of(), "Authorization", "Bearer " + JWT, "Authorization", "Bearer other"),
        request(null, List.of()))) {
      Extraction e = TokenExtractor.extract(r, List.of(AUTHORIZATION));
      assertNull(e.token());
      assertNull(e.source());
      assertFalse(e.found());
    }
  }

  @Test
  void bearerSubprotocolTokenIsTakenAndStrippedFromTheOffers() {
    Extraction e = TokenExtractor.extract(request(null, List.of("bearer", JWT, "chat.v1")), List.of(SUBPROTOCOL));

    assertEquals(JWT, e.token());
    assertEquals(Kind.SUBPROTOCOL, e.source());
    assertEquals(List.of("chat.v1"), e.subprotocols(), "only chat.v1 goes upstream");
    assertTrue(e.bearerOffered(), "answer the client with bearer if the upstream picks nothing");

    Extraction middle = TokenExtractor.extract(request(null, List.of("chat.v2", "bearer", JWT, "chat.v1")),
        List.of(SUBPROTOCOL));
    assertEquals(JWT, middle.token());
    assertEquals(List.of("chat.v2", "chat.v1"), middle.subprotocols());

    Extraction only = TokenExtractor.extract(request(null, List.of("bearer", JWT)), List.of(SUBPROTOCOL));
    assertEquals(List.of(), only.subprotocols());
    assertTrue(only.bearerOffered());
  }

  /** Fuzz finding: only the first bearer pair was stripped, so a second token went upstream. */
  @Test
  void everyBearerPairIsStrippedNotOnlyTheFirst() {
    Extraction e = TokenExtractor.extract(request(null, List.of("bearer", JWT, "chat.v1", "bearer", "second-token")),
        List.of(SUBPROTOCOL));
    assertEquals(JWT, e.token(), "the first pair's token is the one verified");
    assertEquals(List.of("chat.v1"), e.subprotocols());

    Extraction trailing = TokenExtractor.extract(request(null, List.of("bearer", "bearer", "bearer")),
        List.of(SUBPROTOCOL));
    assertEquals(List.of(), trailing.subprotocols(), "no bearer offer goes upstream");
  }

  @Test
  void bearerOfferWithoutATokenAfterItYieldsNoToken() {
    Extraction e = TokenExtractor.extract(request(null, List.of("chat.v1", "bearer")), List.of(SUBPROTOCOL));
    assertNull(e.token());
    assertTrue(e.bearerOffered());
    assertEquals(List.of("chat.v1"), e.subprotocols());

    Extraction caseMatters = TokenExtractor.extract(request(null, List.of("Bearer", JWT)), List.of(SUBPROTOCOL));
    assertNull(caseMatters.token(), "subprotocol names are case-sensitive (RFC 6455 §4.1)");
    assertFalse(caseMatters.bearerOffered());
    assertEquals(List.of("Bearer", JWT), caseMatters.subprotocols());
  }

  @Test
  void namedCookieIsTakenAndRemovedFromTheForwardedCookieHeader() {
    Extraction e = TokenExtractor.extract(request(null, List.of(),
        "Cookie", "theme=dark; access_token=" + JWT + "; lang=en"), List.of(COOKIE));

    assertEquals(JWT, e.token());
    assertEquals(Kind.COOKIE, e.source());
    assertEquals("theme=dark; lang=en", e.cookieHeader());

    Extraction quoted = TokenExtractor.extract(request(null, List.of(), "Cookie", "access_token=\"" + JWT + "\""),
        List.of(COOKIE));
    assertEquals(JWT, quoted.token());
    assertNull(quoted.cookieHeader(), "no cookie left to forward");

    Extraction twoHeaders = TokenExtractor.extract(request(null, List.of(), "Cookie", "a=1", "Cookie",
        "access_token=" + JWT + ";b=2"), List.of(COOKIE));
    assertEquals(JWT, twoHeaders.token());
    assertEquals("a=1; b=2", twoHeaders.cookieHeader());

    Extraction similarName = TokenExtractor.extract(request(null, List.of(), "Cookie", "my_access_token=x; Access_Token=y"),
        List.of(COOKIE));
    assertNull(similarName.token(), "cookie names match exactly");
    assertEquals("my_access_token=x; Access_Token=y", similarName.cookieHeader(), "left as sent");
  }

  @Test
  void queryParameterIsTakenAndRemovedFromTheForwardedQuery() {
    Extraction e = TokenExtractor.extract(request("room=1&access_token=" + JWT + "&x=%20y", List.of()),
        List.of(QUERY));

    assertEquals(JWT, e.token());
    assertEquals(Kind.QUERY, e.source());
    assertEquals("room=1&x=%20y", e.query(), "other parameters forwarded exactly as written");

    Extraction alone = TokenExtractor.extract(request("access_token=" + JWT, List.of()), List.of(QUERY));
    assertEquals(JWT, alone.token());
    assertNull(alone.query());

    Extraction repeated = TokenExtractor.extract(request("access_token=" + JWT + "&a=1&access_token=second&access%5Ftoken=third",
        List.of()), List.of(QUERY));
    assertEquals(JWT, repeated.token(), "the first occurrence");
    assertEquals("a=1", repeated.query(), "every occurrence removed, encoded names too");

    Extraction untouched = TokenExtractor.extract(request("a=1&&b=%zz", List.of()), List.of(QUERY));
    assertNull(untouched.token());
    assertEquals("a=1&&b=%zz", untouched.query());

    Extraction empty = TokenExtractor.extract(request("access_token=&a=1", List.of()), List.of(QUERY));
    assertNull(empty.token());
    assertEquals("a=1", empty.query(), "an empty token parameter is still removed");
  }

  @Test
  void theFirstSourceWinsButEveryConfiguredSourceIsStripped() {
    HandshakeRequest r = request("access_token=from-query&room=1", List.of("bearer", "from-subprotocol", "chat.v1"),
        "Authorization", "Bearer from-header", "Cookie", "access_token=from-cookie; theme=dark");

    Extraction e = TokenExtractor.extract(r, ALL);
    assertEquals("from-header", e.token());
    assertEquals(Kind.AUTHORIZATION, e.source());
    assertEquals(List.of("chat.v1"), e.subprotocols());
    assertTrue(e.bearerOffered());
    assertEquals("room=1", e.query());
    assertEquals("theme=dark", e.cookieHeader());

    assertEquals("from-query", TokenExtractor.extract(r, List.of(QUERY, COOKIE)).token());
    assertEquals("from-cookie", TokenExtractor.extract(r, List.of(COOKIE, QUERY)).token());
    assertEquals("from-subprotocol", TokenExtractor.extract(r, List.of(SUBPROTOCOL, AUTHORIZATION)).token());
  }

  @Test
  void unconfiguredSourcesAreNeitherReadNorStripped() {
    HandshakeRequest r = request("access_token=" + JWT, List.of("bearer", JWT), "Cookie", "access_token=" + JWT);

    Extraction e = TokenExtractor.extract(r, List.of(AUTHORIZATION));
    assertNull(e.token());
    assertEquals("access_token=" + JWT, e.query());
    assertEquals(List.of("bearer", JWT), e.subprotocols());
    assertFalse(e.bearerOffered());
    assertEquals("access_token=" + JWT, e.cookieHeader());
  }
}
