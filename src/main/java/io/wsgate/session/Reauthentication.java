package io.wsgate.session;

import io.github.bucket4j.Bucket;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.handshake.Identity;
import io.wsgate.handshake.IdentityRules;
import io.wsgate.limits.BucketSpec;
import io.wsgate.policy.Auth;
import io.wsgate.token.TokenRejection;
import io.wsgate.token.VerifiedToken;

import java.nio.charset.StandardCharsets;

/**
 * In-band re-authentication: before its token expires a client sends the text message
 * {@code {"wsgate":"reauth","token":"<fresh JWT>"}} (exactly that prefix). The gateway consumes it
 * (it never reaches the upstream), verifies the token against the route's issuers and holds it to
 * everything the handshake token had to pass (same subject from the same issuer, not revoked, the
 * route's scopes, roles and claims, forwardable values), moves the session's expiry and answers
 * {@code {"wsgate":"reauth","ok":true,...}}. A refused token ends the session with 1008.
 *
 * <p>Each attempt is charged to the route's size and rate rules and to the session's own budget
 * ({@code limits.maxReauthPerMinute}, then 1008); the client is not read while its token is being
 * verified, so at most one verification per session is ever in flight.
 */
final class Reauthentication {
  private static final byte[] PREFIX = "{\"wsgate\":\"reauth\"".getBytes(StandardCharsets.US_ASCII);
  private static final String SUBJECT_CHANGED = "subject_changed";

  private final Session session;
  private final Auth auth;
  private final BucketSpec budget;
  private Bucket attempts;
  private boolean verifying;

  Reauthentication(Session session, Auth auth, BucketSpec budget) {
    this.session = session;
    this.auth = auth;
    this.budget = budget;
  }

  static boolean isControlMessage(Buffer payload) {
    if (payload.length() < PREFIX.length) {
      return false;
    }
    for (int i = 0; i < PREFIX.length; i++) {
      if (payload.getByte(i) != PREFIX[i]) {
        return false;
      }
    }
    return true;
  }

  void handle(Buffer payload) {
    if (attempts == null) {
      attempts = budget.newConfinedBucket();
    }
    if (verifying || !attempts.tryConsume(1)) {
      session.terminate(Reason.REAUTH_FLOOD);
      return;
    }
    String token = tokenOf(payload);
    if (token == null) {
      refuse(Reason.TOKEN_INVALID.tag());
      return;
    }
    verifying = true;
    session.holdClient(Session.Hold.REAUTH);
    session.events().tokens().verify(token, auth.issuers()).onComplete(ar -> {
      verifying = false;
      session.releaseClient(Session.Hold.REAUTH);
      String refusal = ar.failed() ? rejection(ar.cause()) : refusal(ar.result());
      if (refusal != null) {
        refuse(refusal);
      } else {
        accept(ar.result());
      }
    });
  }

  private static String tokenOf(Buffer payload) {
    try {
      Object token = new JsonObject(payload).getValue("token");
      return token instanceof String text ? text : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String rejection(Throwable cause) {
    return (cause instanceof TokenRejection rejection ? rejection.reason() : Reason.TOKEN_INVALID).tag();
  }

  /** @return null when the fresh token may carry the session on, else the check it failed */
  private String refusal(VerifiedToken token) {
    Identity current = session.identity();
    if (!token.subject().equals(current.subject()) || !token.issuerName().equals(current.issuer())) {
      return SUBJECT_CHANGED;
    }
    Reason refused = IdentityRules.authenticationRefusal(token, auth, session.events().revocations());
    if (refused != null) {
      return refused.tag();
    }
    return IdentityRules.authorized(auth, IdentityRules.identity(token)) ? null
        : Reason.INSUFFICIENT_PERMISSION.tag();
  }

  private void accept(VerifiedToken token) {
    session.extendTo(token.expiresAt());
    session.events().reauthenticated(session.audited(), token.expiresAt());
    session.replyToClient(new JsonObject().put("wsgate", "reauth").put("ok", true)
        .put("expiresAt", token.expiresAt().toString()).encode());
  }

  private void refuse(String why) {
    session.events().reauthRefused(session.audited(), why);
    session.replyToClient(new JsonObject().put("wsgate", "reauth").put("ok", false)
        .put("error", TokenRejection.INVALID_TOKEN).encode());
    session.terminate(Reason.REAUTH_REJECTED);
  }
}
