package io.wsgate.attack;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.testing.RawClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Request heads the HTTP decoder itself refuses (over the listener's 8 KiB request line or 16 KiB
 * of headers, or not HTTP at all): answered with the reason's status, audited and counted like any
 * other refusal, never the decoder's silent default. A request pipelined behind is never answered.
 */
class RequestHeadAttacksIT {
  private static final String PIPELINED = "GET /chat HTTP/1.1\r\nHost: localhost\r\n\r\n";

  private static void refusedRaw(String request, Reason reason) throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p); RawClient raw = t.raw()) {
      Counter counter = Counter.of(t.harness, reason);
      raw.send(request + PIPELINED);
      assertEquals(reason.code(), RawClient.status(raw.readHead()));
      assertEquals(reason.description() + "\n", raw.readUntilClosed(), "the reason text only, then closed");
      JsonObject record = AttackAsserts.auditedOnce(t.audit, "handshake.rejected", reason);
      assertEquals("127.0.0.1", record.getString("clientIp"));
      assertNull(record.getString("path"), "the decoder produced no path to record");
      counter.movedBy(1);
      assertEquals(1, t.audit.events("handshake.rejected").size(), "the pipelined request is not judged");
      assertEquals(0, t.upstream.handshakes.size());
    }
  }

  @Test
  @DisplayName("Oversized request headers (20 KiB header field)")
  void oversizedHeaders() throws Exception {
    refusedRaw(RawClient.upgrade(AttackTarget.PATH).replace("\r\n\r\n", "\r\nX-Pad: " + "a".repeat(20_000) + "\r\n\r\n"),
        Reason.HEADERS_TOO_LARGE);
  }

  @Test
  @DisplayName("Oversized request line (9 KiB URI)")
  void oversizedRequestLine() throws Exception {
    refusedRaw(RawClient.upgrade(AttackTarget.PATH + "?" + "a".repeat(9_000)), Reason.URI_TOO_LONG);
  }

  @Test
  @DisplayName("Not HTTP at all on the WebSocket listener")
  void notHttp() throws Exception {
    refusedRaw("\u0001\u0002GARBAGE \u00ff\r\n\r\n", Reason.BAD_UPGRADE);
  }
}
