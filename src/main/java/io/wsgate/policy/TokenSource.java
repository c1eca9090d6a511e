package io.wsgate.policy;

/**
 * Where a route looks for the token, in the order listed.
 * {@code AUTHORIZATION}: {@code Authorization: Bearer <t>}; {@code SUBPROTOCOL}: a
 * {@code Sec-WebSocket-Protocol} offer of {@code bearer, <t>} (browsers cannot set headers);
 * {@code COOKIE}: cookie {@code name}; {@code QUERY}: query parameter {@code name} (opt-in only,
 * redacted everywhere).
 */
public record TokenSource(Kind kind, String name) {
  public enum Kind { AUTHORIZATION, SUBPROTOCOL, COOKIE, QUERY }

  /** As a policy writes it: {@code authorization}, {@code subprotocol}, {@code cookie:<name>}, {@code query:<name>}. */
  public String policyText() {
    String kindName = kind.name().toLowerCase(java.util.Locale.ROOT);
    return name == null ? kindName : kindName + ":" + name;
  }
}
