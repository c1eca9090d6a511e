package io.wsgate.token;

import io.wsgate.policy.TokenSource;

import java.util.List;

/**
 * What {@link TokenExtractor} found, and what may be forwarded upstream without the credential.
 *
 * @param token         the token, or null if no configured source had one
 * @param source        where it came from, or null with no token
 * @param subprotocols  the client's offers to forward upstream: when the route reads
 *                      {@code SUBPROTOCOL}, without {@code bearer} and the entry after it
 * @param query         the raw query to forward upstream (no {@code ?}): when the route reads
 *                      {@code QUERY}, without every occurrence of that parameter; null if nothing is left
 * @param bearerOffered the client offered {@code bearer} (route reads {@code SUBPROTOCOL}): if the
 *                      upstream selects no subprotocol, answer the client with {@code bearer}, since
 *                      browsers fail a handshake whose answer is not one of their offers
 * @param cookieHeader  the {@code Cookie} value to forward if cookies are forwarded: all of the
 *                      client's cookies joined by {@code "; "}, without the token cookie(s) of a
 *                      {@code COOKIE} source; null if none is left
 */
public record Extraction(String token, TokenSource.Kind source, List<String> subprotocols, String query,
                         boolean bearerOffered, String cookieHeader) {
  public Extraction {
    subprotocols = List.copyOf(subprotocols);
  }

  public boolean found() {
    return token != null;
  }
}
