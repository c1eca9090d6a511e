package io.wsgate.wirefuzz;

/** What an upgrade carries in {@code Authorization}; tokens are real, signed by the fuzzed gateway's issuer. */
enum Credential {
  NONE(null),
  ALICE("alice"),
  BOB("bob"),
  /** {@code sub} with a leading space: must not count as, nor release, alice's connection. */
  SPACE_ALICE(" alice"),
  /** {@code sub} with a trailing space. */
  ALICE_SPACE("alice "),
  /** Two Authorization headers, alice's token then bob's. */
  TWO_HEADERS(null),
  /** alice's token with spaces and a tab around it. */
  PADDED_ALICE(null),
  /** Not a JWT. */
  GARBAGE(null);

  /** The subject the token is minted for; null when there is no token of its own. */
  final String subject;

  Credential(String subject) {
    this.subject = subject;
  }
}
