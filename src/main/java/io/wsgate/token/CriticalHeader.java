package io.wsgate.token;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JWS {@code crit} header parameter (RFC 7515 §4.1.11), checked on the header JSON as sent:
 * Nimbus keeps {@code crit} as a set, so it cannot see a duplicate, and it passes {@code []}.
 *
 * <p>wsgate understands one extension, {@code b64} (RFC 7797 §6 requires it to be listed here);
 * {@code b64: false} itself is refused elsewhere. Any other listed name makes the token invalid.
 */
final class CriticalHeader {
  private static final String CRIT = "crit";
  /** Understood, and so allowed in {@code crit}. */
  private static final Set<String> UNDERSTOOD = Set.of("b64");
  /** RFC 7515 §4.1 names, which producers must not list (JWA, RFC 7518, defines none more for JWS). */
  private static final Set<String> STANDARD = Set.of("alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256",
      "typ", "cty", "crit");

  private CriticalHeader() {
  }

  /**
   * @throws TokenRejection when {@code crit} is present and is not a list of distinct, understood
   *     names that the header carries
   */
  static void check(Map<String, Object> header) {
    if (!header.containsKey(CRIT)) {
      return;
    }
    if (!(header.get(CRIT) instanceof List<?> names)) {
      throw TokenRejection.invalid("malformed token header");
    }
    if (names.isEmpty()) {
      throw TokenRejection.invalid("crit header must not be empty"); // RFC 7515 §4.1.11: "MUST NOT use the empty list"
    }
    Set<String> seen = new HashSet<>();
    for (Object o : names) {
      if (!(o instanceof String name)) {
        throw TokenRejection.invalid("malformed token header");
      }
      if (!seen.add(name)) {
        throw TokenRejection.invalid("crit header lists a parameter twice");
      }
      if (STANDARD.contains(name)) {
        throw TokenRejection.invalid("crit header lists a standard header parameter");
      }
      if (!header.containsKey(name)) {
        throw TokenRejection.invalid("crit header lists an absent parameter");
      }
      if (!UNDERSTOOD.contains(name)) {
        throw TokenRejection.invalid("unsupported critical header parameter");
      }
    }
  }
}
