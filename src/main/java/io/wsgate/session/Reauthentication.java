package io.wsgate.session;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.token.TokenRejection;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * In-band re-authentication: before its token expires a client sends the text message
 * {@code {"wsgate":"reauth","token":"<fresh JWT>"}} (exactly that prefix). The gateway consumes it
 * — it never reaches the upstream — verifies the token against the route's issuers, requires the
 * same subject, moves the session's expiry and answers {@code {"wsgate":"reauth","ok":true,...}};
 * a refused token is answered {@code "ok":false} and audited, and the old expiry stands.
 */
final class Reauthentication {
  private static final byte[] PREFIX = "{\"wsgate\":\"reauth\"".getBytes(StandardCharsets.US_ASCII);

  private final Session session;
  private final List<String> issuers;

  Reauthentication(Session session, List<String> issuers) {
    this.session = session;
    this.issuers = issuers;
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
    String token;
    try {
      token = new JsonObject(payload).getString("token");
    } catch (RuntimeException e) {
      token = null;
    }
    if (token == null) {
      refuse();
      return;
    }
    session.services().current().tokens().verify(token, issuers).onComplete(ar -> {
      if (ar.failed() || !ar.result().subject().equals(session.subject())
          || session.services().revocations().isRevoked(ar.result().subject())) {
        refuse();
        return;
      }
      session.extendTo(ar.result().expiresAt());
      session.services().audit().reauthenticated(session.id(), session.subject(), ar.result().expiresAt().toString());
      session.sendToClient(new JsonObject().put("wsgate", "reauth").put("ok", true)
          .put("expiresAt", ar.result().expiresAt().toString()).encode());
    });
  }

  private void refuse() {
    session.refused("toUpstream", Reason.REAUTH_REJECTED, "reauth", "drop", false);
    session.sendToClient(new JsonObject().put("wsgate", "reauth").put("ok", false)
        .put("error", TokenRejection.INVALID_TOKEN).encode());
  }
}
