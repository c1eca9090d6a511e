package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.limits.Revocations;
import io.wsgate.token.Extraction;
import io.wsgate.token.TokenExtractor;
import io.wsgate.token.TokenRejection;
import io.wsgate.token.TokenVerifier;
import io.wsgate.token.VerifiedToken;

/**
 * Authenticates the client with a JWT from the route's token sources, verified against the
 * route's issuers (signature, algorithm allowlist, iss, aud, exp, nbf, required claims), then
 * by {@link IdentityRules} (a subject that means one thing, not revoked, forwardable claims). The token is stripped from what goes upstream (subprotocol offers,
 * query, cookie) whatever the outcome. Waits on key fetches without blocking.
 */
public final class TokenGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  private final TokenVerifier verifier;
  private final Revocations revocations;

  public TokenGuard(TokenVerifier verifier, Revocations revocations) {
    this.verifier = verifier;
    this.revocations = revocations;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    Auth auth = request.route().security().auth();
    if (auth.anonymous() || request.route().clientCert() != null && request.route().clientCert().standsForToken()) {
      return ALLOWED; // no token here; on a certificate route, ClientCertGuard has set the identity
    }
    Extraction extraction = TokenExtractor.extract(request, auth.tokenSources());
    HandshakeRequest stripped = request.authenticated(null, extraction.subprotocols(), extraction.query(),
        extraction.bearerOffered(), extraction.cookieHeader());
    if (!extraction.found()) {
      return refuse(stripped, stripped, Reason.TOKEN_MISSING);
    }
    return verifier.verify(extraction.token(), auth.issuers()).transform(ar -> {
      if (ar.failed()) {
        Reason reason = ar.cause() instanceof TokenRejection rejection ? rejection.reason() : Reason.TOKEN_INVALID;
        return refuse(stripped, stripped, reason);
      }
      VerifiedToken token = ar.result();
      Reason refusal = IdentityRules.authenticationRefusal(token, auth, revocations);
      if (refusal == Reason.SUBJECT_INVALID) {
        return refuse(stripped, stripped, refusal); // not a subject anything may key on, the audit included
      }
      HandshakeRequest authenticated = request.authenticated(IdentityRules.identity(token), extraction.subprotocols(),
          extraction.query(), extraction.bearerOffered(), extraction.cookieHeader());
      if (refusal != null) {
        return refuse(stripped, authenticated, refusal);
      }
      return Future.succeededFuture(Verdict.allow(authenticated));
    });
  }

  /**
   * @param stripped the request without the token: what goes on in monitor mode
   * @param known    the same, with the identity when the token was verified (a revoked subject): what is audited
   */
  private static Future<Verdict> refuse(HandshakeRequest stripped, HandshakeRequest known, Reason reason) {
    return Future.succeededFuture(Verdict.deny(reason, known, stripped));
  }

  @Override
  public Mode mode(Route route) {
    return route.security().auth().mode();
  }
}
