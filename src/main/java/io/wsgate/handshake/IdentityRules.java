package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import io.wsgate.token.VerifiedToken;
import io.wsgate.upstream.UpstreamHeaders;

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

  /** Every required scope, at least one listed role (when roles are listed), and exact claim values. */
  public static boolean authorized(Auth auth, Identity identity) {
    if (!identity.scopes().containsAll(auth.scopes())) {
      return false;
    }
    if (!auth.roles().isEmpty() && auth.roles().stream().noneMatch(identity.roles()::contains)) {
      return false;
    }
    for (Map.Entry<String, String> required : auth.claims().entrySet()) {
      Object actual = identity.claims().get(required.getKey());
      if (actual == null || !required.getValue().equals(String.valueOf(actual))) {
        return false;
      }
    }
    return true;
  }

  public static Identity identity(VerifiedToken token) {
    return new Identity(token.subject(), token.issuerName(), token.expiresAt(), token.scopes(), token.roles(),
        token.claims());
  }
}
