package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;
import io.wsgate.testing.TestAuth;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.wsgate.handshake.Handshakes.OPEN;
import static io.wsgate.handshake.Handshakes.as;
import static io.wsgate.handshake.Handshakes.identity;
import static io.wsgate.handshake.Handshakes.request;
import static io.wsgate.handshake.Handshakes.verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a verified identity may do on a route: scopes, roles, claims; the route's auth mode. */
class AuthorizationGuardTest {
  private static final AuthorizationGuard GUARD = new AuthorizationGuard();
  private static final Route WRITERS = Handshakes.route("/write",
      TestAuth.trusting("idp").scopes("chat:read", "chat:write").route());
  private static final Route STAFF = Handshakes.route("/staff",
      TestAuth.trusting("idp").roles("admin", "support").claims(Map.of("tenant", "acme")).route());

  private static Verdict check(Route route, Set<String> scopes, List<String> roles, Map<String, Object> claims) {
    return verdict(GUARD.check(as(request(route, "192.0.2.1"), identity("idp", "alice", scopes, roles, claims))));
  }

  @Test
  void everyRequiredScopeLetsIn() {
    assertTrue(check(WRITERS, Set.of("chat:read", "chat:write", "extra"), List.of(), Map.of()).allowed());
  }

  @Test
  void aMissingScopeIsRefused403() {
    Verdict verdict = check(WRITERS, Set.of("chat:read"), List.of(), Map.of());

    assertEquals(Reason.INSUFFICIENT_PERMISSION, verdict.reason());
    assertEquals(403, verdict.reason().code());
  }

  @Test
  void oneListedRoleIsEnough() {
    assertTrue(check(STAFF, Set.of(), List.of("support"), Map.of("tenant", "acme")).allowed());
    assertEquals(Reason.INSUFFICIENT_PERMISSION,
        check(STAFF, Set.of(), List.of("user"), Map.of("tenant", "acme")).reason());
    assertEquals(Reason.INSUFFICIENT_PERMISSION, check(STAFF, Set.of(), List.of(), Map.of("tenant", "acme")).reason());
  }

  @Test
  void aRequiredClaimMustHaveItsValue() {
    assertEquals(Reason.INSUFFICIENT_PERMISSION,
        check(STAFF, Set.of(), List.of("admin"), Map.of("tenant", "other")).reason());
    assertEquals(Reason.INSUFFICIENT_PERMISSION, check(STAFF, Set.of(), List.of("admin"), Map.of()).reason());
    assertTrue(check(STAFF, Set.of(), List.of("admin"), Map.of("tenant", List.of("other", "acme"))).allowed());
  }

  @Test
  void anAnonymousRouteAllowsWithoutAnIdentity() {
    assertTrue(verdict(GUARD.check(request(OPEN, "192.0.2.1"))).allowed());
  }

  @Test
  void noIdentityOnAnAuthenticatedRouteIsTheTokenGuardsBusiness() {
    // In monitor mode the token guard lets a request without a verified identity through: there is nothing to authorize.
    assertTrue(verdict(GUARD.check(request(WRITERS, "192.0.2.1"))).allowed());
  }

  @Test
  void theModeIsTheRoutesAuthMode() {
    Route trial = Handshakes.route("/trial", TestAuth.trusting("idp").scopes("x").monitor().route());

    assertEquals(Mode.ENFORCE, GUARD.mode(WRITERS));
    assertEquals(Mode.MONITOR, GUARD.mode(trial));
    assertEquals(Mode.ENFORCE, GUARD.mode(OPEN));
  }
}
