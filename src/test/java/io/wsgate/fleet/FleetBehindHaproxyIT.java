package io.wsgate.fleet;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.Haproxy;
import io.wsgate.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.wsgate.fleet.FleetNodes.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As in production: HAProxy in TCP mode (round robin, health checks, PROXY protocol v2) in front of
 * two gateway processes that share one redis-server. A client whose next connection lands on the
 * other node keeps its cap and its revocation there.
 */
class FleetBehindHaproxyIT {
  private static final String REJECTED = "wsgate_handshakes_total{outcome=\"rejected\",reason=\"%s\"}";

  @TempDir
  Path root;

  private static String policy(FleetNodes fleet, EchoUpstream upstream, RedisServer redis) {
    return """
        listen:
          host: 127.0.0.1
          port: 0
          plain: true
          clients: { allow: [127.0.0.1/32], proxyProtocol: true, trustedProxies: [127.0.0.1/32] }
        issuers:
          idp: { issuer: "%s", audiences: [wsgate], algorithms: [RS256], keys: { jwkFile: idp.jwks.json } }
        connections:
          perSubject: { max: 1 }
        routes:
          - path: /chat
            upstreams: ["%s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { issuers: [idp] }
        admin: { host: 127.0.0.1, port: 0 }
        audit: { dir: audit, flushInterval: 100ms }
        cluster: { redis: "%s", leaseTtl: 3s }
        shutdown: { drainWindow: 0s, drainTimeout: 5s }
        """.formatted(fleet.idp.issuer().issuer(), upstream.url("/"), redis.uri());
  }

  @Test
  void aClientThatReconnectsThroughTheOtherNodeKeepsItsCapAndItsRevocation() throws Exception {
    try (RedisServer redis = RedisServer.start(); EchoUpstream upstream = new EchoUpstream();
         FleetNodes fleet = new FleetNodes(root)) {
      List<FleetNodes.Node> nodes = fleet.start(policy(fleet, upstream, redis), "gw-a", "gw-b");
      try (Haproxy lb = Haproxy.tcp(root, nodes.stream().map(FleetNodes.Node::port).toList())) {
        WebSocket first = Await.result(fleet.connect(lb.port(), "alice"));
        CompletableFuture<Short> closed = new CompletableFuture<>();
        first.closeHandler(v -> closed.complete(first.closeStatusCode()));
        FleetNodes.Node holder = holderOf(nodes, "alice");
        FleetNodes.Node other = nodes.get(0) == holder ? nodes.get(1) : nodes.get(0);
        assertEquals("127.0.0.1", sessionOf(holder).getString("clientIp"), "the client's address, as PROXY v2 gave it");

        // Her next connections: haproxy spreads them (round robin, but a retried dial moves its turn), and
        // the other node refuses her too, counting the session the first node holds.
        String capped = REJECTED.formatted("subject_connections_exceeded");
        for (int attempt = 0; attempt < 4 && other.metric(capped) < 1.0; attempt++) {
          assertEquals(429, status(fleet.connect(lb.port(), "alice")));
        }
        assertEquals(1.0, other.metric(capped), "refused by " + other.id());

        AdminClient.Response revoked = holder.admin().send(HttpMethod.POST, "/subjects/alice/revoke?for=10m", null);
        assertEquals(200, revoked.status(), revoked.body());
        assertEquals((short) 1008, closed.get(5, TimeUnit.SECONDS));
        Await.until("the revocation pushed to " + other.id(), Duration.ofSeconds(1),
            () -> other.metric("wsgate_revocations") == 1.0);
        // She reconnects until an attempt has landed on each node: each refuses her.
        String revokedSeries = REJECTED.formatted("token_revoked");
        for (int attempt = 0; attempt < 6 && nodes.stream().anyMatch(n -> n.metric(revokedSeries) < 1.0); attempt++) {
          assertEquals(401, status(fleet.connect(lb.port(), "alice")));
        }
        for (FleetNodes.Node node : nodes) {
          assertTrue(node.metric(revokedSeries) >= 1.0, node.id() + " refused her");
        }

        // Lifted on one node, her slot free again: she connects through either node, once.
        assertEquals(200, other.admin().send(HttpMethod.DELETE, "/subjects/alice/revoke", null).status());
        Await.until("the lift reached both nodes", Duration.ofSeconds(3),
            () -> admitsThrough(fleet, lb, "alice") && admitsThrough(fleet, lb, "alice"));
        WebSocket[] again = new WebSocket[1];
        Await.until("her slot is free (the probes' sessions have given theirs back)", () -> {
          Future<WebSocket> attempt = fleet.connect(lb.port(), "alice");
          Await.result(attempt.transform(ar -> Future.succeededFuture()));
          again[0] = attempt.succeeded() ? attempt.result() : null;
          return again[0] != null;
        });
        assertEquals(429, status(fleet.connect(lb.port(), "alice")), "one session at a time, whichever node");
        assertEquals(429, status(fleet.connect(lb.port(), "alice")), "one session at a time, whichever node");
        Await.result(again[0].close());
        assertTrue(lb.log().isEmpty() || !lb.log().contains("ALERT"), lb.log());
      }
      for (FleetNodes.Node node : nodes) {
        FleetNodes.stop(node);
        FleetNodes.intactAudit(node);
      }
    }
  }

  private static boolean admitsThrough(FleetNodes fleet, Haproxy lb, String subject) {
    return fleet.connect(lb.port(), subject).transform(ar -> ar.succeeded() ? ar.result().close().map(true)
        : Future.succeededFuture(false)).toCompletionStage().toCompletableFuture().join();
  }

  private static FleetNodes.Node holderOf(List<FleetNodes.Node> nodes, String subject) {
    for (FleetNodes.Node node : nodes) {
      if (node.admin().get("/sessions").json().getInteger("total") > 0) {
        return node;
      }
    }
    throw new AssertionError("no node holds " + subject + "'s session");
  }

  private static JsonObject sessionOf(FleetNodes.Node node) {
    return node.admin().get("/sessions").json().getJsonArray("sessions").getJsonObject(0);
  }
}
