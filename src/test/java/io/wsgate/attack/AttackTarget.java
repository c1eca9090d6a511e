package io.wsgate.attack;

import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * One gateway under attack: a real gateway on {@code /chat} in front of a real upstream (a
 * recording {@link EchoUpstream}, or one the test brings), with its audit records captured. The
 * two methods below run an attack and check the documented outcome on all three channels.
 */
final class AttackTarget implements AutoCloseable {
  static final String PATH = "/chat";

  final AuditCapture audit = new AuditCapture();
  /** The recording upstream; null when the test brought its own. */
  final EchoUpstream upstream;
  final GatewayHarness harness;

  private AttackTarget(EchoUpstream upstream, String upstreamUrl, UnaryOperator<TestPolicy> policy) {
    this.upstream = upstream;
    this.harness = new GatewayHarness(policy.apply(TestPolicy.create().route(PATH, upstreamUrl)).build());
  }

  /** @param policy adds to the policy: {@code security(...)} applies to the {@code /chat} route */
  static AttackTarget echo(UnaryOperator<TestPolicy> policy) {
    EchoUpstream upstream = new EchoUpstream();
    return new AttackTarget(upstream, upstream.url("/"), policy);
  }

  static AttackTarget inFrontOf(String upstreamUrl, UnaryOperator<TestPolicy> policy) {
    return new AttackTarget(null, upstreamUrl, policy);
  }

  WebSocketConnectOptions options() {
    return harness.options(PATH);
  }

  /** A raw TLS client, connected, nothing sent yet. */
  RawClient raw() throws Exception {
    return new RawClient(harness.port(), true);
  }

  /** A raw TLS client that got its 101 and whose session reached the upstream. */
  RawClient session() throws Exception {
    return session(RawClient.upgrade(PATH));
  }

  RawClient session(String upgradeRequest) throws Exception {
    RawClient raw = raw();
    raw.send(upgradeRequest);
    assertEquals(101, RawClient.status(raw.readHead()));
    Await.until("the session reached the upstream", () -> upstream.sockets.size() == 1);
    return raw;
  }

  /**
   * A handshake attack refused: the reason's status and description, one {@code handshake.rejected}
   * record with the reason's tag and status and none of {@code secrets}, the reason's counter up by
   * exactly one, and the recording upstream (if any) never reached.
   */
  UpgradeRejectedException refuses(Reason reason, Supplier<Future<WebSocket>> attack, String... secrets) {
    Counter counter = Counter.of(harness, reason);
    UpgradeRejectedException refused = AttackAsserts.rejected(attack.get(), reason);
    AttackAsserts.auditedOnce(audit, "handshake.rejected", reason);
    counter.movedBy(1);
    AttackAsserts.noSecretIn(audit, secrets);
    if (upstream != null) {
      assertEquals(0, upstream.handshakes.size(), "a refused attacker never reaches the upstream");
    }
    return refused;
  }

  /** What an attack writes on an open raw session. */
  interface RawAttack {
    void on(RawClient raw) throws Exception;
  }

  /**
   * A session attack ended the session: the reason's close code to the client and to the
   * upstream, one {@code session.closed} record with the reason's tag and codes, the reason's
   * counter up by exactly one, and {@code relayedFrames} frames (usually none) relayed upstream.
   *
   * @return the {@code session.closed} record
   */
  JsonObject closes(Reason reason, int relayedFrames, RawAttack attack) throws Exception {
    return closes(RawClient.upgrade(PATH), reason, relayedFrames, attack);
  }

  /** As {@link #closes(Reason, int, RawAttack)}, on a session opened with {@code upgradeRequest}. */
  JsonObject closes(String upgradeRequest, Reason reason, int relayedFrames, RawAttack attack) throws Exception {
    Counter counter = Counter.of(harness, reason);
    try (RawClient raw = session(upgradeRequest)) {
      attack.on(raw);
      assertEquals(reason.code(), raw.readCloseCode(), "close code to the attacker");
    }
    String upstreamClose = upstream.closes.poll(10, TimeUnit.SECONDS);
    assertNotNull(upstreamClose, "the upstream was closed");
    assertEquals(reason.code() + " " + reason.description(), upstreamClose, "the upstream learns why");
    JsonObject closed = AttackAsserts.auditedOnce(audit, "session.closed", reason);
    assertEquals(reason.code(), closed.getInteger("clientCloseCode"));
    assertEquals(reason.code(), closed.getInteger("upstreamCloseCode"));
    counter.movedBy(1);
    assertEquals(relayedFrames, upstream.frames.size(), "frames relayed upstream");
    assertEquals(0, harness.gateway.services().sessions().size(), "no session left");
    return closed;
  }

  @Override
  public void close() {
    harness.close();
    if (upstream != null) {
      upstream.close();
    }
    audit.close();
  }
}
