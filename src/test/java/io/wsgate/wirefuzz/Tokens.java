package io.wsgate.wirefuzz;

import io.wsgate.testing.DevKeyIssuer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Real tokens for each {@link Credential}, signed once by the fuzzed gateway's issuer. */
final class Tokens {
  private final Map<Credential, String> bySubject = new EnumMap<>(Credential.class);

  Tokens(DevKeyIssuer issuer) {
    for (Credential c : Credential.values()) {
      if (c.subject != null) {
        bySubject.put(c, issuer.mint(c.subject, Duration.ofHours(2)));
      }
    }
  }

  /** The Authorization header values for the credential, in order. */
  List<String> authorization(Credential credential) {
    return switch (credential) {
      case NONE -> List.of();
      case TWO_HEADERS -> List.of(bearer(Credential.ALICE), bearer(Credential.BOB));
      case PADDED_ALICE -> List.of("Bearer  \t" + bySubject.get(Credential.ALICE) + "  ");
      case GARBAGE -> List.of("Bearer not.a.token");
      default -> List.of(bearer(credential));
    };
  }

  private String bearer(Credential credential) {
    return "Bearer " + bySubject.get(credential);
  }
}
