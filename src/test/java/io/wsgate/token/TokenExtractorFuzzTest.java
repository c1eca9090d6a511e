package io.wsgate.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.MultiMap;
import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.policy.TokenSource;
import io.wsgate.policy.TokenSource.Kind;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target for {@link TokenExtractor}: any headers, query, cookies and subprotocol offers, with
 * any source order. It never throws, a found token is non-empty and came from a configured source,
 * and nothing forwarded upstream still carries a configured credential (no query parameter or
 * cookie of the source's name, no {@code bearer} offer). Seeds: {@code TokenExtractorFuzzTestInputs/}.
 */
class TokenExtractorFuzzTest {
  private static final String NAME = "access_token";

  @FuzzTest
  void extractsAndStripsEveryConfiguredSource(FuzzedDataProvider data) {
    List<TokenSource> sources = new ArrayList<>();
    int count = data.consumeInt(0, 5);
    for (int i = 0; i < count; i++) {
      Kind kind = data.pickValue(Kind.values());
      sources.add(new TokenSource(kind, kind == Kind.COOKIE || kind == Kind.QUERY ? NAME : null));
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    int headerCount = data.consumeInt(0, 4);
    for (int i = 0; i < headerCount; i++) {
      headers.add(data.pickValue(new String[] {"authorization", "Authorization", "cookie", "Cookie", "x-other"}),
          data.consumeString(200));
    }
    List<String> offers = new ArrayList<>();
    int offerCount = data.consumeInt(0, 6);
    for (int i = 0; i < offerCount; i++) {
      offers.add(data.consumeBoolean() ? "bearer" : data.consumeString(100));
    }
    String query = data.consumeBoolean() ? null : data.consumeRemainingAsString();
    HandshakeRequest request = new HandshakeRequest("fuzz", "127.0.0.1", "127.0.0.1", new byte[] {127, 0, 0, 1},
        true, "localhost", "/chat", query, headers, data.consumeBoolean() ? null : offers, null, 0L, null, false,
        headers.get("cookie"));

    Extraction e = TokenExtractor.extract(request, sources);

    assertNotNull(e.subprotocols());
    if (e.found()) {
      assertFalse(e.token().isEmpty(), "a found token is never empty");
      assertTrue(sources.stream().anyMatch(s -> s.kind() == e.source()), "token from an unconfigured source");
    } else {
      assertNull(e.source());
    }
    if (sources.stream().anyMatch(s -> s.kind() == Kind.QUERY) && e.query() != null) {
      for (String param : e.query().split("&", -1)) {
        int eq = param.indexOf('=');
        assertFalse(decode(eq < 0 ? param : param.substring(0, eq)).equals(NAME),
            () -> "token parameter forwarded in " + e.query());
      }
    }
    if (sources.stream().anyMatch(s -> s.kind() == Kind.COOKIE) && e.cookieHeader() != null) {
      for (String pair : e.cookieHeader().split(";")) {
        String trimmed = pair.strip();
        int eq = trimmed.indexOf('=');
        assertFalse((eq < 0 ? trimmed : trimmed.substring(0, eq).strip()).equals(NAME),
            () -> "token cookie forwarded in " + e.cookieHeader());
      }
    }
    if (sources.stream().anyMatch(s -> s.kind() == Kind.SUBPROTOCOL)) {
      assertFalse(e.subprotocols().contains(TokenExtractor.BEARER_SUBPROTOCOL),
          () -> "bearer offer forwarded in " + e.subprotocols());
      assertEquals(offers.contains(TokenExtractor.BEARER_SUBPROTOCOL) && request.subprotocols() != null,
          e.bearerOffered());
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
