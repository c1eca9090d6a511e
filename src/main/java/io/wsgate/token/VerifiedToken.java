package io.wsgate.token;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A token whose signature, issuer, audience and times were checked.
 *
 * @param subject    the non-empty {@code sub} claim
 * @param issuerName the policy name of the issuer that vouched for it (not the {@code iss} URL)
 * @param expiresAt  the {@code exp} claim (sessions close when it passes)
 * @param scopes     from {@code scope} (space-separated) and/or {@code scp} (list or space-separated string)
 * @param roles      the string entries of the {@code roles} claim (a list, or a single string)
 * @param claims     every claim as sent, as JSON values: String, Boolean, Long or Double, List, Map
 *                   (times such as {@code exp} are epoch seconds); read-only at every level
 */
public record VerifiedToken(String subject, String issuerName, Instant expiresAt, Set<String> scopes,
                            List<String> roles, Map<String, Object> claims) {
  public VerifiedToken {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuerName, "issuerName");
    Objects.requireNonNull(expiresAt, "expiresAt");
    scopes = Set.copyOf(scopes);
    roles = List.copyOf(roles);
    Objects.requireNonNull(claims, "claims");
  }
}
