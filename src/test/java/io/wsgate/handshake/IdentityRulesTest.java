package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.Auth;
import io.wsgate.testing.TestAuth;
import io.wsgate.token.VerifiedToken;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a verified token must still satisfy (the same at the handshake and at re-authentication):
 * a subject that means one thing, not revoked, forwardable claims; and the route's authorization.
 */
class IdentityRulesTest {
  private static final Instant LATER = Instant.now().plusSeconds(300);
  private static final Auth AUTH = TestAuth.trusting("corp").build();
  private final Revocations revocations = new Revocations();

  private static VerifiedToken token(String issuer, String subject, Map<String, Object> claims) {
    return new VerifiedToken(subject, issuer, LATER, Set.of(), List.of(), claims);
  }

  private static Auth withoutSubjectHeader(Auth auth) {
    return new Auth(false, auth.issuers(), auth.tokenSources(), auth.scopes(), auth.roles(), auth.claims(), null,
        auth.forwardClaims(), auth.reauth(), auth.mode());
  }

  @Test
  void aPlainSubjectAuthenticates() {
    assertNull(IdentityRules.authenticationRefusal(token("corp", "alice", Map.of()), AUTH, revocations));
  }

  @Test
  void aSubjectThatMeansMoreThanOneThingIsInvalid() {
    for (String subject : List.of("", " alice", "alice ", "alice\u00a0", "\u2003alice", "ali\nce", "ali\u0000ce",
        "alice\r")) {
      assertEquals(Reason.SUBJECT_INVALID,
          IdentityRules.authenticationRefusal(token("corp", subject, Map.of()), AUTH, revocations), subject);
      assertEquals(Reason.SUBJECT_INVALID,
          IdentityRules.authenticationRefusal(token("corp", subject, Map.of()), withoutSubjectHeader(AUTH), revocations),
          "whether or not it goes upstream: " + subject);
    }
  }

  @Test
  void aSubjectSentUpstreamMustBeVisibleAscii() {
    VerifiedToken accented = token("corp", "zoë", Map.of());

    assertEquals(Reason.SUBJECT_INVALID, IdentityRules.authenticationRefusal(accented, AUTH, revocations));
    assertNull(IdentityRules.authenticationRefusal(accented, withoutSubjectHeader(AUTH), revocations),
        "kept at the gateway, an unambiguous non-ASCII subject is fine");
    assertNull(IdentityRules.authenticationRefusal(token("corp", "alice smith", Map.of()), AUTH, revocations),
        "inner spaces are visible");
  }

  @Test
  void aRevokedSubjectIsRefusedForItsIssuerOnly() {
    revocations.revoke(new SubjectId("corp", "alice"), LATER);

    assertEquals(Reason.TOKEN_REVOKED, IdentityRules.authenticationRefusal(token("corp", "alice", Map.of()), AUTH,
        revocations));
    assertNull(IdentityRules.authenticationRefusal(token("partner", "alice", Map.of()), AUTH, revocations));
    assertNull(IdentityRules.authenticationRefusal(token("corp", "bob", Map.of()), AUTH, revocations));
  }

  @Test
  void aRevocationForAnyIssuerCoversEvery() {
    revocations.revoke(new SubjectId(SubjectId.ANY_ISSUER, "mallory"), LATER);

    assertEquals(Reason.TOKEN_REVOKED, IdentityRules.authenticationRefusal(token("corp", "mallory", Map.of()), AUTH,
        revocations));
    assertEquals(Reason.TOKEN_REVOKED, IdentityRules.authenticationRefusal(token("partner", "mallory", Map.of()), AUTH,
        revocations));
  }

  @Test
  void anInvalidSubjectIsJudgedBeforeTheRevocationList() {
    revocations.revoke(new SubjectId("corp", " alice"), LATER);

    assertEquals(Reason.SUBJECT_INVALID, IdentityRules.authenticationRefusal(token("corp", " alice", Map.of()), AUTH,
        revocations));
  }

