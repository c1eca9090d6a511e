package io.wsgate;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream is dialled before the client is accepted, so whatever goes wrong there the client
 * gets a plain HTTP refusal (502, or 504 for a silent upstream), never a 101 and never a tunnel;
 * the refusal is counted and the connection slot is given back.
 */
class UpstreamFailureIT {

  @Test
  void refusedUpstreamPortIs502Unavailable() throws Exception {
    try (GatewayHarness harness = gateway(TestPolicy.create().route("/chat", "ws://127.0.0.1:" + closedPort() + "/"))) {
      assertRefused(harness, 502, Reason.UPSTREAM_UNAVAILABLE);
    }
  }

  @Test
  void upstreamAnswering403Is502Rejected() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
         GatewayHarness harness = gateway(TestPolicy.create().route("/chat", upstream.url()))) {
      assertRefused(harness, 502, Reason.UPSTREAM_REJECTED);
      assertEquals(1, upstream.connections.get());
    }
  }

  @Test
  void upstreamRefusalOnARawClientIs502ThenCloseAndNoTunnel() throws Exception {
    // The upstream says 403 but keeps its socket open and records anything that still arrives.
    CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
    StringBuffer afterRefusal = new StringBuffer();
    try (RawUpstream upstream = new RawUpstream((socket, key) -> {
      socket.handler(data -> afterRefusal.append(data.toString(StandardCharsets.ISO_8859_1)));
      socket.closeHandler(v -> upstreamClosed.complete(null));
      socket.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    });
         GatewayHarness harness = gateway(TestPolicy.create().route("/chat", upstream.url()));
         RawClient raw = new RawClient(harness.port(), true)) {
      raw.send(RawClient.upgrade("/chat"));
      String head = raw.readHead();
      assertEquals(502, RawClient.status(head));
      // Had the gateway spliced the sockets, this frame would reach the upstream.
      try {
        raw.send(RawClient.frame(0x81, "through the tunnel?".getBytes(StandardCharsets.UTF_8), true));
      } catch (IOException alreadyClosed) {
        // the gateway was quicker: nothing could be sent at all
      }
      assertFalse(raw.readUntilClosed().contains("HTTP/1."), "nothing but the refusal body was answered");
      upstreamClosed.get(10, TimeUnit.SECONDS);
      assertEquals("", afterRefusal.toString(), "nothing crossed to the upstream after its refusal");
      assertEquals(1, upstream.connections.get());
      assertCleanedUp(harness, Reason.UPSTREAM_REJECTED);
    }
  }

  @Test
  void upstreamAnswering200Is502() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
         GatewayHarness harness = gateway(TestPolicy.create().route("/chat", upstream.url()))) {
      assertRefused(harness, 502, Reason.UPSTREAM_REJECTED);
    }
  }

  @Test
  void upstreamAnswering426Is502() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering(
        "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
         GatewayHarness harness = gateway(TestPolicy.create().route("/chat", upstream.url()))) {
      assertRefused(harness, 502, Reason.UPSTREAM_REJECTED);
    }
  }

  @Test
  void upstream101WithAWrongAcceptKeyIs502() throws Exception {
    try (RawUpstream upstream = new RawUpstream((socket, key) ->
        socket.write(RawUpstream.switchingProtocols(RawUpstream.acceptKey(key + "x"))));
         GatewayHarness harness = gateway(TestPolicy.create().route("/chat", upstream.url()))) {
      assertRefused(harness, 502, Reason.UPSTREAM_REJECTED);
    }
  }

  @Test
  void silentUpstreamIs504AtTheUpstreamTimeoutAndIsHungUpOn() throws Exception {
    CompletableFuture<Void> upstreamClosed = new CompletableFuture<>();
    try (RawUpstream upstream = new RawUpstream((socket, key) -> socket.closeHandler(v -> upstreamClosed.complete(null)));
         GatewayHarness harness = gateway(TestPolicy.create().route("/chat", upstream.url())
             .upstreamTimeout(Duration.ofMillis(500)))) {
      long start = System.nanoTime();
      Throwable failure = Await.failure(harness.connect("/chat"));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertInstanceOf(UpgradeRejectedException.class, failure);
      assertEquals(504, ((UpgradeRejectedException) failure).getStatus());
      assertTrue(elapsedMs >= 450, "not before the 500 ms timeout: " + elapsedMs + " ms");
      assertTrue(elapsedMs < 3000, "soon after the 500 ms timeout: " + elapsedMs + " ms");
      assertCleanedUp(harness, Reason.UPSTREAM_TIMEOUT);
      upstreamClosed.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void upstreamThatHangsUpMidHandshakeIs502Unavailable() throws Exception {
    try (RawUpstream upstream = new RawUpstream((socket, key) -> socket.close());
         GatewayHarness harness = gateway(TestPolicy.create().route("/chat", upstream.url()))) {
      assertRefused(harness, 502, Reason.UPSTREAM_UNAVAILABLE);
    }
  }

  private static GatewayHarness gateway(TestPolicy policy) {
    return new GatewayHarness(policy.build());
  }

  private static void assertRefused(GatewayHarness harness, int status, Reason reason) {
    Throwable failure = Await.failure(harness.connect("/chat"));
    assertInstanceOf(UpgradeRejectedException.class, failure);
    assertEquals(status, ((UpgradeRejectedException) failure).getStatus());
    Buffer body = ((UpgradeRejectedException) failure).getBody();
    assertEquals(reason.description() + "\n", body == null ? null : body.toString());
    assertCleanedUp(harness, reason);
  }

  /** Counted once under {@code reason}, nothing else admitted, no slot held, no session left. */
  private static void assertCleanedUp(GatewayHarness harness, Reason reason) {
    var metrics = harness.gateway.services().audit().metrics();
    Await.until(reason + " counted", () -> metrics.outcomes(reason) == 1);
    assertEquals(0, metrics.acceptedTotal());
    assertEquals(0, harness.gateway.services().globalConnections());
    assertEquals(0, harness.gateway.services().sessions().size());
  }

  /** A loopback port nothing listens on: bound by the OS, then released. */
  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
