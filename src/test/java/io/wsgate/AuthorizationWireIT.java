package io.wsgate;

import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.http.UpgradeRejectedException;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestAuth;
import io.wsgate.testing.TestIssuer;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Scopes, roles and claim values required by a route, checked against real verified tokens. */
class AuthorizationWireIT {
  @TempDir
  Path dir;

  private static UpgradeRejectedException rejected(Throwable failure) {
    return assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
  }

  private GatewayHarness gateway(TestIssuer idp, EchoUpstream upstream, TestAuth auth) {
    return new GatewayHarness(TestPolicy.create().issuers(List.of(idp.issuer()))
        .route("/chat", upstream.url("/")).security(auth.route()).build());
  }

  private static int statusWith(GatewayHarness harness, TestIssuer idp, JWTClaimsSet claims) throws Exception {
    var attempt = harness.connect(harness.options("/chat").addHeader("Authorization", "Bearer " + idp.sign(claims)));
    return attempt.toCompletionStage().toCompletableFuture().handle((ws, failure) -> {
      if (ws != null) {
        ws.close();
        return 101;
      }
      return rejected(failure).getStatus();
    }).get(15, TimeUnit.SECONDS);
  }

  @Test
  void everyRequiredScopeMustBePresent() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(idp, upstream, TestAuth.trusting("idp").scopes("chat:read", "chat:write"))) {
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").build()), "no scope at all");
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").claim("scope", "chat:read").build()));
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").claim("scope", "chat:read chat:writer").build()),
          "scopes are whole words");
      assertEquals(3, harness.gateway.services().audit().metrics().outcomes(Reason.INSUFFICIENT_PERMISSION));
      assertEquals(0, upstream.handshakes.size());

      assertEquals(101, statusWith(harness, idp, idp.claims("alice").claim("scope", "chat:write chat:read").build()));
      assertEquals(101, statusWith(harness, idp, idp.claims("alice").claim("scp", List.of("chat:read", "chat:write"))
          .build()), "scp as a list");
      Await.until("the upstream recorded its handshakes", () -> upstream.handshakes.size() >= 2);
      assertEquals(2, upstream.handshakes.size());
    }
  }

  @Test
  void atLeastOneListedRoleIsRequired() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(idp, upstream, TestAuth.trusting("idp").roles("admin", "moderator"))) {
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").build()));
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").claim("roles", List.of("user", "Admin")).build()),
          "roles are case-sensitive");
      assertEquals(101, statusWith(harness, idp, idp.claims("alice").claim("roles", List.of("user", "moderator")).build()));
      assertEquals(101, statusWith(harness, idp, idp.claims("alice").claim("roles", "admin").build()), "a single string");
      assertEquals(2, harness.gateway.services().audit().metrics().outcomes(Reason.INSUFFICIENT_PERMISSION));
    }
  }

  @Test
  void requiredClaimValuesMustMatchExactly() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(idp, upstream, TestAuth.trusting("idp")
             .claims(Map.of("tenant", "acme", "tier", "2")))) {
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").claim("tier", 2).build()), "tenant missing");
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").claim("tenant", "evil").claim("tier", 2).build()));
      assertEquals(403, statusWith(harness, idp, idp.claims("alice").claim("tenant", "ACME").claim("tier", 2).build()));
      assertEquals(101, statusWith(harness, idp, idp.claims("alice").claim("tenant", "acme").claim("tier", 2).build()));
      assertEquals(3, harness.gateway.services().audit().metrics().outcomes(Reason.INSUFFICIENT_PERMISSION));
    }
  }

  @Test
  void aRequiredClaimMatchesAMemberOfAnArrayClaim() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(idp, upstream, TestAuth.trusting("idp").claims(Map.of("groups", "admin")))) {
      assertEquals(101, statusWith(harness, idp, idp.claims("alice").claim("groups", List.of("staff", "admin")).build()),
          "admin is one of the groups");
      assertEquals(101, statusWith(harness, idp, idp.claims("bob").claim("groups", "admin").build()), "a plain string");
      assertEquals(403, statusWith(harness, idp, idp.claims("carol").claim("groups", List.of("staff", "Admin")).build()));
      assertEquals(403, statusWith(harness, idp, idp.claims("dave").claim("groups", List.of()).build()));
      assertEquals(403, statusWith(harness, idp, idp.claims("erin").claim("groups", List.of(List.of("admin"))).build()),
          "nested lists are not searched");
      assertEquals(403, statusWith(harness, idp, idp.claims("frank").claim("groups", "[admin]").build()),
          "a string that looks like a list is a string");
      assertEquals(4, harness.gateway.services().audit().metrics().outcomes(Reason.INSUFFICIENT_PERMISSION));
    }
  }

  @Test
  void monitorModeAdmitsAndCountsWhatItWouldHaveDenied() throws Exception {
    TestIssuer idp = TestIssuer.rsaJwkFile("idp", dir);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(idp, upstream, TestAuth.trusting("idp").scopes("chat:write").monitor())) {
      assertEquals(101, statusWith(harness, idp, idp.claims("alice").claim("scope", "chat:read").build()));
      var metrics = harness.gateway.services().audit().metrics();
      assertEquals(1, metrics.monitoredTotal(Reason.INSUFFICIENT_PERMISSION));
      assertEquals(0, metrics.outcomes(Reason.INSUFFICIENT_PERMISSION));
      assertEquals("alice", upstream.handshakes.poll(10, TimeUnit.SECONDS).get("x-wsgate-subject"));

      // Monitor mode covers the token too: no token passes, counted, and no identity goes upstream.
      Await.result(harness.connect("/chat"));
      assertEquals(1, metrics.monitoredTotal(Reason.TOKEN_MISSING));
      assertNull(upstream.handshakes.poll(10, TimeUnit.SECONDS).get("x-wsgate-subject"));
    }
  }
}
