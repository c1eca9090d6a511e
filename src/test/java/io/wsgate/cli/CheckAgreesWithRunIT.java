package io.wsgate.cli;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import io.wsgate.demo.DevCertificate;
import io.wsgate.testing.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code policy check} and {@code run} give the same verdict on the shipped policy and on a policy
 * for each way they used to disagree: check runs in-process, run in a child JVM that either reaches
 * "wsgate listening" (then it is stopped) or exits.
 */
class CheckAgreesWithRunIT {
  private static final String ROUTE = """
      routes:
        - path: /chat
          upstreams: [ws://127.0.0.1:9/]
          origins: { allow: ["*"], allowMissing: true }
          auth: { issuers: [idp] }
      """;

  @TempDir
  Path dir;

  private record Verdicts(int check, String checkOutput, int run, String runOutput) {
  }

  private Verdicts both(Path policyDir) throws Exception {
    StringWriter out = new StringWriter();
    int check = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
        .execute("policy", "check", policyDir.toString());
    String java = ProcessHandle.current().info().command().orElse("java");
    // The packaged jar, as users run it (Failsafe runs after package); its logging says when it listens.
    Process process = new ProcessBuilder(java, "-jar", Path.of("target", "wsgate.jar").toString(),
        "run", "--policies", policyDir.toString(), "--listen", "0").redirectErrorStream(true).start();
    StringBuilder log = new StringBuilder();
    CompletableFuture<Integer> verdict = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          log.append(line).append('\n');
          if (line.contains("wsgate listening on")) {
            verdict.complete(0);
          }
        }
        verdict.complete(process.waitFor());
      } catch (Exception e) {
        verdict.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      int run = verdict.get(60, TimeUnit.SECONDS);
      return new Verdicts(check, out.toString(), run, log.toString());
    } finally {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static void agree(Verdicts v, int expected) {
    assertEquals(expected, v.check(), "policy check:\n" + v.checkOutput());
    assertEquals(expected, v.run(), "run:\n" + v.runOutput());
  }

  private Path policy(String name, String yaml) throws Exception {
    Path policyDir = Files.createDirectories(dir.resolve(name));
    Files.writeString(policyDir.resolve("gateway.yaml"), yaml);
    return policyDir;
  }

  private static String plain(String clients) {
    return "listen:\n  host: 127.0.0.1\n  plain: true\n  clients: " + clients + "\n";
  }

  private static String issuer(String keyFile) {
    return "issuers:\n  idp: { issuer: https://idp/, audiences: [a], algorithms: [EdDSA], keys: { jwkFile: " + keyFile
        + " } }\n";
  }

  @Test
  void theShippedPolicyPassesBothAndTheCheckWritesNothing() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(policies.resolve("gateway.yaml"), Files.readString(Path.of("policies/gateway.yaml"))
        .replace("port: 9090", "port: 0"));
    StringWriter out = new StringWriter();
    assertEquals(0, new CommandLine(new Main()).setOut(new PrintWriter(out, true)).execute("policy", "check",
        policies.toString()));
    Path certsDev = dir.resolve("certs-dev");
    assertFalse(Files.exists(certsDev), "policy check generated nothing");
    assertTrue(out.toString().contains("note: listen.tls.cert: would generate " + certsDev.resolve("gateway.crt")),
        out.toString());
    assertTrue(out.toString().contains("note: issuers.dev.keys.jwkFile: would generate "
        + certsDev.resolve("dev-issuer.jwk.json")), out.toString());

    agree(both(policies), 0);
    assertTrue(Files.exists(certsDev.resolve("dev-issuer.jwk.json")), "run generated the development key");
    agree(both(policies), 0); // and again, with the generated material in place
  }

  @Test
  void anEd25519IssuerPassesBoth() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate();
    Path policyDir = policy("ed25519", plain("{ allow: [127.0.0.0/8] }") + issuer("ed.jwk.json") + ROUTE);
    Files.writeString(policyDir.resolve("ed.jwk.json"), new JWKSet(ed).toPublicJWKSet().toString());
    agree(both(policyDir), 0);
  }

  @Test
  void aKeySetWithAnEd448KeyBesideTheEd25519OneFailsBoth() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate();
    Path policyDir = policy("ed448", plain("{ allow: [127.0.0.0/8] }") + issuer("mixed.jwk.json") + ROUTE);
    Files.writeString(policyDir.resolve("mixed.jwk.json"), "{\"keys\": [" + ed.toPublicJWK().toJSONString()
        + ", {\"kty\":\"OKP\",\"crv\":\"Ed448\",\"kid\":\"448\",\"x\":\"" + "A".repeat(76) + "\"}]}");
    Verdicts v = both(policyDir);
    agree(v, 1);
    assertTrue(v.checkOutput().contains("unsupported OKP curve Ed448"), v.checkOutput());
  }

  @Test
  void proxyProtocolWithoutTrustedProxiesFailsBoth() throws Exception {
    agree(both(policy("proxy", plain("{ allow: [127.0.0.0/8], proxyProtocol: true }")
        + ROUTE.replace("{ issuers: [idp] }", "{ anonymous: true }"))), 1);
  }

  @Test
  void aTlsKeyThatIsNotTheCertificatesFailsBoth() throws Exception {
    Path other = dir.resolve("other");
    DevCertificate.ensure(other.resolve("gateway.crt"), other.resolve("gateway.key"));
    Path policyDir = policy("tls", "listen:\n  host: 127.0.0.1\n  tls: { cert: " + TestCerts.cert() + ", key: "
        + other.resolve("gateway.key") + " }\n  clients: { allow: [127.0.0.0/8] }\n"
        + ROUTE.replace("{ issuers: [idp] }", "{ anonymous: true }"));
    Verdicts v = both(policyDir);
    agree(v, 1);
    assertTrue(v.checkOutput().contains("listen.tls: ") && v.checkOutput().contains("does not match"),
        v.checkOutput());
    assertTrue(List.of(v.runOutput().split("\n")).stream().anyMatch(l -> l.contains("does not match")), v.runOutput());
  }
}
