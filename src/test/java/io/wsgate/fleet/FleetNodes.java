package io.wsgate.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayProcess;
import io.wsgate.testing.TestIssuer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test support: real {@code wsgate run} processes, one fleet, each in its own directory with the very
 * same {@code gateway.yaml} (so they run one policy version: relative paths make the bytes equal) and
 * its node id from {@code WSGATE_NODE_ID}; plus a Vert.x client that connects with a token of the
 * test issuer. Closing kills whatever is still running.
 */
final class FleetNodes implements AutoCloseable {
  /** One gateway process of the fleet. */
  record Node(String id, Path dir, GatewayProcess process, AdminClient admin) {
    int port() {
      return process.port();
    }

    Path auditDir() {
      return dir.resolve("audit");
    }

    double metric(String series) {
      return admin.metrics().value(series);
    }
  }

  final TestIssuer idp;
  final Vertx vertx = Vertx.vertx();
  final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000));
  private final Path root;
  private final List<Node> started = new ArrayList<>();

  FleetNodes(Path root) throws IOException {
    this.root = root;
    this.idp = TestIssuer.rsaJwkFile("idp", root);
  }

  /**
   * Starts one gateway per id, all at once, each with {@code policy} as its {@code gateway.yaml}
   * ({@code idp.jwks.json} next to it holds the test issuer's key).
   */
  List<Node> start(String policy, String... ids) throws Exception {
    List<CompletableFuture<Node>> starting = new ArrayList<>();
    for (String id : ids) {
      Path dir = Files.createDirectories(root.resolve(id));
      Files.copy(root.resolve("idp.jwks.json"), dir.resolve("idp.jwks.json"));
      Files.writeString(dir.resolve("gateway.yaml"), policy);
      starting.add(CompletableFuture.supplyAsync(() -> {
        try {
          GatewayProcess process = GatewayProcess.start(dir, root.resolve(id + ".log"), Map.of("WSGATE_NODE_ID", id),
              "-Xmx160m", "-XX:TieredStopAtLevel=1");
          return new Node(id, dir, process, new AdminClient(process.adminPort()));
        } catch (Exception e) {
          throw new IllegalStateException(id + ": " + e, e);
        }
      }));
    }
    List<Node> nodes = new ArrayList<>();
    for (CompletableFuture<Node> node : starting) {
      nodes.add(node.get(90, TimeUnit.SECONDS));
    }
    started.addAll(nodes);
    return nodes;
  }

  /** Starts a stopped (or killed) node again: same directory, so the same policy, audit and revocation file. */
  Node restart(Node node) throws Exception {
    GatewayProcess process = GatewayProcess.start(node.dir(), root.resolve(node.id() + ".log"),
        Map.of("WSGATE_NODE_ID", node.id()), "-Xmx160m", "-XX:TieredStopAtLevel=1");
    Node again = new Node(node.id(), node.dir(), process, new AdminClient(process.adminPort()));
    started.add(again);
    return again;
  }

  String token(String subject) {
    return idp.token(subject);
  }

  Future<WebSocket> connect(int port, String subject) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/chat")
        .setAllowOriginHeader(false).addHeader("authorization", "Bearer " + token(subject)));
  }

  Future<WebSocket> connect(Node node, String subject) {
    return connect(node.port(), subject);
  }

  /** The HTTP status a refused handshake got. */
  static int status(Future<WebSocket> attempt) {
    Throwable failure = Await.failure(attempt);
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure)).getStatus();
  }

  /** Whether a handshake succeeds now (closing the session it opened). */
  boolean admits(Node node, String subject) {
    CompletableFuture<Boolean> outcome = connect(node, subject).transform(ar -> {
      if (ar.succeeded()) {
        return ar.result().close().map(true);
      }
      return Future.succeededFuture(false);
    }).toCompletionStage().toCompletableFuture();
    return outcome.join();
  }

  /** SIGTERM, and wait for a clean exit. */
  static void stop(Node node) throws Exception {
    node.process().process().destroy();
    assertTrue(node.process().process().waitFor(30, TimeUnit.SECONDS), node.id() + " exited");
    assertEquals(0, node.process().process().exitValue(), node.id() + " exited cleanly: " + node.process().log());
  }

  /** Every record of a stopped node's audit trail, after checking its hash chain. */
  static List<JsonObject> intactAudit(Node node) throws IOException {
    List<Path> files = AuditFileName.collect(List.of(node.auditDir()));
    AuditVerifier.Result result = AuditVerifier.verify(files, null);
    assertTrue(result.intact(), node.id() + ": " + result.problem());
    List<JsonObject> records = new ArrayList<>();
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        records.add(new JsonObject(line));
      }
    }
    return records;
  }

  @Override
  public void close() {
    for (Node node : started) {
      node.process().process().destroyForcibly();
    }
    Await.result(vertx.close());
  }
}