  @Test
  void aForwardedClaimMustBeSendableAsItIs() {
    Auth forwarding = TestAuth.trusting("corp").forwardClaims(Map.of("tenant", "x-tenant", "groups", "x-groups")).build();

    assertNull(IdentityRules.authenticationRefusal(token("corp", "alice", Map.of("tenant", "acme",
        "groups", List.of("staff", "admin"))), forwarding, revocations));
    assertNull(IdentityRules.authenticationRefusal(token("corp", "alice", Map.of()), forwarding, revocations),
        "an absent claim is simply not sent");
    assertEquals(Reason.CLAIM_NOT_FORWARDABLE, IdentityRules.authenticationRefusal(token("corp", "alice",
        Map.of("tenant", "acme\r\nx-admin: yes")), forwarding, revocations));
    assertEquals(Reason.CLAIM_NOT_FORWARDABLE, IdentityRules.authenticationRefusal(token("corp", "alice",
        Map.of("groups", List.of("staff", "ädmin"))), forwarding, revocations));
    assertNull(IdentityRules.authenticationRefusal(token("corp", "alice", Map.of("other", "bad\nvalue")), forwarding,
        revocations), "only forwarded claims are judged");
  }

  @Test
  void authorizationNeedsEveryScopeOneRoleAndEachClaim() {
    Auth auth = TestAuth.trusting("corp").scopes("read", "write").roles("admin", "ops")
        .claims(Map.of("tenant", "acme", "level", "3")).build();
    Map<String, Object> claims = Map.of("tenant", "acme", "level", 3L);

    assertTrue(IdentityRules.authorized(auth, new Identity("a", "corp", LATER, Set.of("read", "write"),
        List.of("ops"), claims)), "a number claim matches its text");
    assertFalse(IdentityRules.authorized(auth, new Identity("a", "corp", LATER, Set.of("read"), List.of("ops"), claims)));
    assertFalse(IdentityRules.authorized(auth, new Identity("a", "corp", LATER, Set.of("read", "write"),
        List.of("user"), claims)));
    assertFalse(IdentityRules.authorized(auth, new Identity("a", "corp", LATER, Set.of("read", "write"),
        List.of("ops"), Map.of("tenant", "acme"))));
  }

  @Test
  void aListClaimMatchesByOneOfItsPlainItems() {
    Auth auth = TestAuth.trusting("corp").claims(Map.of("groups", "admin")).build();

    assertTrue(authorizedWith(auth, List.of("staff", "admin")));
    assertFalse(authorizedWith(auth, List.of("staff")));
    assertFalse(authorizedWith(auth, List.of(List.of("admin"))), "a nested list is not its items");
    assertFalse(authorizedWith(auth, List.of(Map.of("admin", true))));
    assertFalse(authorizedWith(auth, Map.of("groups", "admin")), "an object never equals a text");
    assertFalse(authorizedWith(auth, "administrators"));
  }

  private static boolean authorizedWith(Auth auth, Object groups) {
    return IdentityRules.authorized(auth, new Identity("a", "corp", LATER, Set.of(), List.of(), Map.of("groups", groups)));
  }

  @Test
  void noRequirementsAuthorizeAnyIdentity() {
    assertTrue(IdentityRules.authorized(AUTH, new Identity("a", "corp", LATER, Set.of(), List.of(), Map.of())));
  }

  @Test
  void theIdentityIsTheTokensSubjectPerIssuer() {
    VerifiedToken token = new VerifiedToken("alice", "corp", LATER, Set.of("read"), List.of("ops"),
        Map.of("tenant", "acme"));

    Identity identity = IdentityRules.identity(token);

    assertEquals("alice", identity.subject());
    assertEquals("corp", identity.issuer());
    assertEquals(LATER, identity.expiresAt());
    assertEquals(Set.of("read"), identity.scopes());
    assertEquals(List.of("ops"), identity.roles());
    assertEquals("acme", identity.claims().get("tenant"));
    assertEquals(new SubjectId("corp", "alice"), identity.subjectId());
  }
}
