package io.wsgate.token;

import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.policy.TokenSource;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the access token in an upgrade request, trying the route's sources in order; the first
 * source that yields a token wins. Every configured source is also stripped from what goes
 * upstream (the {@code bearer} subprotocol offer, the query parameter, the cookie), whichever
 * source won, so a credential is never forwarded.
 *
 * <ul>
 *   <li>{@code AUTHORIZATION}: exactly one {@code Authorization} header, scheme {@code Bearer} in
 *       any case (RFC 6750 §2.1, RFC 9110 §11.1). Two such headers are ambiguous and yield nothing.
 *   <li>{@code SUBPROTOCOL}: the offer {@code bearer} (exact, subprotocol names are
 *       case-sensitive) followed immediately by the token as the next offer. Every such pair is
 *       stripped, not only the first.
 *   <li>{@code COOKIE}: the first cookie with the source's name (surrounding quotes removed).
 *   <li>{@code QUERY}: the first non-empty parameter with the source's name (names and values
 *       percent-decoded).
 * </ul>
 *
 * Pure function of the request: no I/O, safe on the event loop.
 */
public final class TokenExtractor {
  public static final String BEARER_SUBPROTOCOL = "bearer";

  private TokenExtractor() {
  }

  public static Extraction extract(HandshakeRequest req, List<TokenSource> sources) {
    String token = null;
    TokenSource.Kind kind = null;
    List<String> offers = req.subprotocols() == null ? List.of() : req.subprotocols();
    List<String> subprotocols = offers;
    boolean bearerOffered = false;
    String query = req.query();
    String cookies = String.join("; ", req.headers().getAll("cookie"));
    cookies = cookies.isEmpty() ? null : cookies;
    for (TokenSource source : sources) {
      String found = null;
      switch (source.kind()) {
        case AUTHORIZATION -> found = authorization(req);
        case SUBPROTOCOL -> {
          int at = offers.indexOf(BEARER_SUBPROTOCOL);
          if (at >= 0) {
            bearerOffered = true;
            found = at + 1 < offers.size() ? offers.get(at + 1) : null;
            subprotocols = withoutBearerOffers(offers);
          }
        }
        case COOKIE -> {
          String[] split = cookie(cookies, source.name());
          found = split[0];
          cookies = split[1];
        }
        case QUERY -> {
          String[] split = queryParameter(query, source.name());
          found = split[0];
          query = split[1];
        }
      }
      if (token == null && found != null && !found.isEmpty()) {
        token = found;
        kind = source.kind();
      }
    }
    return new Extraction(token, kind, subprotocols, query, bearerOffered, cookies);
  }

  /** Every {@code bearer} offer and the entry after it: a second pair is a credential too. */
  private static List<String> withoutBearerOffers(List<String> offers) {
    List<String> rest = new ArrayList<>(offers.size());
    for (int i = 0; i < offers.size(); i++) {
      if (offers.get(i).equals(BEARER_SUBPROTOCOL)) {
        i++;
      } else {
        rest.add(offers.get(i));
      }
    }
    return rest;
  }

  private static String authorization(HandshakeRequest req) {
    List<String> values = req.headers().getAll("authorization");
    if (values.size() != 1) {
      return null;
    }
    String value = values.get(0).strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
      return null;
    }
    String token = value.substring(space + 1).strip();
    return token.isEmpty() ? null : token;
  }

  /** {token or null, remaining cookie header or null}. */
  private static String[] cookie(String header, String name) {
    if (header == null) {
      return new String[] {null, null};
    }
    String token = null;
    boolean removed = false;
    StringBuilder rest = new StringBuilder();
    for (String pair : header.split(";")) {
      String trimmed = pair.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      int eq = trimmed.indexOf('=');
      String cookieName = eq < 0 ? trimmed : trimmed.substring(0, eq).strip();
      if (cookieName.equals(name)) {
        removed = true;
        if (token == null) {
          String value = eq < 0 ? "" : trimmed.substring(eq + 1).strip();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          token = value.isEmpty() ? null : value;
        }
        continue;
      }
      if (rest.length() > 0) {
        rest.append("; ");
      }
      rest.append(trimmed);
    }
    return new String[] {token, !removed ? header : rest.length() == 0 ? null : rest.toString()};
  }

  /** {token or null, the raw query without every {@code name} parameter, or null if empty}. */
  private static String[] queryParameter(String query, String name) {
    if (query == null || query.isEmpty()) {
      return new String[] {null, query};
    }
    String token = null;
    boolean removed = false;
    StringBuilder rest = new StringBuilder();
    for (String param : query.split("&", -1)) {
      int eq = param.indexOf('=');
      String rawName = eq < 0 ? param : param.substring(0, eq);
      if (decode(rawName).equals(name)) {
        removed = true;
        String value = eq < 0 ? "" : decode(param.substring(eq + 1));
        if (token == null && !value.isEmpty()) {
          token = value;
        }
        continue;
      }
      if (param.isEmpty()) {
        continue;
      }
      if (rest.length() > 0) {
        rest.append('&');
      }
      rest.append(param);
    }
    return new String[] {token, !removed ? query : rest.length() == 0 ? null : rest.toString()};
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // malformed escape: compare and use as written
    }
  }
}
