package io.wsgate.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.ProbeSettings;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probes listener on a real gateway: {@code /health} and {@code /ready} without the admin
 * token (which the admin listener beside it requires), the admin listener's readiness answer word
 * for word, and nothing else.
 */
class ProbesIT {
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path tmp;

  @Test
  void healthAndReadyNeedNoTokenAndReadyIsTheAdminListenersAnswer() throws Exception {
    Path tokenFile = Files.writeString(tmp.resolve("admin.token"), TOKEN);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .admin(new AdminSettings(true, "127.0.0.1", 0, tokenFile, null)).probes(ProbeSettings.loopback(0))
             .build())) {
      assertTrue(harness.gateway.probesPort() > 0, "probes listener bound");
      AdminClient probes = new AdminClient(harness.gateway.probesPort());
      AdminClient admin = new AdminClient(harness.gateway.adminPort());
      assertEquals(401, admin.get("/ready").status(), "the admin listener wants its token");

      AdminClient.Response health = probes.get("/health");
      assertEquals(200, health.status());
      assertEquals(new JsonObject().put("status", "UP"), health.json());
      assertEquals("application/json; charset=utf-8", health.headers().get("content-type"));
      AdminClient.Response ready = probes.get("/ready");
      assertEquals(200, ready.status());
      assertEquals(admin.get("/ready", "authorization", "Bearer " + TOKEN).json(), ready.json());
      assertEquals("UP", ready.json().getJsonObject("checks").getString("shutdown"));
      assertEquals(200, probes.get("/ready?verbose=1").status(), "a query does not change the path");
      assertEquals(200, probes.get("/health", "origin", "https://evil.example").status(), "nothing to protect");

      AdminClient.Response head = probes.send(HttpMethod.HEAD, "/ready", null);
      assertEquals(200, head.status());
      assertEquals("", head.body());

      for (String path : new String[] {"/metrics", "/sessions", "/policy", "/", "/ready/", "/healthz"}) {
        AdminClient.Response notHere = probes.get(path);
        assertEquals(404, notHere.status(), path);
        assertEquals(new JsonObject().put("error", "not found"), notHere.json(), path);
      }
      for (HttpMethod method : new HttpMethod[] {HttpMethod.POST, HttpMethod.DELETE, HttpMethod.PUT}) {
        AdminClient.Response refused = probes.send(method, "/ready", method == HttpMethod.DELETE ? null : "{}");
        assertEquals(405, refused.status(), method.name());
        assertEquals("GET, HEAD", refused.headers().get("allow"), method.name());
      }
      assertEquals(405, probes.send(HttpMethod.POST, "/health", "").status());
    }
  }

  @Test
  void readyGoesDownAtTheStopAndTheListenerOutlivesTheDrain() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .shutdown(1001, Duration.ofSeconds(2), Duration.ofSeconds(10)).probes(ProbeSettings.loopback(0)).build())) {
      AdminClient probes = new AdminClient(harness.gateway.probesPort());
      Await.result(harness.connect("/chat"));
      Await.result(harness.connect("/chat"));
      Await.until("two sessions", () -> harness.gateway.services().sessions().size() == 2);
      var stopped = harness.gateway.stop();
      AdminClient.Response draining = probes.get("/ready");
      assertEquals(503, draining.status());
      assertEquals("DOWN", draining.json().getJsonObject("checks").getString("shutdown"));
      assertEquals(200, probes.get("/health").status(), "alive while draining");
      Await.result(stopped);
    }
  }
}
