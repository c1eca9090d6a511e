package io.wsgate.cli;

import io.vertx.core.Vertx;
import io.wsgate.Reason;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;
import io.wsgate.policy.RuntimePolicy;
import io.wsgate.policy.Security;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestPolicy;
import io.wsgate.token.DevTokens;
import io.wsgate.token.TokenRejection;
import io.wsgate.token.TokenVerifier;
import io.wsgate.token.VerifiedToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevTokenCommandIT {
  private static final String ISS = "https://wsgate.dev/";

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private static Issuer devIssuer(Path jwkFile) {
    return new Issuer("dev", ISS, List.of("wsgate-dev", "second"), Set.of("ES256"),
        new KeySource(null, null, null, jwkFile, null, null, null), Duration.ZERO, 8192, List.of());
  }

  private static GatewayPolicy withIssuers(List<Issuer> issuers) {
    GatewayPolicy p = TestPolicy.create().route("/chat", "demo").plain().build();
    Security s = p.security();
    return new GatewayPolicy(p.version(), p.source(), p.startup(), new RuntimePolicy(p.routes(), p.limits(),
        p.shutdown(), p.dev(), new Security(s.clients(), issuers, s.connections(), s.recheckOnReload())));
  }

  private int run(GatewayPolicy policy, String... args) {
    DevTokenCommand command = new DevTokenCommand();
    new CommandLine(command).parseArgs(args);
    return command.run(policy, new PrintWriter(out), new PrintWriter(err));
  }

  @Test
  void printsOnlyATokenTheDevIssuerAccepts() throws Exception {
    Path jwks = dir.resolve("dev.jwks");
    DevTokens.ensureKeySet(jwks);
    Issuer dev = devIssuer(jwks);

    assertEquals(0, run(withIssuers(List.of(dev)), "--sub", "alice", "--scope", "chat,read", "--scope", "write",
        "--ttl", "2h"));

    assertEquals("", err.toString());
    String printed = out.toString();
    assertTrue(printed.endsWith(System.lineSeparator()));
    String token = printed.strip();
    assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), "one token, nothing else: " + printed);
    TokenVerifier verifier = Await.result(TokenVerifier.create(vertx, List.of(dev)));
    VerifiedToken t = Await.result(verifier.verify(token, List.of("dev")));
    assertEquals("alice", t.subject());
    assertEquals(Set.of("chat", "read", "write"), t.scopes());
    assertEquals("wsgate-dev", t.claims().get("aud"), "the first audience");
    Instant inTwoHours = Instant.now().plus(Duration.ofHours(2));
    assertTrue(t.expiresAt().isAfter(inTwoHours.minusSeconds(10)) && !t.expiresAt().isAfter(inTwoHours));

    Issuer otherIss = new Issuer("dev", "https://elsewhere/", dev.audiences(), dev.algorithms(), dev.keys(),
        Duration.ZERO, 8192, List.of());
    TokenVerifier elsewhere = Await.result(TokenVerifier.create(vertx, List.of(otherIss)));
    assertEquals(Reason.TOKEN_INVALID,
        ((TokenRejection) Await.failure(elsewhere.verify(token, List.of("dev")))).reason(), "iss is the dev issuer's");
  }

  @Test
  void withoutADevIssuerItExitsOneAndPrintsNoToken() throws Exception {
    Path jwks = dir.resolve("dev.jwks");
    DevTokens.ensureKeySet(jwks);
    Issuer notDev = new Issuer("corp", ISS, List.of("a"), Set.of("ES256"),
        new KeySource(null, null, null, jwks, null, null, null), Duration.ZERO, 8192, List.of());

    assertEquals(1, run(withIssuers(List.of(notDev)), "--sub", "alice"));
    assertEquals("", out.toString());
    assertTrue(err.toString().contains("the policy has no issuer named 'dev'"), err.toString());

    err.getBuffer().setLength(0);
    Issuer pemDev = new Issuer("dev", ISS, List.of("a"), Set.of("ES256"),
        new KeySource(null, null, null, null, dir.resolve("dev.pem"), null, null), Duration.ZERO, 8192, List.of());
    assertEquals(1, run(withIssuers(List.of(pemDev)), "--sub", "alice"));
    assertTrue(err.toString().contains("issuer 'dev' has no keys.jwkFile"), err.toString());
  }

  @Test
  void aPolicyLoadedFromDiskWithoutIssuersIsRefusedThroughTheCli() throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), "listen:\n  plain: true\n  clients: { allow: [127.0.0.1] }\n"
        + "routes:\n  - path: /chat\n    upstreams: [demo]\n    origins: { allow: [\"*\"] }\n    auth: { anonymous: true }\n");
    CommandLine cli = new CommandLine(new DevTokenCommand())
        .setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

    assertEquals(1, cli.execute("--sub", "alice", "--policies", dir.toString()));
    assertEquals("", out.toString());
    assertTrue(err.toString().contains("no issuer named 'dev'"), err.toString());

    assertEquals(1, cli.execute("--sub", "alice", "--policies", dir.resolve("missing").toString()));
  }

  @Test
  void usageErrorsExitTwo() {
    CommandLine cli = new CommandLine(new DevTokenCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("--sub", "alice", "--ttl", "10 minutes"));
    assertTrue(err.toString().contains("expected a positive number followed by ms, s, m, h or d"), err.toString());
    assertEquals(2, cli.execute("--ttl", "10m"), "--sub is required");
    assertEquals(2, cli.execute("--sub", "alice", "--ttl", "0s"));
    assertEquals("", out.toString());
  }
}
