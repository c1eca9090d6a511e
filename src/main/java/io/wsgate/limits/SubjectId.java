package io.wsgate.limits;

import java.util.Objects;

/**
 * Who a verified client is: the policy name of the issuer that vouched for it, and its {@code sub}.
 * Subjects are per issuer: two issuers' {@code alice} are two people, with separate caps, buckets
 * and revocations.
 *
 * @param issuer  an issuer's policy name, or {@link #ANY_ISSUER} in a revocation that covers all
 * @param subject the {@code sub} claim as verified
 */
public record SubjectId(String issuer, String subject) {
  /** Stands for every issuer in a revocation; never an issuer's name (those are identifiers). */
  public static final String ANY_ISSUER = "*";

  public SubjectId {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
  }

  /**
   * One string for keyed state (limiters, buckets). Unambiguous: an issuer name is an identifier
   * and a subject never holds a control character (IdentityRules refuses such tokens).
   */
  public String key() {
    return issuer + '\u001f' + subject;
  }

  /** Whether a revocation of this id applies to {@code other}: the same one, or its subject from any issuer. */
  public boolean covers(SubjectId other) {
    return subject.equals(other.subject) && (issuer.equals(ANY_ISSUER) || issuer.equals(other.issuer));
  }

  @Override
  public String toString() {
    return subject + " (" + issuer + ")";
  }
}
