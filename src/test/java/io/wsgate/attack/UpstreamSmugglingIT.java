package io.wsgate.attack;

import io.vertx.core.net.NetSocket;
import io.wsgate.Reason;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.RawUpstream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Upgrade smuggling through a lying upstream: it answers the upgrade with something other than a
 * valid 101 and keeps its socket open, hoping the gateway splices the two connections anyway (as
 * a plain HTTP proxy that trusts the client's Upgrade header would). The client gets 502, a raw
 * frame and a pipelined request sent after it go nowhere, and the upstream is hung up on.
 */
class UpstreamSmugglingIT {

  /** @param answer what the upstream writes for the Sec-WebSocket-Key it was sent */
  private static void smuggleAttempt(BiConsumer<NetSocket, String> answer) throws Exception {
    CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
    StringBuffer afterAnswer = new StringBuffer();
    try (RawUpstream upstream = new RawUpstream((socket, key) -> {
      socket.handler(data -> afterAnswer.append(data.toString(StandardCharsets.ISO_8859_1)));
      socket.closeHandler(v -> upstreamClosed.complete(null));
      answer.accept(socket, key);
    });
         AttackTarget t = AttackTarget.inFrontOf(upstream.url(), p -> p);
         RawClient raw = t.raw()) {
      Counter counter = Counter.of(t.harness, Reason.UPSTREAM_REJECTED);
      raw.send(RawClient.upgrade(AttackTarget.PATH));
      assertEquals(502, RawClient.status(raw.readHead()));
      try {
        raw.send(RawClient.frame(0x81, "through the tunnel?".getBytes(StandardCharsets.UTF_8), true));
        raw.send("GET /internal HTTP/1.1\r\nHost: backend\r\n\r\n");
      } catch (IOException alreadyClosed) {
        // the gateway closed first: nothing could be smuggled at all
      }
      assertEquals(Reason.UPSTREAM_REJECTED.description() + "\n", raw.readUntilClosed(),
          "the refusal's body and nothing else, then the connection closes");
      upstreamClosed.get(10, TimeUnit.SECONDS);
      assertEquals("", afterAnswer.toString(), "nothing crossed to the upstream after its answer");
      assertEquals(1, upstream.connections.get(), "dialled once");
      AttackAsserts.auditedOnce(t.audit, "handshake.rejected", Reason.UPSTREAM_REJECTED);
      counter.movedBy(1);
      assertEquals(0, t.harness.gateway.services().sessions().size());
      assertEquals(0, t.harness.gateway.services().globalConnections());
    }
  }

  @Test
  @DisplayName("Upgrade smuggling: upstream answers 200")
  void upstreamAnswers200() throws Exception {
    smuggleAttempt((socket, key) -> socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  }

  @Test
  @DisplayName("Upgrade smuggling: upstream answers 426")
  void upstreamAnswers426() throws Exception {
    smuggleAttempt((socket, key) -> socket.write("HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"));
  }

  @Test
  @DisplayName("Upgrade smuggling: upstream answers 101 with a wrong Sec-WebSocket-Accept")
  void upstream101WithAWrongAcceptKey() throws Exception {
    smuggleAttempt((socket, key) -> socket.write(RawUpstream.switchingProtocols(RawUpstream.acceptKey(key + "x"))));
  }
}
