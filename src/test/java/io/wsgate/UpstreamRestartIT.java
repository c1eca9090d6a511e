package io.wsgate;

import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.testing.Await;
import io.wsgate.testing.AuditCapture;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RestartableUpstream;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upstream killed in the middle of streaming and started again on the same port. Live sessions
 * on it end with 1011 ({@code upstream_lost}); what new connections get depends on the pool: with
 * one member, 502 until the member's {@code upstreamCooldown} has passed since the failed dial
 * (even once it is back), with two, the survivor. Either way the restarted upstream gets traffic
 * again only after its cool-down.
 */
class UpstreamRestartIT {
  private static final Duration COOLDOWN = Duration.ofMillis(1500);

  /** A client whose stream of upstream texts and close are recorded. */
  private record Client(WebSocket ws, BlockingQueue<String> texts, CompletableFuture<String> closed) {
    static Client of(WebSocket ws) {
      return new Client(ws, CloseIT.texts(ws), CloseIT.closeOf(ws));
    }

    void awaitStreaming() throws InterruptedException {
      assertNotNull(texts.poll(10, TimeUnit.SECONDS), "the upstream streams to its client");
    }

    /** An echo of {@code text} comes back among the ticks. */
    void assertRelays(String text) throws InterruptedException {
      ws.writeTextMessage(text);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        String got = texts.poll(100, TimeUnit.MILLISECONDS);
        if (text.equals(got)) {
          return;
        }
      }
      throw new AssertionError("no echo of " + text);
    }

    String closeWithin10s() throws Exception {
      return closed.get(10, TimeUnit.SECONDS);
    }
  }

  private static GatewayHarness gateway(String... upstreams) {
    return new GatewayHarness(TestPolicy.create().route("/chat", upstreams).cooldown(COOLDOWN).build());
  }

  private static Client connect(GatewayHarness harness) {
    return Client.of(Await.result(harness.connect("/chat")));
  }

  private static int refusedStatus(Future<WebSocket> attempt) {
    Throwable failure = Await.failure(attempt);
    assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
    return ((UpgradeRejectedException) failure).getStatus();
  }

  @Test
  void singleMemberKilledMidStreamThen502UntilItsCooldownAfterTheRestart() throws Exception {
    try (RestartableUpstream upstream = new RestartableUpstream();
         AuditCapture audit = new AuditCapture();
         GatewayHarness harness = gateway(upstream.url())) {
      var metrics = harness.gateway.services().audit().metrics();
      List<Client> live = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        live.add(connect(harness));
      }
      for (Client c : live) {
        c.awaitStreaming();
      }

      upstream.kill();
      for (Client c : live) {
        assertEquals("1011 upstream connection lost", c.closeWithin10s());
      }
      Await.until("upstream_lost counted", () -> metrics.outcomes(Reason.UPSTREAM_LOST) == 3);
      List<JsonObject> closed = audit.await("session.closed", l -> l.size() == 3);
      assertTrue(closed.stream().allMatch(e -> "upstream_lost".equals(e.getString("reason"))
          && e.getInteger("clientCloseCode") == 1011), closed::toString);

      // Down: the dial is refused, and the member cools down.
      long markedDown = System.nanoTime(); // at most when the member was marked down
      assertEquals(502, refusedStatus(harness.connect("/chat")));
      assertEquals(1, metrics.outcomes(Reason.UPSTREAM_UNAVAILABLE));

      // Back on the same port, but still cooling down: refused without being dialled.
      upstream.restart();
      assertEquals(502, refusedStatus(harness.connect("/chat")));
      assertEquals(3, upstream.upgrades.get(), "not dialled while cooling down");

      // A client retrying gets in once the cool-down has passed.
      Client[] admitted = new Client[1];
      Await.until("admitted again after the cool-down", () -> {
        Future<WebSocket> attempt = harness.connect("/chat");
        Await.result(attempt.otherwiseEmpty());
        if (attempt.succeeded()) {
          admitted[0] = Client.of(attempt.result());
        }
        return attempt.succeeded();
      });
      long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - markedDown);
      assertTrue(downMs >= COOLDOWN.toMillis() - 100, "admitted after " + downMs + " ms, within the cool-down");
      // The upstream counts in its handler, which Vert.x may run just after its 101 is on the wire.
      Await.until("the restarted upstream counted the admitted client", () -> upstream.upgrades.get() >= 4);
      assertEquals(4, upstream.upgrades.get(), "the restarted upstream was dialled once, for the admitted client");
      admitted[0].awaitStreaming();
      admitted[0].assertRelays("after the restart");
      assertEquals(metrics.outcomes(Reason.UPSTREAM_UNAVAILABLE), audit.events("handshake.rejected").stream()
          .filter(e -> "upstream_unavailable".equals(e.getString("reason")) && e.getInteger("status") == 502).count(),
          "every 502 audited");
    }
  }

  @Test
  void twoMembersFailOverToTheSurvivorAndTheRestartedOneIsUsedAgainAfterItsCooldown() throws Exception {
    try (RestartableUpstream killed = new RestartableUpstream();
         RestartableUpstream survivor = new RestartableUpstream();
         GatewayHarness harness = gateway(killed.url(), survivor.url())) {
      var metrics = harness.gateway.services().audit().metrics();
      List<Client> live = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        live.add(connect(harness));
      }
      Await.until("round-robin: two sessions each", () -> killed.liveSessions() == 2 && survivor.liveSessions() == 2);
      for (Client c : live) {
        c.awaitStreaming();
      }

      killed.kill();
      Await.until("the killed member's two sessions end", () -> live.stream().filter(c -> c.closed().isDone()).count() == 2);
      List<Client> kept = new ArrayList<>();
      for (Client c : live) {
        if (c.closed().isDone()) {
          assertEquals("1011 upstream connection lost", c.closed().get());
        } else {
          kept.add(c);
        }
      }
      Await.until("upstream_lost counted", () -> metrics.outcomes(Reason.UPSTREAM_LOST) == 2);
      for (Client c : kept) {
        c.assertRelays("the survivor's sessions carry on");
      }

      // New connections land on the survivor; the first of them dials the dead member once.
      long markedDown = System.nanoTime(); // at most when the member was marked down
      for (int i = 0; i < 4; i++) {
        connect(harness).awaitStreaming();
      }
      assertEquals(6, survivor.upgrades.get());
      assertEquals(2, killed.upgrades.get());
      assertEquals(0, metrics.outcomes(Reason.UPSTREAM_UNAVAILABLE), "a failover is not a refusal");
      assertTrue(kept.stream().noneMatch(c -> c.closed().isDone()), "the survivor's sessions are still open");

      killed.restart();
      connect(harness).awaitStreaming();
      connect(harness).awaitStreaming();
      assertEquals(2, killed.upgrades.get(), "not dialled while cooling down, though it is back");

      Await.until("the restarted member gets a session again", () -> {
        Await.result(connect(harness).ws().close());
        return killed.upgrades.get() > 2;
      });
      long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - markedDown);
      assertTrue(downMs >= COOLDOWN.toMillis() - 100, "used again after " + downMs + " ms, within the cool-down");
      Await.until("round-robin again", () -> {
        Await.result(connect(harness).ws().close());
        return killed.upgrades.get() > 3;
      });
      assertEquals(0, metrics.outcomes(Reason.UPSTREAM_UNAVAILABLE));
    }
  }
}
