package io.wsgate.attack;

import io.vertx.core.json.JsonObject;
import io.wsgate.GatewayServices;
import io.wsgate.Reason;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.DevKeyIssuer;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests pipelined behind an upgrade. After a 101 the client's bytes are WebSocket frames, so a
 * request sent before the 101 arrived is a protocol error (RFC 6455 §4.1: the client waits for the
 * server's handshake before sending anything more): the session that was accepted ends with 1002,
 * the pipelined request is never answered, and nothing is left behind (the probe's "ghost
 * sessions" held their slots for ever).
 */
class PipelinedUpgradeAttacksIT {
  private static final String GET = "GET /chat HTTP/1.1\r\nHost: localhost\r\n\r\n";

  @TempDir
  Path dir;

  @Test
  @DisplayName("Two upgrades in one write: one session, closed 1002, nothing held")
  void twoUpgradesInOneWrite() throws Exception {
    pipelined(RawClient.upgrade(AttackTarget.PATH) + RawClient.upgrade(AttackTarget.PATH));
  }

  @Test
  @DisplayName("An upgrade and a plain GET in one write")
  void upgradeThenGet() throws Exception {
    pipelined(RawClient.upgrade(AttackTarget.PATH) + GET);
  }

  @Test
  @DisplayName("An upgrade and a broken request in one write")
  void upgradeThenGarbage() throws Exception {
    pipelined(RawClient.upgrade(AttackTarget.PATH) + "NOT HTTP AT ALL\r\n\r\n");
  }

  @Test
  @DisplayName("An upgrade and the start of another request head in one write")
  void upgradeThenPartialHead() throws Exception {
    pipelined(RawClient.upgrade(AttackTarget.PATH) + "GET /chat HTTP/1.1\r\nHo");
  }

  @Test
  @DisplayName("An upgrade and a well-formed frame in one write: the frame came before the 101")
  void upgradeThenFrame() throws Exception {
    byte[] frame = RawClient.frame(0x81, "hello".getBytes(StandardCharsets.UTF_8), true);
    pipelined(RawClient.upgrade(AttackTarget.PATH) + new String(frame, StandardCharsets.ISO_8859_1));
  }

  private static void pipelined(String bytes) throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p)) {
      Counter counter = Counter.of(t.harness, Reason.PIPELINED_REQUEST);
      try (RawClient raw = t.raw()) {
        raw.send(bytes);
        assertEquals(101, RawClient.status(raw.readHead()), "the first request is upgraded");
        assertEquals(1002, raw.readCloseCode(), "what followed it was not a frame");
        assertTrue(raw.closedByPeer(), "and the gateway hung up");
      }
      JsonObject closed = AttackAsserts.auditedOnce(t.audit, "session.closed", Reason.PIPELINED_REQUEST);
      assertEquals(1002, closed.getInteger("clientCloseCode"));
      assertEquals(1, t.audit.events("session.accepted").size(), "one session, never a second");
      assertEquals(1, t.upstream.handshakes.size(), "the pipelined request never reached the upstream");
      assertEquals(0, t.upstream.frames.size(), "nothing sent before the 101 is relayed");
      counter.movedBy(1);
      assertNothingHeld(t.harness.gateway.services());
    }
  }

  @Test
  @DisplayName("Pipelined upgrades cannot use up a subject's connection cap")
  void pipelinedUpgradesDoNotHoldSubjectSlots() throws Exception {
    DevKeyIssuer issuer = DevKeyIssuer.in(dir);
    RouteSecurity security = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), issuer.auth(false),
        MessageRules.NONE);
    int cap = 3;
    try (AttackTarget t = AttackTarget.echo(p -> p.issuers(List.of(issuer.issuer())).security(security)
        .connections(new ConnectionLimits(null, null, cap, null, 1000, Mode.ENFORCE)))) {
      String token = issuer.mint("alice", Duration.ofMinutes(5));
      String upgrade = RawClient.upgrade(AttackTarget.PATH)
          .replace("\r\n\r\n", "\r\nAuthorization: Bearer " + token + "\r\n\r\n");
      List<RawClient> attackers = new ArrayList<>();
      try {
        for (int i = 0; i < cap * 2; i++) {
          RawClient raw = t.raw();
          attackers.add(raw);
          raw.send(upgrade + upgrade);
          // Each one is upgraded and failed at once, so the cap never fills; the attacker reads its
          // answer but keeps the connection open: the gateway must end the session itself.
          assertEquals(101, RawClient.status(raw.readHead()), "attacker " + i);
          assertEquals(1002, raw.readCloseCode(), "attacker " + i);
        }
        GatewayServices services = t.harness.gateway.services();
        Await.until("every pipelined session ended", () -> services.sessions().size() == 0
            && services.subjectConnections().trackedKeys() == 0);
        try (RawClient honest = t.raw()) {
          honest.send(upgrade);
          assertEquals(101, RawClient.status(honest.readHead()), "the subject's own client still gets in");
        }
      } finally {
        for (RawClient raw : attackers) {
          raw.close();
        }
      }
      Await.until("the honest session closed", () -> t.harness.gateway.services().sessions().size() == 0);
      assertNothingHeld(t.harness.gateway.services());
      assertEquals(t.audit.events("session.accepted").size(), t.audit.await("session.closed",
          closed -> closed.size() == t.audit.events("session.accepted").size()).size());
    }
  }

  static void assertNothingHeld(GatewayServices services) {
    Await.until("no session left", () -> services.sessions().size() == 0);
    Await.until("every slot given back", () -> services.globalConnections() == 0
        && services.ipConnections().trackedKeys() == 0 && services.subjectConnections().trackedKeys() == 0);
  }
}
