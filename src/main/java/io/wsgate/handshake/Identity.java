package io.wsgate.handshake;

import io.wsgate.limits.SubjectId;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Who a verified token says the client is; null on anonymous routes. */
public record Identity(String subject, String issuer, Instant expiresAt, Set<String> scopes, List<String> roles,
                       Map<String, Object> claims) {
  public Identity {
    scopes = Set.copyOf(scopes);
    roles = List.copyOf(roles);
    claims = Map.copyOf(claims);
  }

  /** Who this is, per issuer: what caps, buckets and revocations key on. */
  public SubjectId subjectId() {
    return new SubjectId(issuer, subject);
  }
}
