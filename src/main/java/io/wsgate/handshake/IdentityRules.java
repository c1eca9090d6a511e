package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import io.wsgate.token.VerifiedToken;
import io.wsgate.upstream.UpstreamHeaders;

import java.util.List;
import java.util.Map;

/**
 * What a token whose signature and times were verified must still satisfy before it stands for a
 * session: the same rules at the handshake ({@link TokenGuard}, {@link AuthorizationGuard}) and at
 * in-band re-authentication, so a fresh token can never do what the first one could not.
 */
public final class IdentityRules {
  private IdentityRules() {
  }

  /**
   * Authentication beyond the signature: a subject that means exactly one thing (the revocation
   * list, the per-subject cap, the audit and the upstream all key on the same string), not revoked,
   * and every forwarded claim sendable upstream exactly as it is.
   *
   * @return null when the token may authenticate a session on this route, else why not
   */
  public static Reason authenticationRefusal(VerifiedToken token, Auth auth, Revocations revocations) {
    String subject = token.subject();
    if (!UpstreamHeaders.unambiguous(subject)
        || auth.subjectHeader() != null && !UpstreamHeaders.forwardable(subject)) {
      return Reason.SUBJECT_INVALID;
    }
    if (revocations.isRevoked(new SubjectId(token.issuerName(), subject))) {
      return Reason.TOKEN_REVOKED;
    }
    for (String claim : auth.forwardClaims().keySet()) {
      Object value = token.claims().get(claim);
      if (value != null && !UpstreamHeaders.forwardable(UpstreamHeaders.claimText(value))) {
        return Reason.CLAIM_NOT_FORWARDABLE;
      }
    }
    return null;
  }

  /**
   * Every required scope, at least one listed role (when roles are listed), and each required claim:
   * a claim whose value is a list matches when one of its items equals the required value
   * ({@code groups: [staff, admin]} satisfies {@code groups: admin}); any other value matches when its
   * text equals it.
   */
  public static boolean authorized(Auth auth, Identity identity) {
    if (!identity.scopes().containsAll(auth.scopes())) {
      return false;
    }
    if (!auth.roles().isEmpty() && auth.roles().stream().noneMatch(identity.roles()::contains)) {
      return false;
    }
    for (Map.Entry<String, String> required : auth.claims().entrySet()) {
      if (!claimMatches(identity.claims().get(required.getKey()), required.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static boolean claimMatches(Object actual, String required) {
    if (actual instanceof List<?> items) {
      for (Object item : items) {
        if (item != null && !(item instanceof Map || item instanceof List) && required.equals(String.valueOf(item))) {
          return true;
        }
      }
      return false;
    }
    return actual != null && !(actual instanceof Map) && required.equals(String.valueOf(actual));
  }

  public static Identity identity(VerifiedToken token) {
    return new Identity(token.subject(), token.issuerName(), token.expiresAt(), token.scopes(), token.roles(),
        token.claims());
  }
}
