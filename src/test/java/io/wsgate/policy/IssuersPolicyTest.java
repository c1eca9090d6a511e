package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The top-level {@code issuers:} mapping and the checks on each issuer's keys. */
class IssuersPolicyTest extends PolicyTestSupport {
  /** An HMAC secret of exactly 40 bytes: enough for HS256, too short for HS384 / HS512. */
  private static final String SECRET_40 = "0123456789abcdefghij0123456789ABCDEFGHIJ";
  private static final String ROUTE = "routes:\n  - path: /chat\n    upstreams: [demo]\n    origins: { allow: ['*'] }\n"
      + "    auth: { issuers: [dev] }\n";

  private static final String EC_JWK;
  private static final String RSA_PEM;

  static {
    try {
      EC_JWK = new ECKeyGenerator(Curve.P_256).keyID("k1").generate().toPublicJWK().toJSONString();
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      RSA_PEM = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
          .encodeToString(rsa.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @BeforeEach
  void keys() throws Exception {
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/ec.jwk.json"), EC_JWK);
    Files.writeString(dir.resolve("keys/rsa.pem"), RSA_PEM);
  }

  /** Issuer {@code dev}, whose body starts on line 6, and a route that trusts it. */
  private static String dev(String body) {
    return PLAIN_LISTENER + "issuers:\n  dev:\n" + body + ROUTE;
  }

  private static String dev(String algorithms, String keys) {
    return dev("    issuer: https://idp.example.com/\n    audiences: [wsgate]\n"
        + "    algorithms: " + algorithms + "\n"     // 8
        + "    keys: " + keys + "\n");               // 9
  }

  private static KeySource jwkFile(Path file) {
    return new KeySource(null, null, null, file, null, null, null);
  }

  @Test
  void aJwkFileIssuerGetsDefaults() throws Exception {
    GatewayPolicy p = load(dev("[ES256]", "{ jwkFile: keys/ec.jwk.json }"));
    assertEquals(List.of(new Issuer("dev", "https://idp.example.com/", List.of("wsgate"), Set.of("ES256"),
        jwkFile(abs("keys/ec.jwk.json")), Duration.ofSeconds(30), 8192, List.of("sub", "exp"))),
        p.security().issuers());
    assertEquals(List.of("dev"), p.routes().get(0).security().auth().issuers());
  }

  @Test
  void everyIssuerFieldParses() throws Exception {
    Issuer i = load(dev("    issuer: https://idp.example.com/\n"
        + "    audiences: [wsgate, chat]\n"
        + "    algorithms: [RS256, PS256]\n"
        + "    keys: { pemFile: keys/rsa.pem }\n"
        + "    clockSkew: 2m\n"
        + "    maxTokenBytes: 16KiB\n"
        + "    requiredClaims: [tenant, sub]\n")).security().issuers().get(0);
    assertEquals(new Issuer("dev", "https://idp.example.com/", List.of("wsgate", "chat"), Set.of("RS256", "PS256"),
        new KeySource(null, null, null, null, abs("keys/rsa.pem"), null, null), Duration.ofMinutes(2), 16384,
        List.of("sub", "exp", "tenant")), i);
  }

  @Test
  void jwksUrlMustBeHttpsUnlessLoopback() throws Exception {
    for (String ok : List.of("https://idp.example.com/jwks", "http://127.0.0.1:8080/jwks", "http://[::1]/jwks",
        "http://localhost:1/jwks", "http://127.1.2.3/k", "http://[0:0:0:0:0:0:0:1]:9/k")) {
      assertEquals(URI.create(ok), load(dev("[RS256]", "{ jwksUrl: \"" + ok + "\" }")).security().issuers().get(0)
          .keys().jwksUrl(), ok);
    }
    for (String bad : List.of("http://idp.example.com/jwks", "http://10.0.0.1/jwks", "http://127.0.0.1.nip.io/jwks",
        "ftp://127.0.0.1/jwks", "http://cafe/jwks", "http://2130706433/jwks", "http://127.1/jwks",
        "https://user:pw@idp.example.com/jwks", "file:///etc/jwks", "/relative")) {
      assertTrue(onlyError(dev("[RS256]", "{ jwksUrl: \"" + bad + "\" }")).startsWith("9:22: issuers.dev.keys.jwksUrl: "),
          bad);
    }
  }

  @Test
  void jwksUrlTakesRefreshSettings() throws Exception {
    assertEquals(new KeySource(URI.create("https://idp.example.com/jwks.json"), Duration.ofMinutes(5),
            Duration.ofSeconds(10), Duration.ofMillis(1500), null, null, null, null),
        load(dev("[RS256]", "{ jwksUrl: https://idp.example.com/jwks.json, refresh: 5m, minRefetch: 10s,"
            + " fetchTimeout: 1500ms }")).security().issuers().get(0).keys());
    assertEquals(new KeySource(URI.create("http://127.0.0.1:8080/jwks"), Duration.ofMinutes(10),
            Duration.ofSeconds(30), Duration.ofSeconds(10), null, null, null, null),
        load(dev("[RS256]", "{ jwksUrl: \"http://127.0.0.1:8080/jwks\" }")).security().issuers().get(0).keys());
    assertEquals("9:22: issuers.dev.keys.jwksUrl: must be https (http only to a loopback host), got"
            + " \"http://idp.example.com/jwks\"",
        onlyError(dev("[RS256]", "{ jwksUrl: \"http://idp.example.com/jwks\" }")));
    assertEquals("9:22: issuers.dev.keys.jwksUrl: user info is not allowed in jwksUrl",
        onlyError(dev("[RS256]", "{ jwksUrl: \"https://u:p@idp.example.com/jwks\" }")));
    assertEquals("9:49: issuers.dev.keys.refresh: only applies to jwksUrl",
        onlyError(dev("[ES256]", "{ jwkFile: keys/ec.jwk.json, refresh: 5m }")));
    assertEquals("9:69: issuers.dev.keys.minRefetch: must be greater than 0",
        onlyError(dev("[RS256]", "{ jwksUrl: https://idp.example.com/jwks.json, minRefetch: 0s }")));
    assertEquals("9:71: issuers.dev.keys.fetchTimeout: must be greater than 0",
        onlyError(dev("[RS256]", "{ jwksUrl: https://idp.example.com/jwks.json, fetchTimeout: 0s }")));
    assertEquals("9:71: issuers.dev.keys.fetchTimeout: must be at most 1m, got 2m",
        onlyError(dev("[RS256]", "{ jwksUrl: https://idp.example.com/jwks.json, fetchTimeout: 2m }")));
    assertEquals("9:54: issuers.dev.keys.fetchTimeout: only applies to jwksUrl",
        onlyError(dev("[ES256]", "{ jwkFile: keys/ec.jwk.json, fetchTimeout: 5s }")));
  }

  @Test
  void algNoneIsNeverAccepted() throws Exception {
    assertEquals(List.of(
            "8:18: issuers.dev.algorithms[0]: \"none\" is never accepted (an unsigned token proves nothing)",
            "8:24: issuers.dev.algorithms[1]: \"NoNe\" is never accepted (an unsigned token proves nothing)"),
        errors(dev("[none, NoNe, ES256]", "{ jwkFile: keys/ec.jwk.json }")));
  }

  @Test
  void unknownAndDuplicateAlgorithms() throws Exception {
    assertEquals(List.of(
            "8:25: issuers.dev.algorithms[1]: unknown algorithm \"es384\" (did you mean ES384?)",
            "8:32: issuers.dev.algorithms[2]: unknown algorithm \"XS256\" (expected one of: RS256, RS384, RS512, PS256,"
                + " PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512)",
            "8:39: issuers.dev.algorithms[3]: duplicate algorithm \"ES256\""),
        errors(dev("[ES256, es384, XS256, ES256]", "{ jwkFile: keys/ec.jwk.json }")));
    assertEquals("8:17: issuers.dev.algorithms: must list at least one algorithm",
        onlyError(dev("[]", "{ jwkFile: keys/ec.jwk.json }")));
  }

  @Test
  void hmacAlgorithmsNeedAnHmacKeySource() throws Exception {
    assertEquals("8:25: issuers.dev.algorithms[1]: HS256 needs an HMAC key source (hmacSecretFile or hmacSecretEnv),"
        + " not jwkFile", onlyError(dev("[ES256, HS256]", "{ jwkFile: keys/ec.jwk.json }")));
  }

  @Test
  void anHmacKeySourceServesOnlyHmacAlgorithms() throws Exception {
    env = Map.of("JWT_SECRET", SECRET_40)::get;
    assertEquals("8:18: issuers.dev.algorithms[0]: RS256 needs a public-key source (jwksUrl, jwkFile or pemFile), not"
        + " hmacSecretEnv", onlyError(dev("[RS256, HS256]", "{ hmacSecretEnv: JWT_SECRET }")));
  }

  @Test
  void hmacSecretEnvIsCheckedButNeverKept() throws Exception {
    env = Map.of("JWT_SECRET", SECRET_40)::get;
    GatewayPolicy p = load(dev("[HS256]", "{ hmacSecretEnv: JWT_SECRET }"));
    assertEquals(new KeySource(null, null, null, null, null, null, "JWT_SECRET"), p.security().issuers().get(0).keys());
    assertFalse(p.toString().contains(SECRET_40), "the policy snapshot must not hold the secret");
  }

  @Test
  void unsetEnvironmentVariableIsAnError() throws Exception {
    assertEquals("9:28: issuers.dev.keys.hmacSecretEnv: environment variable WSGATE_TEST_UNSET is not set",
        onlyError(dev("[HS256]", "{ hmacSecretEnv: WSGATE_TEST_UNSET }")));
    // the real environment, as `run` and `policy check` see it
    String name = "WSGATE_POLICY_TEST_UNSET_7F3A";
    assertEquals(null, System.getenv(name));
    write(dev("[HS256]", "{ hmacSecretEnv: " + name + " }"));
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(dir));
    assertTrue(e.getMessage().endsWith(":9:28: issuers.dev.keys.hmacSecretEnv: environment variable " + name
        + " is not set"), e.getMessage());
  }

  @Test
  void shortOrEmptyEnvironmentSecretsAreErrorsThatNeverShowTheSecret() throws Exception {
    String shortSecret = "s3cr3t-but-only-30-bytes-long!";
    env = Map.of("JWT_SECRET", shortSecret, "LONGER", SECRET_40, "EMPTY", "")::get;
    List<String> errors = errors(dev("[HS256]", "{ hmacSecretEnv: JWT_SECRET }"));
    assertEquals(List.of("9:28: issuers.dev.keys.hmacSecretEnv: environment variable JWT_SECRET is 30 bytes, too"
        + " short: HS256 needs at least 32 bytes"), errors);
    assertFalse(errors.get(0).contains(shortSecret));
    List<String> hs512 = errors(dev("[HS256, HS512]", "{ hmacSecretEnv: LONGER }"));
    assertEquals(List.of("9:28: issuers.dev.keys.hmacSecretEnv: environment variable LONGER is 40 bytes, too short:"
        + " HS512 needs at least 64 bytes"), hs512);
    assertFalse(hs512.get(0).contains(SECRET_40));
    assertEquals("9:28: issuers.dev.keys.hmacSecretEnv: environment variable EMPTY is empty",
        onlyError(dev("[HS256]", "{ hmacSecretEnv: EMPTY }")));
    assertEquals("9:28: issuers.dev.keys.hmacSecretEnv: invalid environment variable name \"JWT-SECRET\"",
        onlyError(dev("[HS256]", "{ hmacSecretEnv: JWT-SECRET }")));
  }

  @Test
  void hmacSecretFileMustHoldEnoughBytes() throws Exception {
    Files.writeString(dir.resolve("keys/short.secret"), "short-secret\n");
    List<String> errors = errors(dev("[HS256]", "{ hmacSecretFile: keys/short.secret }"));
    assertEquals(List.of("9:29: issuers.dev.keys.hmacSecretFile: the secret in " + abs("keys/short.secret")
        + " is 12 bytes, too short: HS256 needs at least 32 bytes"), errors);
    assertFalse(errors.get(0).contains("short-secret\""));

    // one trailing newline is not part of the secret: 31 bytes + "\n" is short, 32 bytes + "\r\n" is enough
    Files.writeString(dir.resolve("keys/31.secret"), "a".repeat(31) + "\n");
    assertEquals("9:29: issuers.dev.keys.hmacSecretFile: the secret in " + abs("keys/31.secret")
        + " is 31 bytes, too short: HS256 needs at least 32 bytes",
        onlyError(dev("[HS256]", "{ hmacSecretFile: keys/31.secret }")));
    Files.writeString(dir.resolve("keys/32.secret"), "a".repeat(32) + "\r\n");
    assertEquals(new KeySource(null, null, null, null, null, abs("keys/32.secret"), null),
        load(dev("[HS256]", "{ hmacSecretFile: keys/32.secret }")).security().issuers().get(0).keys());

    assertEquals("9:29: issuers.dev.keys.hmacSecretFile: file not found: " + abs("keys/none.secret"),
        onlyError(dev("[HS256]", "{ hmacSecretFile: keys/none.secret }")));
  }

  @Test
  void exactlyOneKeySource() throws Exception {
    assertEquals("9:11: issuers.dev.keys: needs exactly one of: jwksUrl, jwkFile, pemFile, hmacSecretFile, hmacSecretEnv",
        onlyError(dev("[ES256]", "{ }")));
    assertEquals("9:49: issuers.dev.keys.pemFile: conflicts with jwkFile (an issuer has exactly one key source)",
        onlyError(dev("[ES256]", "{ jwkFile: keys/ec.jwk.json, pemFile: keys/rsa.pem }")));
    assertEquals("9:5: issuers.dev.keys: required (one of: jwksUrl, jwkFile, pemFile, hmacSecretFile, hmacSecretEnv)",
        onlyError(dev("[ES256]", "")));
    assertEquals("9:52: issuers.dev.keys.generateDevKey: only applies to jwkFile",
        onlyError(dev("[RS256]", "{ pemFile: keys/rsa.pem, generateDevKey: true }")));
  }

  @Test
  void keyFilesMustHoldKeysForTheAlgorithms() throws Exception {
    assertEquals("9:22: issuers.dev.keys.pemFile: no key can verify ES256 (" + abs("keys/rsa.pem") + " holds: RSA)",
        onlyError(dev("[RS256, ES256]", "{ pemFile: keys/rsa.pem }")));
    assertEquals("9:22: issuers.dev.keys.jwkFile: no key can verify ES384, EdDSA (" + abs("keys/ec.jwk.json")
        + " holds: EC P-256)", onlyError(dev("[ES256, ES384, EdDSA]", "{ jwkFile: keys/ec.jwk.json }")));
  }

  @Test
  void eddsaTakesAnEd25519KeyOnly() throws Exception {
    Files.writeString(dir.resolve("keys/ed25519.jwk.json"),
        new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate().toPublicJWK().toJSONString());
    Files.writeString(dir.resolve("keys/ed448.jwk.json"), "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\""
        + "A".repeat(76) + "\"}");
    assertEquals(Set.of("EdDSA"), load(dev("[EdDSA]", "{ jwkFile: keys/ed25519.jwk.json }")).security().issuers()
        .get(0).algorithms());
    assertEquals("9:22: issuers.dev.keys.jwkFile: no key can verify EdDSA (" + abs("keys/ed448.jwk.json")
        + " holds: OKP Ed448)", onlyError(dev("[EdDSA]", "{ jwkFile: keys/ed448.jwk.json }")));
  }

  @Test
  void anIssuerRecordNeverHoldsAnAlgorithmOutsideTheSet() {
    for (String alg : List.of("none", "NONE", "ES256K", "Ed25519", "es256")) {
      assertThrows(IllegalArgumentException.class, () -> new Issuer("idp", "https://idp/", List.of("a"), Set.of(alg),
          jwkFile(abs("k")), Duration.ZERO, 8192, List.of()), alg);
    }
  }

  @Test
  void unreadableKeyFilesAreErrors() throws Exception {
    Files.writeString(dir.resolve("keys/bad.json"), "{not json");
    Files.writeString(dir.resolve("keys/oct.json"), "{\"keys\": ["
        + new OctetSequenceKeyGenerator(256).generate().toJSONString() + "]}");
    Files.writeString(dir.resolve("keys/empty.json"), "{\"keys\": []}");
    Files.writeString(dir.resolve("keys/bad.pem"), "hello");
    assertEquals("9:22: issuers.dev.keys.jwkFile: not a JWK or JWK Set: Invalid JSON object (" + abs("keys/bad.json")
        + ")", onlyError(dev("[ES256]", "{ jwkFile: keys/bad.json }")));
    assertEquals("9:22: issuers.dev.keys.jwkFile: holds a oct key; only public-key types (RSA, EC, OKP) verify here,"
        + " HMAC secrets go in hmacSecretFile or hmacSecretEnv (" + abs("keys/oct.json") + ")",
        onlyError(dev("[ES256]", "{ jwkFile: keys/oct.json }")));
    assertEquals("9:22: issuers.dev.keys.jwkFile: the JWK Set holds no keys (" + abs("keys/empty.json") + ")",
        onlyError(dev("[ES256]", "{ jwkFile: keys/empty.json }")));
    assertEquals("9:22: issuers.dev.keys.pemFile: not a PEM public key or certificate: No PEM-encoded keys found ("
        + abs("keys/bad.pem") + ")", onlyError(dev("[RS256]", "{ pemFile: keys/bad.pem }")));
    assertEquals("9:22: issuers.dev.keys.jwkFile: file not found: " + abs("keys/none.json"),
        onlyError(dev("[ES256]", "{ jwkFile: keys/none.json }")));
  }

  @Test
  void generateDevKeyAllowsAMissingJwkFileAndTheLoaderWritesNothing() throws Exception {
    Path key = abs("dev/issuer.jwk.json");
    GatewayPolicy p = load(dev("[ES256]", "{ jwkFile: dev/issuer.jwk.json, generateDevKey: true }"));
    assertFalse(Files.exists(key), "loading (and so policy check) writes no file");
    assertEquals(new KeySource(null, null, null, null, key, true, null, null, null), p.security().issuers().get(0).keys());
    assertEquals("9:22: issuers.dev.keys.jwkFile: no key can verify RS256 (" + key + " is missing; generateDevKey would"
        + " create an ES256 key)", onlyError(dev("[RS256]", "{ jwkFile: dev/issuer.jwk.json, generateDevKey: true }")));

    io.wsgate.DevMaterial.generateIssuerKeys(p);
    String first = Files.readString(key);
    assertEquals("9:22: issuers.dev.keys.jwkFile: no key can verify RS256 (" + key + " holds: EC P-256 alg ES256 use"
        + " sig)", onlyError(dev("[RS256]", "{ jwkFile: dev/issuer.jwk.json, generateDevKey: true }")));
    io.wsgate.DevMaterial.generateIssuerKeys(load(dev("[ES256]", "{ jwkFile: dev/issuer.jwk.json, generateDevKey: true }")));
    assertEquals(first, Files.readString(key), "an existing key is kept");
  }

  @Test
  void issuerFieldsAreRequiredAndBounded() throws Exception {
    assertEquals(List.of(
            "6:5: issuers.dev.issuer: required (the exact iss claim value)",
            "6:5: issuers.dev.audiences: required (the aud values this gateway accepts)",
            "6:5: issuers.dev.algorithms: required (e.g. [ES256] or [RS256])",
            "7:16: issuers.dev.clockSkew: must be at most 5m, got 10m",
            "8:20: issuers.dev.maxTokenBytes: must be between 512 bytes and 65536 bytes (64KiB), got \"100\"",
            "9:30: issuers.dev.requiredClaims[1]: duplicate claim \"tenant\""),
        errors(dev("    keys: { jwksUrl: https://idp.example.com/jwks }\n"
            + "    clockSkew: 10m\n"
            + "    maxTokenBytes: 100\n"
            + "    requiredClaims: [tenant, tenant]\n")));
    assertEquals("7:16: issuers.dev.audiences: must list at least one audience",
        onlyError(dev("    issuer: x\n    audiences: []\n    algorithms: [RS256]\n"
            + "    keys: { jwksUrl: https://idp.example.com/jwks }\n")));
  }

  @Test
  void issuerNamesAndIssValues() throws Exception {
    String yaml = PLAIN_LISTENER + "issuers:\n"
        + "  dev:\n    issuer: https://idp/\n    audiences: [a]\n    algorithms: [RS256]\n"   // 5-8
        + "    keys: { jwksUrl: https://idp/jwks }\n"                                         // 9
        + "  other:\n    issuer: https://idp/\n    audiences: [b]\n    algorithms: [RS256]\n" // 10-13
        + "    keys: { jwksUrl: https://idp/jwks }\n"                                         // 14
        + "  \"bad name\": ~\n"                                                               // 15
        + ROUTE;
    assertEquals(List.of(
        "11:13: issuers.other.issuer: same iss as issuers.dev (each issuer needs its own iss value)",
        "15:3: issuers.bad name: invalid issuer name \"bad name\" (letters, digits, '.', '_' and '-', at most 64)",
        "15:3: issuers.bad name: expected a mapping, got nothing"), errors(yaml));
  }

  @Test
  void routesMayOnlyNameDefinedIssuers() throws Exception {
    String yaml = dev("[ES256]", "{ jwkFile: keys/ec.jwk.json }").replace("issuers: [dev]", "issuers: [dev, prod, dev]");
    assertEquals(List.of(
        "14:28: routes[0].auth.issuers[1]: unknown issuer \"prod\" (defined: dev)",
        "14:34: routes[0].auth.issuers[2]: duplicate issuer \"dev\""), errors(yaml));
    assertEquals("8:23: routes[0].auth.issuers[0]: unknown issuer \"dev\" (no issuers are defined)",
        onlyError(PLAIN_LISTENER + ROUTE));
  }
}
