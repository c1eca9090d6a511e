package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Mode;
import io.wsgate.session.Revocations;
import io.wsgate.token.Extraction;
import io.wsgate.token.TokenExtractor;
import io.wsgate.token.TokenRejection;
import io.wsgate.token.TokenVerifier;
import io.wsgate.token.VerifiedToken;
import io.wsgate.upstream.UpstreamHeaders;

/**
 * Authenticates the client with a JWT from the route's token sources, verified against the
 * route's issuers (signature, algorithm allowlist, iss, aud, exp, nbf, required claims), and
 * refuses revoked subjects and subjects the subject header cannot carry exactly (anything but
 * visible ASCII, SP and HTAB). The token is stripped from what goes upstream (subprotocol offers,
 * query, cookie) whatever the outcome. Waits on key fetches without blocking.
 */
public final class TokenGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  private final TokenVerifier verifier;
  private final Revocations revocations;
  private final MonitorLog monitor;

  public TokenGuard(TokenVerifier verifier, Revocations revocations, MonitorLog monitor) {
    this.verifier = verifier;
    this.revocations = revocations;
    this.monitor = monitor;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    Auth auth = request.route().security().auth();
    if (auth.anonymous()) {
      return ALLOWED;
    }
    Extraction extraction = TokenExtractor.extract(request, auth.tokenSources());
    HandshakeRequest stripped = request.authenticated(null, extraction.subprotocols(), extraction.query(),
        extraction.bearerOffered(), extraction.cookieHeader());
    if (!extraction.found()) {
      return refuse(auth, stripped, Reason.TOKEN_MISSING);
    }
    return verifier.verify(extraction.token(), auth.issuers()).transform(ar -> {
      if (ar.failed()) {
        Reason reason = ar.cause() instanceof TokenRejection rejection ? rejection.reason() : Reason.TOKEN_INVALID;
        return refuse(auth, stripped, reason);
      }
      VerifiedToken token = ar.result();
      if (revocations.isRevoked(token.subject())) {
        return refuse(auth, stripped, Reason.TOKEN_REVOKED);
      }
      if (auth.subjectHeader() != null && !UpstreamHeaders.forwardable(token.subject())) {
        // The upstream would get no subject, or a mangled one that may be someone else's.
        return refuse(auth, stripped, Reason.TOKEN_INVALID);
      }
      Identity identity = new Identity(token.subject(), token.issuerName(), token.expiresAt(), token.scopes(),
          token.roles(), token.claims());
      return Future.succeededFuture(Verdict.allow(request.authenticated(identity, extraction.subprotocols(),
          extraction.query(), extraction.bearerOffered(), extraction.cookieHeader())));
    });
  }

  private Future<Verdict> refuse(Auth auth, HandshakeRequest stripped, Reason reason) {
    if (auth.mode() == Mode.MONITOR) {
      monitor.wouldDeny(stripped, reason);
      return Future.succeededFuture(Verdict.allow(stripped));
    }
    return Future.succeededFuture(Verdict.deny(reason));
  }
}
