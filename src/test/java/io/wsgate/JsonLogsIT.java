package io.wsgate;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.wsgate.internal.VertxInternals;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayProcess;
import io.wsgate.testing.TestIssuer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code wsgate run} with {@code WSGATE_LOG_FORMAT=json} writes one JSON object per line, and the
 * lines about one request or session carry its {@code requestId}, the same as its audit records'.
 * Tokens never appear. The gateway is a child process (the packaged jar when there is one); its
 * upstreams and clients live in this JVM.
 */
class JsonLogsIT {
  @TempDir
  Path tmp;

  @Test
  void jsonLinesCarryTheRequestIdOfTheAuditRecordAndNoToken() throws Exception {
    Path audit = tmp.resolve("audit");
    TestIssuer issuer = TestIssuer.rsaJwkFile("local", tmp);
    try (EchoUpstream upstream = new EchoUpstream()) {
      Path policies = Files.createDirectory(tmp.resolve("policies"));
      Files.writeString(policies.resolve("gateway.yaml"), """
          listen: { host: 127.0.0.1, port: 0, plain: true, clients: { allow: [127.0.0.1/32] } }
          issuers:
            local: { issuer: "%s", audiences: [wsgate], algorithms: [RS256], keys: { jwkFile: "%s" } }
          routes:
            - path: /down
              upstreams: ["ws://127.0.0.1:1/"]
              origins: { allow: ["*"], allowMissing: true }
              auth: { issuers: [local] }
            - path: /chat
              upstreams: ["%s"]
              origins: { allow: ["*"], allowMissing: true }
              auth: { issuers: [local] }
          audit: { dir: "%s", flushInterval: 50ms }
          shutdown: { drainWindow: 0s, drainTimeout: 5s }
          """.formatted(issuer.issuer().issuer(), tmp.resolve("local.jwks.json"), upstream.url("/"), audit));
      GatewayProcess gateway = GatewayProcess.start(policies, tmp.resolve("gateway.log"),
          Map.of("WSGATE_LOG_FORMAT", "json"), "-Xmx256m");
      Vertx vertx = Vertx.vertx();
      String token = issuer.token("alice");
      try {
        WebSocketClient client = vertx.createWebSocketClient();
        // A handshake whose upstream is unreachable: 502, and a warning about this request.
        Throwable refused = Await.failure(client.connect(options(gateway.port(), "/down", token)));
        assertEquals(502, assertInstanceOf(UpgradeRejectedException.class, refused, String.valueOf(refused)).getStatus());
        // A live session whose upstream connection drops without a close frame: 1011, and a warning.
        WebSocket ws = Await.result(client.connect(options(gateway.port(), "/chat", token)));
        Await.until("the upstream side of the session", () -> upstream.sockets.size() == 1);
        // From Vert.x's handler outwards: closing the channel would pass through Vert.x, which sends a close frame.
        VertxInternals.context(upstream.sockets.get(0)).close();
        Await.until("the client's session closed", ws::isClosed);

        JsonObject rejected = awaitAudit(audit, "handshake.rejected", "upstream_unavailable");
        JsonObject lost = awaitAudit(audit, "session.closed", "upstream_lost");
        Await.until("both warnings logged", () -> logLine(gateway, rejected.getString("requestId")).isPresent()
            && logLine(gateway, lost.getString("requestId")).isPresent());

        JsonObject noUpstream = logLine(gateway, rejected.getString("requestId")).orElseThrow();
        assertEquals("WARN", noUpstream.getString("level"));
        assertTrue(noUpstream.getString("message").contains("/down"), noUpstream.encode());
        JsonObject upstreamLost = logLine(gateway, lost.getString("requestId")).orElseThrow();
        assertEquals("WARN", upstreamLost.getString("level"));
        assertTrue(upstreamLost.getString("message").contains("/chat"), upstreamLost.encode());
        assertFalse(rejected.getString("requestId").equals(lost.getString("requestId")), "two requests, two ids");

        List<JsonObject> lines = jsonLines(gateway);
        assertTrue(lines.stream().anyMatch(l -> l.getString("message", "").startsWith("wsgate listening on")),
            "the start-up lines are JSON too");
        assertTrue(lines.stream().filter(l -> !l.containsKey("requestId"))
            .noneMatch(l -> l.getString("message", "").contains("No upstream")), "no request line without its id");
        String log = gateway.log();
        assertFalse(log.contains(token), "the token is never logged");
        assertFalse(log.contains(token.substring(token.lastIndexOf('.') + 1)), "not even its signature");
      } finally {
        gateway.process().destroy();
        gateway.process().waitFor();
        Await.result(vertx.close());
      }
    }
  }

  private static WebSocketConnectOptions options(int port, String uri, String token) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri).setAllowOriginHeader(false)
        .addHeader("authorization", "Bearer " + token);
  }

  /** Every line of the output, each parsed as JSON: a line that is not JSON fails the test. */
  private static List<JsonObject> jsonLines(GatewayProcess gateway) throws IOException {
    List<JsonObject> lines = new ArrayList<>();
    for (String line : gateway.log().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        lines.add(new JsonObject(line));
      } catch (DecodeException e) {
        fail("not a JSON line: " + line);
      }
    }
    return lines;
  }

  private static Optional<JsonObject> logLine(GatewayProcess gateway, String requestId) {
    try {
      return jsonLines(gateway).stream().filter(l -> requestId.equals(l.getString("requestId"))).findFirst();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonObject awaitAudit(Path dir, String event, String reason) {
    JsonObject[] found = {null};
    Await.until(event + " " + reason + " in the audit trail", () -> {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).toList()) {
          for (String line : Files.readAllLines(file)) {
            JsonObject record = new JsonObject(line);
            if (event.equals(record.getString("event")) && reason.equals(record.getString("reason"))) {
              found[0] = record;
              return true;
            }
          }
        }
        return false;
      } catch (IOException e) {
        return false;
      }
    });
    return found[0];
  }
}
