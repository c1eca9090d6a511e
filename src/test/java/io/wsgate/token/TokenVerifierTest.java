package io.wsgate.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.Reason;
import io.wsgate.policy.Issuer;
import io.wsgate.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.wsgate.token.TestTokens.AUD;
import static io.wsgate.token.TestTokens.EC;
import static io.wsgate.token.TestTokens.ISS;
import static io.wsgate.token.TestTokens.RSA;
import static io.wsgate.token.TestTokens.RSA_2;
import static io.wsgate.token.TestTokens.claims;
import static io.wsgate.token.TestTokens.es256;
import static io.wsgate.token.TestTokens.issuer;
import static io.wsgate.token.TestTokens.rs256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenVerifierTest {
  @TempDir
  Path dir;
  private Vertx vertx;
  private final List<TokenVerifier> verifiers = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    verifiers.forEach(v -> Await.result(v.close()));
    Await.result(vertx.close());
  }

  private TokenVerifier verifier(Issuer... issuers) {
    TokenVerifier v = Await.result(TokenVerifier.create(vertx, List.of(issuers)));
    verifiers.add(v);
    return v;
  }

  private TokenVerifier rsaVerifier() throws Exception {
    return verifier(issuer("idp", TestTokens.jwkFile(TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA)), "RS256"));
  }

  /** The token is refused with this reason, and nothing the client sees echoes the token. */
  private static TokenRejection rejected(Future<VerifiedToken> result, String token, Reason reason) {
    Throwable failure = Await.failure(result);
    TokenRejection r = assertInstanceOf(TokenRejection.class, failure, "a TokenRejection, not " + failure);
    assertEquals(reason, r.reason(), r.description());
    assertNoTokenIn(r, token);
    assertTrue(r.description().matches("[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]+"),
        "RFC 6750 error_description characters only: " + r.description());
    assertEquals(0, r.getStackTrace().length, "no stack trace");
    return r;
  }

  static void assertNoTokenIn(TokenRejection r, String token) {
    for (String text : new String[] {r.description(), r.getMessage(), r.wwwAuthenticate(), r.toString()}) {
      assertFalse(text.contains(token), "rejection text contains the token: " + text);
      for (String segment : token.split("\\.")) {
        if (segment.length() >= 8) {
          assertFalse(text.contains(segment), "rejection text contains a token segment: " + text);
        }
      }
    }
  }

  // --- accepted --------------------------------------------------------------------------------

  @Test
  void acceptsEdDsaSignedWithARealEd25519Key() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
    OctetKeyPair other = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
    Path jwks = TestTokens.writeJwks(dir.resolve("ed.jwks"), ed);
    TokenVerifier v = verifier(issuer("idp", TestTokens.jwkFile(jwks), "EdDSA"));
    JWTClaimsSet claims = claims("erin").build();
    String token = TestTokens.sign(new Ed25519Signer(ed), new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("ed-1").build(),
        claims);

    assertEquals("erin", Await.result(v.verify(token, List.of("idp"))).subject());
    String forged = TestTokens.sign(new Ed25519Signer(other),
        new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("ed-1").build(), claims);
    assertEquals("signature invalid", rejected(v.verify(forged, List.of("idp")), forged, Reason.TOKEN_INVALID)
        .description());
    String es = es256(EC, claims);
    assertEquals("algorithm not accepted for this issuer",
        rejected(v.verify(es, List.of("idp")), es, Reason.TOKEN_INVALID).description());
  }

  @Test
  void anEd448KeyIsRefusedWhenKeysLoad() throws Exception {
    OctetKeyPair ed448 = new OctetKeyPair.Builder(Curve.Ed448, new com.nimbusds.jose.util.Base64URL(
        java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[57]))).keyID("ed448").build();
    Path jwks = TestTokens.writeJwks(dir.resolve("ed448.jwks"), ed448);
    Throwable e = Await.failure(TokenVerifier.create(vertx, List.of(issuer("idp", TestTokens.jwkFile(jwks), "EdDSA"))));
    assertEquals("issuer idp: keys.jwkFile " + jwks + ": key 0 (kid ed448): unsupported OKP curve Ed448 (EdDSA tokens"
        + " are verified with Ed25519 keys only)", e.getMessage());
  }

  @Test
  void acceptsRs256WithScopesRolesAndClaims() throws Exception {
    TokenVerifier v = rsaVerifier();
    Instant exp = Instant.now().plusSeconds(120).with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0);
    String token = rs256(RSA, claims("alice").expirationTime(Date.from(exp))
        .claim("scope", "chat:read  chat:write").claim("roles", List.of("admin", "ops", 7))
        .claim("tenant", Map.of("id", "t1", "tags", List.of("a"))).build());

    VerifiedToken t = Await.result(v.verify(token, List.of("idp")));

    assertEquals("alice", t.subject());
    assertEquals("idp", t.issuerName());
    assertEquals(exp, t.expiresAt());
    assertEquals(Set.of("chat:read", "chat:write"), t.scopes());
    assertEquals(List.of("admin", "ops"), t.roles(), "non-string roles are ignored");
    assertEquals(ISS, t.claims().get("iss"));
    assertEquals(exp.getEpochSecond(), t.claims().get("exp"), "times as epoch seconds");
    @SuppressWarnings("unchecked")
    Map<String, Object> tenant = (Map<String, Object>) t.claims().get("tenant");
    assertEquals("t1", tenant.get("id"));
    assertThrows(UnsupportedOperationException.class, () -> t.claims().put("sub", "mallory"));
    assertThrows(UnsupportedOperationException.class, () -> tenant.put("id", "t2"));
  }

  @Test
  void acceptsEs256FromPemFileWithScpList() throws Exception {
    Path pem = Files.writeString(dir.resolve("ec.pem"), TestTokens.publicPem(EC));
    TokenVerifier v = verifier(issuer("idp", TestTokens.pemFile(pem), "ES256"));
    String token = es256(EC, claims("bob").claim("scp", List.of("chat", "admin")).build());

    VerifiedToken t = Await.result(v.verify(token, List.of("idp")));

    assertEquals("bob", t.subject());
    assertEquals(Set.of("chat", "admin"), t.scopes());
    assertEquals(List.of(), t.roles());
  }

  @Test
  void acceptsHs256FromSecretFileAndFromEnvironment() throws Exception {
    byte[] secret = TestTokens.secret(32);
    Path file = dir.resolve("hmac.secret");
    Files.write(file, (new String(secret, StandardCharsets.US_ASCII) + "\n").getBytes(StandardCharsets.US_ASCII));
    TokenVerifier fromFile = verifier(issuer("idp", TestTokens.hmacFile(file), "HS256"));
    TokenVerifier fromEnv = Await.result(TokenVerifier.create(vertx,
        List.of(issuer("idp", TestTokens.hmacEnv("WSGATE_TEST_SECRET"), "HS256")), java.time.Clock.systemUTC(),
        name -> name.equals("WSGATE_TEST_SECRET") ? new String(secret, StandardCharsets.US_ASCII) : null));
    verifiers.add(fromEnv);
    String token = TestTokens.hs256(secret, claims("carol").claim("scp", "a b").build());

    assertEquals(Set.of("a", "b"), Await.result(fromFile.verify(token, List.of("idp"))).scopes(),
        "the file's trailing newline is not part of the secret");
    assertEquals("carol", Await.result(fromEnv.verify(token, List.of("idp"))).subject());
    String forged = TestTokens.hs256(TestTokens.secret(32), claims("carol").build());
    TokenRejection r = rejected(fromFile.verify(forged, List.of("idp")), forged, Reason.TOKEN_INVALID);
    assertFalse(r.description().contains(new String(secret, StandardCharsets.US_ASCII)));
  }

  @Test
  void tokenWithoutKidUsesTheIssuersOnlyKeyOfThatType() throws Exception {
    TokenVerifier v = verifier(issuer("idp",
        TestTokens.jwkFile(TestTokens.writeJwks(dir.resolve("keys.jwks"), RSA, EC)), "RS256", "ES256"));
    String token = TestTokens.sign(TestTokens.signer(EC), new JWSHeader(JWSAlgorithm.ES256), claims("dave").build());

    assertEquals("dave", Await.result(v.verify(token, List.of("idp"))).subject());
  }

  @Test
  void devTokenMintedFromTheDevKeySetVerifies() throws Exception {
    Path jwks = dir.resolve("dev/dev.jwks");
    assertTrue(DevTokens.ensureKeySet(jwks));
    assertFalse(DevTokens.ensureKeySet(jwks), "an existing key set is left alone");
    TokenVerifier v = verifier(issuer("dev", TestTokens.jwkFile(jwks), "ES256"));
    String token = DevTokens.mint(jwks, ISS, AUD, "alice", List.of("chat", "read"), Duration.ofMinutes(10));

    VerifiedToken t = Await.result(v.verify(token, List.of("dev")));

    assertEquals("alice", t.subject());
    assertEquals(Set.of("chat", "read"), t.scopes());
    assertTrue(t.expiresAt().isAfter(Instant.now().plusSeconds(590)) && t.expiresAt().isBefore(Instant.now().plusSeconds(601)));
    if (Files.getFileStore(jwks).supportsFileAttributeView("posix")) {
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(jwks)));
    }
  }

  // --- the attacks ------------------------------------------------------------------------------

  @Test
  void algNoneAndUnsignedTokensAreRefused() throws Exception {
    TokenVerifier v = rsaVerifier();
    String payload = TestTokens.payloadJson("mallory");
    String signature = rs256(RSA, claims("mallory").build()).split("\\.")[2];
    for (String token : List.of(
        TestTokens.raw("{\"alg\":\"none\"}", payload, ""),
        TestTokens.raw("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, signature),
        TestTokens.raw("{\"alg\":\"None\"}", payload, ""),
        TestTokens.raw("{\"alg\":\"NONE\",\"kid\":\"rsa-1\"}", payload, signature),
        TestTokens.raw("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", payload, ""),
        TestTokens.b64("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}") + "." + TestTokens.b64(payload))) {
      rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID);
    }
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyBytesIsRefused() throws Exception {
    String pem = TestTokens.publicPem(RSA);
    Path pemFile = Files.writeString(dir.resolve("rsa.pem"), pem);
    TokenVerifier v = verifier(issuer("idp", TestTokens.pemFile(pemFile), "RS256"));
    JWTClaimsSet claims = claims("mallory").build();
    // The classic confusion: the attacker uses the public key (PEM text, or DER) as the HMAC secret.
    for (byte[] secret : List.of(pem.getBytes(StandardCharsets.US_ASCII), RSA.toRSAPublicKey().getEncoded(),
        pem.strip().getBytes(StandardCharsets.US_ASCII))) {
      String token = TestTokens.sign(new MACSigner(secret),
          new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(RSA.getKeyID()).build(), claims);
      TokenRejection r = rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID);
      assertEquals("algorithm not accepted for this issuer", r.description());
    }
    assertEquals("mallory", Await.result(v.verify(rs256(RSA, claims), List.of("idp"))).subject(),
        "the same claims, properly signed, pass");
  }

  @Test
  void expiredTokenIsRefusedAndClockSkewIsHonoured() throws Exception {
    Path jwks = TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA);
    TokenVerifier strict = verifier(issuer("idp", TestTokens.jwkFile(jwks), "RS256"));
    TokenVerifier lenient = verifier(issuer("idp", TestTokens.jwkFile(jwks), Duration.ofSeconds(60), 8192, List.of(),
        "RS256"));
    String token = rs256(RSA, claims("alice").expirationTime(Date.from(Instant.now().minusSeconds(10))).build());

    TokenRejection r = rejected(strict.verify(token, List.of("idp")), token, Reason.TOKEN_EXPIRED);
    assertEquals(TokenRejection.INVALID_TOKEN, r.errorCode());
    assertEquals("Bearer error=\"invalid_token\", error_description=\"token expired\"", r.wwwAuthenticate());
    assertEquals("alice", Await.result(lenient.verify(token, List.of("idp"))).subject(), "within 60 s of skew");

    String missingExp = rs256(RSA, new JWTClaimsSet.Builder(claims("alice").build()).expirationTime(null).build());
    rejected(strict.verify(missingExp, List.of("idp")), missingExp, Reason.TOKEN_INVALID);
  }

  @Test
  void notYetValidAndIssuedInTheFutureAreRefused() throws Exception {
    Path jwks = TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA);
    TokenVerifier v = verifier(issuer("idp", TestTokens.jwkFile(jwks), Duration.ofSeconds(5), 8192, List.of(),
        "RS256"));
    Date inAMinute = Date.from(Instant.now().plusSeconds(60));
    String notBefore = rs256(RSA, claims("alice").notBeforeTime(inAMinute).build());
    String issuedLater = rs256(RSA, claims("alice").issueTime(inAMinute).build());
    String nbfWithinSkew = rs256(RSA, claims("alice").notBeforeTime(Date.from(Instant.now().plusSeconds(2))).build());

    assertEquals("token not yet valid",
        rejected(v.verify(notBefore, List.of("idp")), notBefore, Reason.TOKEN_INVALID).description());
    assertEquals("token issued in the future",
        rejected(v.verify(issuedLater, List.of("idp")), issuedLater, Reason.TOKEN_INVALID).description());
    assertEquals("alice", Await.result(v.verify(nbfWithinSkew, List.of("idp"))).subject());
  }

  @Test
  void wrongIssuerOrAnIssuerTheRouteDoesNotTrustIsRefused() throws Exception {
    Path jwks = TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA);
    Issuer idp = issuer("idp", TestTokens.jwkFile(jwks), "RS256");
    Issuer partner = new Issuer("partner", "https://partner.test/", List.of(AUD), Set.of("RS256"),
        TestTokens.jwkFile(jwks), Duration.ZERO, 8192, List.of());
    TokenVerifier v = verifier(idp, partner);
    String foreign = rs256(RSA, claims("alice").issuer("https://evil.test/").build());
    String partnerToken = rs256(RSA, claims("alice").issuer("https://partner.test/").build());
    String noIss = rs256(RSA, new JWTClaimsSet.Builder(claims("alice").build()).issuer(null).build());

    rejected(v.verify(foreign, List.of("idp", "partner")), foreign, Reason.TOKEN_INVALID);
    rejected(v.verify(partnerToken, List.of("idp")), partnerToken, Reason.TOKEN_INVALID);
    rejected(v.verify(noIss, List.of("idp")), noIss, Reason.TOKEN_INVALID);
    assertEquals("partner", Await.result(v.verify(partnerToken, List.of("idp", "partner"))).issuerName());
    rejected(v.verify(partnerToken, List.of()), partnerToken, Reason.TOKEN_INVALID);
  }

  @Test
  void wrongAudienceIsRefused() throws Exception {
    TokenVerifier v = rsaVerifier();
    String wrong = rs256(RSA, claims("alice").audience("another-service").build());
    String none = rs256(RSA, claims("alice").audience((String) null).build());
    String oneOfMany = rs256(RSA, claims("alice").audience(List.of("x", "other-audience")).build());

    assertEquals("audience not accepted", rejected(v.verify(wrong, List.of("idp")), wrong, Reason.TOKEN_INVALID)
        .description());
    rejected(v.verify(none, List.of("idp")), none, Reason.TOKEN_INVALID);
    assertEquals("alice", Await.result(v.verify(oneOfMany, List.of("idp"))).subject());
  }

  @Test
  void unknownKidAndAnotherKeysSignatureAreRefused() throws Exception {
    TokenVerifier v = rsaVerifier();
    String unknownKid = rs256(RSA_2, claims("alice").build());
    String wrongKeySameKid = TestTokens.sign(TestTokens.signer(RSA_2),
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(RSA.getKeyID()).build(), claims("alice").build());

    assertEquals("no matching signing key",
        rejected(v.verify(unknownKid, List.of("idp")), unknownKid, Reason.TOKEN_INVALID).description());
    assertEquals("signature invalid",
        rejected(v.verify(wrongKeySameKid, List.of("idp")), wrongKeySameKid, Reason.TOKEN_INVALID).description());
  }

  @Test
  void oversizedTokenIsRefusedBeforeParsing() throws Exception {
    Path jwks = TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA);
    TokenVerifier v = verifier(issuer("idp", TestTokens.jwkFile(jwks), Duration.ZERO, 1024, List.of(), "RS256"));
    String big = rs256(RSA, claims("alice").claim("pad", "x".repeat(1024)).build());
    String bigGarbage = "!".repeat(1025);
    String justRight = rs256(RSA, claims("alice").build());
    assertTrue(justRight.length() <= 1024);

    assertEquals("token too large", rejected(v.verify(big, List.of("idp")), big, Reason.TOKEN_INVALID).description());
    assertEquals("token too large", rejected(v.verify(bigGarbage, List.of("idp")), bigGarbage, Reason.TOKEN_INVALID)
        .description(), "the length is checked before the characters, let alone JSON");
    assertEquals("alice", Await.result(v.verify(justRight, List.of("idp"))).subject());
  }

  @Test
  void tamperedPayloadIsRefused() throws Exception {
    TokenVerifier v = rsaVerifier();
    String[] parts = rs256(RSA, claims("alice").claim("roles", List.of("user")).build()).split("\\.");
    String[] forged = {
        TestTokens.b64(claims("admin").claim("roles", List.of("user")).build().toString()),
        TestTokens.b64(claims("alice").claim("roles", List.of("admin")).build().toString())};
    for (String payload : forged) {
      String token = parts[0] + "." + payload + "." + parts[2];
      assertEquals("signature invalid",
          rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID).description());
    }
    String flippedSignature = parts[0] + "." + parts[1] + "." + (parts[2].charAt(0) == 'A' ? "B" : "A")
        + parts[2].substring(1);
    rejected(v.verify(flippedSignature, List.of("idp")), flippedSignature, Reason.TOKEN_INVALID);
  }

  @Test
  void jkuX5uAndEmbeddedJwkHeadersAreNeverFollowed() throws Exception {
    TokenVerifier v = rsaVerifier();
    try (JwksServer attacker = JwksServer.start(vertx)) {
      attacker.serve(TestTokens.ATTACKER);
      JWTClaimsSet claims = claims("mallory").build();
      JWK attackerPublic = TestTokens.ATTACKER.toPublicJWK();
      List<String> hostile = List.of(
          TestTokens.sign(TestTokens.signer(TestTokens.ATTACKER), new JWSHeader.Builder(JWSAlgorithm.ES256)
              .keyID("attacker").jwkURL(attacker.uri()).build(), claims),
          TestTokens.sign(TestTokens.signer(TestTokens.ATTACKER), new JWSHeader.Builder(JWSAlgorithm.ES256)
              .keyID("attacker").x509CertURL(attacker.uri()).build(), claims),
          TestTokens.sign(TestTokens.signer(TestTokens.ATTACKER), new JWSHeader.Builder(JWSAlgorithm.ES256)
              .jwk(attackerPublic).build(), claims),
          // the right algorithm for the issuer, the attacker's RSA key published at jku
          TestTokens.sign(TestTokens.signer(RSA_2), new JWSHeader.Builder(JWSAlgorithm.RS256)
              .keyID(RSA_2.getKeyID()).jwkURL(attacker.uri()).jwk(RSA_2.toPublicJWK()).build(), claims));
      attacker.serve(TestTokens.ATTACKER, RSA_2);
      for (String token : hostile) {
        rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID);
      }
      String honestWithJku = TestTokens.sign(TestTokens.signer(RSA), new JWSHeader.Builder(JWSAlgorithm.RS256)
          .keyID(RSA.getKeyID()).jwkURL(attacker.uri()).build(), claims);
      assertEquals("mallory", Await.result(v.verify(honestWithJku, List.of("idp"))).subject(),
          "verified against the configured key; the header is ignored");

      assertEquals(0, attacker.requests(), "the jku/x5u server was never contacted");
    }
  }

  @Test
  void injectionStyleKidsAreJustUnknownKids() throws Exception {
    TokenVerifier v = rsaVerifier();
    Path hmacFile = Files.write(dir.resolve("s"), TestTokens.secret(32));
    TokenVerifier hmac = verifier(issuer("h", TestTokens.hmacFile(hmacFile), "HS256"));
    for (String kid : List.of("../../etc/passwd", "' OR 1=1 --", "/dev/null", "\u0000", "%00", "${jndi:ldap://x}",
        "k".repeat(2000))) {
      String token = TestTokens.sign(TestTokens.signer(RSA_2),
          new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims("mallory").build());
      rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID);
      // an empty or file-like secret must not verify either: the kid selects nothing
      String hs = TestTokens.sign(new MACSigner(new byte[32]), new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid)
          .build(), claims("mallory").build());
      rejected(hmac.verify(hs, List.of("h")), hs, Reason.TOKEN_INVALID);
    }
  }

  @Test
  void encryptedMalformedAndNullTokensAreRefusedWithoutThrowing() throws Exception {
    TokenVerifier v = rsaVerifier();
    String jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn";
    for (String token : List.of(jwe, "a.b", "a.b.c.d", "....", "eyJ.eyJ.sig", "not a token", "Ωmega.x.y", ".x.y",
        TestTokens.raw("[]", "{}", "c2ln"), TestTokens.raw("{\"alg\":\"RS256\"}", "[1,2]", "c2ln"),
        TestTokens.raw("{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"]}", TestTokens.payloadJson("x"), "c2ln"))) {
      rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID);
    }
    assertEquals("encrypted tokens are not accepted",
        rejected(v.verify(jwe, List.of("idp")), jwe, Reason.TOKEN_INVALID).description());
    assertEquals(Reason.TOKEN_INVALID, ((TokenRejection) Await.failure(v.verify(null, List.of("idp")))).reason());
    assertEquals(Reason.TOKEN_INVALID, ((TokenRejection) Await.failure(v.verify("", List.of("idp")))).reason());
  }

  @Test
  void deeplyNestedJsonIsRefusedNotThrown() throws Exception {
    TokenVerifier v = verifier(issuer("idp", TestTokens.jwkFile(TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA)),
        Duration.ZERO, 64 * 1024, List.of(), "RS256"));
    String deep = "[".repeat(20_000) + "]".repeat(20_000);
    String payload = TestTokens.payloadJson("alice");
    String inPayload = rs256(RSA, claims("alice").build()).split("\\.")[0] + "."
        + TestTokens.b64(payload.substring(0, payload.length() - 1) + ",\"x\":" + deep + "}") + ".c2ln";
    String inHeader = TestTokens.raw("{\"alg\":\"RS256\",\"x\":" + deep + "}", payload, "c2ln");
    String signedDeep = rs256(RSA, claims("alice").claim("x", nested(200)).build());
    for (String token : List.of(inPayload, inHeader, signedDeep)) {
      rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID);
    }
  }

  private static Object nested(int depth) {
    Object o = "leaf";
    for (int i = 0; i < depth; i++) {
      o = List.of(o);
    }
    return o;
  }

  @Test
  void unknownCriticalHeaderIsRefused() throws Exception {
    TokenVerifier v = rsaVerifier();
    String token = TestTokens.sign(TestTokens.signer(RSA), new JWSHeader.Builder(JWSAlgorithm.RS256)
        .keyID(RSA.getKeyID()).criticalParams(Set.of("exp-policy")).customParam("exp-policy", "lax").build(),
        claims("alice").build());
    assertEquals("unsupported critical header parameter",
        rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID).description());
  }

  @Test
  void critMustBeANonEmptyListOfUnderstoodExtensionsPresentInTheHeader() throws Exception {
    TokenVerifier v = rsaVerifier();
    String kid = "\"alg\":\"RS256\",\"kid\":\"" + RSA.getKeyID() + "\"";
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("{" + kid + ",\"crit\":[]}", "crit header must not be empty");
    refused.put("{" + kid + ",\"crit\":[\"kid\"]}", "crit header lists a standard header parameter");
    refused.put("{" + kid + ",\"crit\":[\"alg\"]}", "crit header lists a standard header parameter");
    refused.put("{" + kid + ",\"crit\":[\"crit\"]}", "crit header lists a standard header parameter");
    refused.put("{" + kid + ",\"b64\":true,\"crit\":[\"b64\",\"b64\"]}", "crit header lists a parameter twice");
    refused.put("{" + kid + ",\"crit\":[\"b64\"]}", "crit header lists an absent parameter");
    refused.put("{" + kid + ",\"crit\":[\"exp-policy\"]}", "crit header lists an absent parameter");
    refused.put("{" + kid + ",\"exp-policy\":\"lax\",\"crit\":[\"exp-policy\"]}",
        "unsupported critical header parameter");
    refused.put("{" + kid + ",\"crit\":\"b64\",\"b64\":true}", "malformed token header");
    refused.put("{" + kid + ",\"crit\":[1]}", "malformed token header");
    refused.put("{" + kid + ",\"crit\":null}", "malformed token header");
    refused.put("{" + kid + ",\"crit\":{}}", "malformed token header");
    for (Map.Entry<String, String> e : refused.entrySet()) {
      String token = TestTokens.signedRaw(RSA, JWSAlgorithm.RS256, e.getKey(), claims("alice").build());
      assertEquals(e.getValue(), rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID).description(),
          e.getKey());
    }
    // RFC 7797 §6: b64 must be listed in crit; with b64 true the payload is the usual base64url.
    String b64True = TestTokens.signedRaw(RSA, JWSAlgorithm.RS256, "{" + kid + ",\"b64\":true,\"crit\":[\"b64\"]}",
        claims("alice").build());
    assertEquals("alice", Await.result(v.verify(b64True, List.of("idp"))).subject());
    String noCrit = TestTokens.signedRaw(RSA, JWSAlgorithm.RS256, "{" + kid + "}", claims("alice").build());
    assertEquals("alice", Await.result(v.verify(noCrit, List.of("idp"))).subject(), "control: the same token without crit");
  }

  @Test
  void subjectAndRequiredClaimsMustBePresent() throws Exception {
    Path jwks = TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA);
    TokenVerifier v = verifier(issuer("idp", TestTokens.jwkFile(jwks), Duration.ZERO, 8192, List.of("tenant"),
        "RS256"));
    String noTenant = rs256(RSA, claims("alice").build());
    String noSub = rs256(RSA, new JWTClaimsSet.Builder(claims("x").claim("tenant", "t").build()).subject(null).build());
    String blankSub = rs256(RSA, claims(" ").claim("tenant", "t").build());
    String numericSub = rs256(RSA, claims("x").claim("tenant", "t").claim("sub", 42).build());
    String badNbf = rs256(RSA, claims("x").claim("tenant", "t").claim("nbf", "tomorrow").build());

    assertEquals("required claim missing: tenant",
        rejected(v.verify(noTenant, List.of("idp")), noTenant, Reason.TOKEN_INVALID).description());
    for (String token : List.of(noSub, blankSub, numericSub, badNbf)) {
      rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_INVALID);
    }
    assertEquals("alice", Await.result(v.verify(rs256(RSA, claims("alice").claim("tenant", "t").build()),
        List.of("idp"))).subject());
  }

  // --- configuration -----------------------------------------------------------------------------

  @Test
  void badKeyConfigurationFailsCreationWithoutRevealingSecrets() throws Exception {
    byte[] shortSecret = "short-secret-of-31-bytes-long!!".getBytes(StandardCharsets.US_ASCII);
    assertEquals(31, shortSecret.length);
    Path shortFile = Files.write(dir.resolve("short"), shortSecret);
    Path notJson = Files.writeString(dir.resolve("bad.jwks"), "{not json");
    Path weakRsa = dir.resolve("weak.jwks");
    Files.writeString(weakRsa, new com.nimbusds.jose.jwk.JWKSet(
        new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(1024, true).keyID("weak").generate()).toPublicJWKSet().toString());
    Path secretInJwk = Files.writeString(dir.resolve("oct.jwk"),
        new com.nimbusds.jose.jwk.OctetSequenceKey.Builder(TestTokens.secret(32)).build().toJSONString());

    Map<Issuer, String> cases = Map.of(
        issuer("a", TestTokens.hmacFile(shortFile), "HS256"), "issuer a: keys.hmacSecretFile " + shortFile
            + ": HMAC secret has 31 bytes, at least 32 required",
        issuer("b", TestTokens.hmacEnv("WSGATE_UNSET_FOR_TEST"), "HS256"),
        "issuer b: keys.hmacSecretEnv WSGATE_UNSET_FOR_TEST: environment variable WSGATE_UNSET_FOR_TEST is not set",
        issuer("c", TestTokens.jwkFile(notJson), "RS256"), "issuer c: keys.jwkFile " + notJson + ": not a JWK or JWK Set",
        issuer("d", TestTokens.jwkFile(weakRsa), "RS256"), "issuer d: keys.jwkFile " + weakRsa
            + ": key 0 (kid weak): RSA key shorter than 2048 bits",
        issuer("e", TestTokens.jwkFile(dir.resolve("missing.jwks")), "RS256"), "issuer e: keys.jwkFile "
            + dir.resolve("missing.jwks") + ": cannot read (NoSuchFileException)",
        issuer("f", TestTokens.jwkFile(secretInJwk), "RS256"), "issuer f: keys.jwkFile " + secretInJwk
            + ": holds a symmetric key; HMAC secrets belong in keys.hmacSecretFile or keys.hmacSecretEnv");
    for (Map.Entry<Issuer, String> c : cases.entrySet()) {
      Throwable e = Await.failure(TokenVerifier.create(vertx, List.of(c.getKey()), java.time.Clock.systemUTC(),
          name -> null));
      assertInstanceOf(IllegalArgumentException.class, e);
      assertEquals(c.getValue(), e.getMessage());
    }
  }


  @Test
  void aVerifiedTokenIsServedFromTheCacheUntilItsExpAndOnlyToRoutesTrustingItsIssuer() throws Exception {
    MutableClock clock = new MutableClock();
    Path jwks = TestTokens.writeJwks(dir.resolve("rsa.jwks"), RSA);
    Issuer idp = issuer("idp", TestTokens.jwkFile(jwks), "RS256");
    Issuer partner = new Issuer("partner", "https://partner.test/", List.of(AUD), Set.of("RS256"),
        TestTokens.jwkFile(jwks), Duration.ZERO, 8192, List.of());
    TokenVerifier v = Await.result(TokenVerifier.create(vertx, List.of(idp, partner), clock));
    verifiers.add(v);
    String token = rs256(RSA, claims("alice").issueTime(java.util.Date.from(clock.instant()))
        .expirationTime(java.util.Date.from(clock.instant().plusSeconds(60))).build());

    assertEquals("alice", Await.result(v.verify(token, List.of("idp"))).subject());
    assertEquals(1, v.cachedVerifications(), "kept once verified");
    assertEquals("alice", Await.result(v.verify(token, List.of("idp", "partner"))).subject());
    rejected(v.verify(token, List.of("partner")), token, Reason.TOKEN_INVALID);
    assertEquals(1, v.cachedVerifications(), "a refusal is never kept");

    clock.advance(Duration.ofSeconds(61));
    rejected(v.verify(token, List.of("idp")), token, Reason.TOKEN_EXPIRED);
  }
}
