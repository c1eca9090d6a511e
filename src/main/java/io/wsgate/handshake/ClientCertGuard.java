package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.ClientCert;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.upstream.UpstreamHeaders;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Client mutual TLS on a route with {@code clientCert}: the certificate the client presented in its
 * TLS handshake (the engine checked it holds the key) must chain to the route's CA
 * ({@link ClientCertTrust}). With {@code identity: certificate}, its {@link ClientCertificate#identitySubject()}
 * becomes the session's identity, under {@link ClientCert#ISSUER}, for the guards after this one
 * (per-subject caps), the audit and revocation, exactly as a token's {@code sub}. Always enforced.
 * With the route's {@code crl}, the chain's revocation too ({@link ClientCertTrust#refusal}).
 */
public final class ClientCertGuard implements HandshakeGuard {
  private static final Future<Verdict> ALLOWED = Future.succeededFuture(Verdict.ALLOW);

  private final Revocations revocations;

  public ClientCertGuard(Revocations revocations) {
    this.revocations = revocations;
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    ClientCert required = request.route().clientCert();
    if (required == null) {
      return ALLOWED;
    }
    ClientCertificate presented = request.clientCert();
    if (presented == null) {
      return deny(Reason.CLIENT_CERT_MISSING, request);
    }
    Reason untrusted = ClientCertTrust.refusal(presented.chain(), required);
    if (untrusted != null) {
      return deny(untrusted, request);
    }
    if (!required.standsForToken()) {
      return ALLOWED;
    }
    String subject = presented.identitySubject();
    if (subject == null || !UpstreamHeaders.unambiguous(subject) || !UpstreamHeaders.forwardable(subject)) {
      return deny(Reason.SUBJECT_INVALID, request);
    }
    Identity identity = new Identity(subject, ClientCert.ISSUER, presented.leaf().getNotAfter().toInstant(), Set.of(),
        List.of(), Map.of());
    HandshakeRequest authenticated = request.authenticated(identity, request.subprotocols(), request.query(),
        request.bearerOffered(), request.cookie());
    if (revocations.isRevoked(new SubjectId(ClientCert.ISSUER, subject))) {
      return Future.succeededFuture(Verdict.deny(Reason.TOKEN_REVOKED, authenticated, request));
    }
    return Future.succeededFuture(Verdict.allow(authenticated));
  }

  private static Future<Verdict> deny(Reason reason, HandshakeRequest request) {
    return Future.succeededFuture(Verdict.deny(reason, request, request));
  }

  @Override
  public Mode mode(Route route) {
    return Mode.ENFORCE;
  }

  /**
   * A reload may bring a new {@code ca} or {@code crl}: the chain the session presented must still
   * pass. A session that presented none (its route had no {@code clientCert} then) would now be refused.
   */
  @Override
  public Reason recheck(LiveClient client, Route route) {
    ClientCert required = route.clientCert();
    if (required == null) {
      return null;
    }
    List<X509Certificate> chain = client.clientCertChain();
    return chain == null ? Reason.CLIENT_CERT_MISSING : ClientCertTrust.refusal(chain, required);
  }
}
