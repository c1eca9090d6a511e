package io.wsgate;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.Action;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subjects are per issuer: two issuers' {@code alice} are two people, with their own connection cap,
 * message-rate buckets and revocation. Revocations are kept next to the audit and outlive a restart,
 * and can be lifted early.
 */
class SubjectsPerIssuerIT {
  @TempDir
  Path dir;

  private TestIssuer corp;
  private TestIssuer partner;

  private TestPolicy policy(EchoUpstream upstream, MessageRules rules) throws Exception {
    corp = TestIssuer.rsaJwkFile("corp", dir);
    partner = TestIssuer.rsaJwkFile("partner", dir);
    return TestPolicy.create().issuers(List.of(corp.issuer(), partner.issuer()))
        .route("/chat", upstream.url("/")).security(TestAuth.trusting("corp", "partner").route(rules))
        .connections(new ConnectionLimits(null, null, 1, null, 1000, Mode.ENFORCE))
        .admin(AdminSettings.loopback(0));
  }

  private static WebSocket connect(GatewayHarness harness, String token) {
    return Await.result(harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + token)));
  }

  private static int refusedStatus(GatewayHarness harness, String token) {
    return assertInstanceOf(UpgradeRejectedException.class, Await.failure(harness.connect(harness.options("/chat")
        .addHeader("Authorization", "Bearer " + token)))).getStatus();
  }

  @Test
  void twoIssuersAliceAreTwoPeopleForCapsRatesAndRevocation() throws Exception {
    MessageRules onePerMinute = new MessageRules(List.of(new MessageRule.RateLimit("per-subject",
        MessageRule.Scope.SUBJECT, new Rate(1, Duration.ofMinutes(1), 1), null, Action.DROP, Mode.ENFORCE)), List.of());
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(policy(upstream, onePerMinute).build())) {
      // The cap of one connection per subject: each issuer's alice gets hers.
      WebSocket corpAlice = connect(harness, corp.token("alice"));
      WebSocket partnerAlice = connect(harness, partner.token("alice"));
      assertEquals(429, refusedStatus(harness, corp.token("alice")), "corp's alice is at her cap");

      // One message a minute per subject: each alice sends hers.
      BlockingQueue<String> corpTexts = new LinkedBlockingQueue<>();
      BlockingQueue<String> partnerTexts = new LinkedBlockingQueue<>();
      corpAlice.textMessageHandler(corpTexts::add);
      partnerAlice.textMessageHandler(partnerTexts::add);
      corpAlice.writeTextMessage("corp 1");
      assertEquals("corp 1", corpTexts.poll(10, TimeUnit.SECONDS));
      partnerAlice.writeTextMessage("partner 1");
      assertEquals("partner 1", partnerTexts.poll(10, TimeUnit.SECONDS), "not charged for corp's alice");
      corpAlice.writeTextMessage("corp 2");
      assertTrue(corpTexts.poll(10, TimeUnit.SECONDS).contains("message_rate_limited"));

      // A revocation names the issuer when the policy trusts several.
      AdminClient admin = new AdminClient(harness.gateway.adminPort());
      AdminClient.Response ambiguous = admin.send(HttpMethod.POST, "/subjects/alice/revoke", null);
      assertEquals(400, ambiguous.status(), ambiguous.body());
      assertTrue(ambiguous.body().contains("[corp, partner]"), ambiguous.body());
      assertEquals(400, admin.send(HttpMethod.POST, "/subjects/alice/revoke?issuer=nobody", null).status());
      JsonObject revoked = admin.send(HttpMethod.POST, "/subjects/alice/revoke?issuer=corp", null).json();
      assertEquals("corp", revoked.getString("issuer"));
      assertEquals(1, revoked.getInteger("sessionsClosed"));
      Await.until("corp's alice closed", corpAlice::isClosed);
      assertEquals((short) 1008, corpAlice.closeStatusCode());
      assertFalse(partnerAlice.isClosed(), "partner's alice is not corp's");
      assertEquals(401, refusedStatus(harness, corp.token("alice")));

      // Every issuer at once, explicitly.
      assertEquals(1, admin.send(HttpMethod.POST, "/subjects/alice/revoke?issuer=*", null).json()
          .getInteger("sessionsClosed"));
      Await.until("partner's alice closed", partnerAlice::isClosed);
      assertEquals(401, refusedStatus(harness, partner.token("alice")));
    }
  }

  @Test
  void revocationsOutliveARestartAndCanBeLifted() throws Exception {
    Path audit = dir.resolve("audit");
    try (EchoUpstream upstream = new EchoUpstream()) {
      try (GatewayHarness first = new GatewayHarness(policy(upstream, MessageRules.NONE).auditTo(audit).build())) {
        AdminClient admin = new AdminClient(first.gateway.adminPort());
        assertEquals(200, admin.send(HttpMethod.POST, "/subjects/alice/revoke?issuer=corp&for=1h", null).status());
        assertEquals(200, admin.send(HttpMethod.POST, "/subjects/bob/revoke?issuer=partner&for=1h", null).status());
        assertTrue(Files.readString(audit.resolve(Gateway.REVOCATIONS_FILE)).contains("\"alice\""),
            "on disk before the API answered");
      }
      try (GatewayHarness second = new GatewayHarness(policy(upstream, MessageRules.NONE).auditTo(audit).build())) {
        assertEquals(401, refusedStatus(second, corp.token("alice")), "still revoked after the restart");
        assertEquals(401, refusedStatus(second, partner.token("bob")));
        connect(second, partner.token("alice")).close();

        AdminClient admin = new AdminClient(second.gateway.adminPort());
        AdminClient.Response lifted = admin.send(HttpMethod.DELETE, "/subjects/alice/revoke?issuer=corp", null);
        assertEquals(200, lifted.status(), lifted.body());
        assertEquals(404, admin.send(HttpMethod.DELETE, "/subjects/alice/revoke?issuer=corp", null).status(),
            "nothing left to lift");
        assertNotNull(connect(second, corp.token("alice")));
      }
      try (GatewayHarness third = new GatewayHarness(policy(upstream, MessageRules.NONE).auditTo(audit).build())) {
        assertNotNull(connect(third, corp.token("alice")), "the lift outlives a restart too");
        assertEquals(401, refusedStatus(third, partner.token("bob")));
      }
    }
  }
}
