package io.wsgate.fleet;

import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.wsgate.Reason;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * With a {@code cluster:} section a route's own caps hold for the fleet, as the global ones do: two
 * gateways sharing one real redis-server admit the route's {@code max} between them, not each.
 */
class RouteLimitsFleetIT {
  @TempDir
  Path dir;

  private GatewayHarness node(String nodeId, RedisServer redis, EchoUpstream upstream) throws Exception {
    Path policies = Files.createDirectories(dir.resolve(nodeId));
    Files.writeString(policies.resolve(PolicyLoader.FILE_NAME), """
        listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [127.0.0.1/32] } }
        routes:
          - path: /a
            upstreams: ["%1$s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
            connections: { max: 2 }
          - path: /b
            upstreams: ["%1$s"]
            origins: { allow: ["*"], allowMissing: true }
            auth: { anonymous: true }
        admin: { enabled: false }
        cluster: { redis: "%2$s", nodeId: %3$s, onStoreFailure: failClosed, leaseTtl: 3s }
        shutdown: { drainWindow: 0s, drainTimeout: 5s }
        """.formatted(upstream.url("/"), redis.uri(), nodeId));
    return new GatewayHarness(PolicyLoader.load(policies));
  }

  private static int refusal(Future<WebSocket> attempt) {
    Throwable failure = Await.failure(attempt);
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus();
  }

  @Test
  void aRouteMaxOfTwoAdmitsTwoSessionsAcrossTwoGateways() throws Exception {
    try (RedisServer redis = RedisServer.start();
         EchoUpstream upstream = new EchoUpstream();
         GatewayHarness one = node("gw-1", redis, upstream);
         GatewayHarness two = node("gw-2", redis, upstream)) {
      WebSocket first = Await.result(one.connect("/a"));
      Await.result(two.connect("/a"));
      assertEquals(503, refusal(one.connect("/a")), "the route is full across the fleet");
      assertEquals(503, refusal(two.connect("/a")));
      assertEquals(1, one.gateway.services().audit().metrics().outcomes(Reason.ROUTE_CONNECTION_CAP));
      assertEquals(1, two.gateway.services().audit().metrics().outcomes(Reason.ROUTE_CONNECTION_CAP));
      Await.result(two.connect("/b"));

      Await.result(first.close());
      Await.until("gw-1's lease is given back and gw-2 may use it", () -> two.connect("/a").transform(ar -> {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return Future.succeededFuture(ar.succeeded());
      }).toCompletionStage().toCompletableFuture().join());
    }
  }
}
