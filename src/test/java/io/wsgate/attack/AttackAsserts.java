package io.wsgate.attack;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The checks every attack shares: the answer on the wire and the audit record. */
final class AttackAsserts {
  /** Long enough that a match is the secret and not a coincidence of base64 text. */
  private static final int SECRET_WINDOW = 12;

  private AttackAsserts() {
  }

  /** The upgrade was refused with the reason's status and its description as the body. */
  static UpgradeRejectedException rejected(Future<WebSocket> attempt, Reason reason) {
    Throwable failure = Await.failure(attempt);
    UpgradeRejectedException refused = assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
    assertEquals(reason.code(), refused.getStatus(), "status for " + reason.tag());
    Buffer body = refused.getBody();
    assertEquals(reason.description() + "\n", body == null ? null : body.toString());
    return refused;
  }

  /**
   * Waits for the one record of {@code event} carrying the reason's tag and returns it; a
   * {@code handshake.rejected} record also carries the reason's status.
   */
  static JsonObject auditedOnce(AuditCapture audit, String event, Reason reason) {
    List<JsonObject> records = audit.await(event, list -> AuditCapture.has(list, "reason", reason.tag()));
    List<JsonObject> matching = records.stream().filter(r -> reason.tag().equals(r.getString("reason"))).toList();
    assertEquals(1, matching.size(), "one " + event + " record for " + reason.tag() + ": " + records);
    JsonObject record = matching.get(0);
    if (event.equals("handshake.rejected")) {
      assertEquals(reason.code(), record.getInteger("status"), record.encode());
    }
    return record;
  }

  /** No audit record holds a secret, nor any long piece of it, nor a JWT's tell-tale {@code eyJ}. */
  static void noSecretIn(AuditCapture audit, String... secrets) {
    for (JsonObject record : audit.all()) {
      String text = record.encode();
      assertFalse(text.contains("eyJ"), "a JWT fragment in the audit: " + text);
      for (String secret : secrets) {
        for (int i = 0; i + SECRET_WINDOW <= secret.length(); i++) {
          String piece = secret.substring(i, i + SECRET_WINDOW);
          assertFalse(text.contains(piece), "a piece of a secret in the audit (" + piece + "): " + text);
        }
      }
    }
  }
}
