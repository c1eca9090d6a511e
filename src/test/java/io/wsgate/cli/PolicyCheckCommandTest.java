package io.wsgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code wsgate policy check}, run in-process with captured output. */
class PolicyCheckCommandTest {
  @TempDir
  Path dir;

  private record Run(int exitCode, String out, String err) {
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void aValidPolicyPrintsOkWithItsVersion() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "listen:\n  plain: true\n  clients: { allow: [0.0.0.0/0] }\n"
        + "issuers:\n  idp: { issuer: https://idp/, audiences: [a], algorithms: [RS256], keys: { jwksUrl: https://idp/jwks } }\n"
        + "routes:\n"
        + "  - { path: /a, upstreams: [demo], origins: { allow: ['*'] }, auth: { issuers: [idp] } }\n"
        + "  - { path: /b, upstreams: [demo], origins: { allow: ['*'] }, auth: { anonymous: true } }\n");
    String version = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)))
        .substring(0, 12);

    Run byDir = run("policy", "check", dir.toString());
    assertEquals(new Run(0, "OK " + file + " (version " + version + ", 2 routes, 1 issuers)\n", ""), byDir);
    assertEquals(byDir, run("policy", "check", file.toString()));
  }

  @Test
  void everyErrorGoesToStderrAndTheExitCodeIsOne() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, ""
        + "listen:\n"                                     // 1
        + "  plain: true\n"                               // 2
        + "  clients: { allow: [10.0.0.0/33] }\n"         // 3
        + "issuers:\n"                                    // 4
        + "  dev:\n"                                      // 5
        + "    issuer: https://idp/\n"                    // 6
        + "    audiences: [a]\n"                          // 7
        + "    algorithms: [none, HS256]\n"               // 8
        + "    keys: { jwkFile: dev.jwk.json }\n"         // 9
        + "routes:\n"                                     // 10
        + "  - path: /chat\n"                             // 11
        + "    upstreams: [demo]\n"                       // 12
        + "    auth: { issuers: [prod] }\n"               // 13
        + "    messages:\n"                               // 14
        + "      toUpstream:\n"                           // 15
        + "        - { denyPatterns: [\"(x\"], action: drop }\n"); // 16
    Run run = run("policy", "check", dir.toString());
    assertEquals(1, run.exitCode());
    assertEquals("", run.out());
    String f = file.toString();
    assertEquals(String.join("\n",
        f + ":3:22: listen.clients.allow[0]: prefix length must be 0..32 in \"10.0.0.0/33\"",
        f + ":8:18: issuers.dev.algorithms[0]: \"none\" is never accepted (an unsigned token proves nothing)",
        f + ":8:24: issuers.dev.algorithms[1]: HS256 needs an HMAC key source (hmacSecretFile or hmacSecretEnv), not"
            + " jwkFile",
        f + ":9:22: issuers.dev.keys.jwkFile: file not found: " + dir.toAbsolutePath().normalize().resolve("dev.jwk.json"),
        f + ":11:5: routes[0].origins: required (allow: the Origins that may open a session; [\"*\"] for any)",
        f + ":13:23: routes[0].auth.issuers[0]: unknown issuer \"prod\" (defined: dev)",
        f + ":16:28: routes[0].messages.toUpstream[0].denyPatterns[0]: invalid pattern: error parsing regexp: missing"
            + " closing ): `(x`") + "\n", run.err());
  }

  @Test
  void aMissingPolicyIsAnError() {
    Run run = run("policy", "check", dir.toString());
    assertEquals(new Run(1, "", dir.resolve("gateway.yaml") + ": file not found\n"), run);
  }

  @Test
  void helpAndUsage() {
    Run help = run("policy", "check", "--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().startsWith("Usage: wsgate policy check [-hV] [DIR|FILE]\n"), help.out());
    assertTrue(help.out().contains("1   the policy has errors"), help.out());

    Run policy = run("policy");
    assertEquals(0, policy.exitCode());
    assertTrue(policy.out().contains("check  Validate a policy"), policy.out());

    Run twoArgs = run("policy", "check", "a", "b");
    assertEquals(2, twoArgs.exitCode());
    assertTrue(twoArgs.err().startsWith("Unmatched argument at index 3: 'b'"), twoArgs.err());
  }

  @Test
  void aClusterSectionIsCheckedWithoutConnectingAndNeverEchoesAPassword() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    String head = "listen:\n  plain: true\n  clients: { allow: [0.0.0.0/0] }\n"
        + "routes:\n  - { path: /b, upstreams: [demo], origins: { allow: ['*'] }, auth: { anonymous: true } }\n";
    // Nothing listens on port 1: the verdict does not depend on Redis.
    Files.writeString(file, head + "cluster: { redis: \"redis://127.0.0.1:1\", nodeId: gw-a }\n");
    Run ok = run("policy", "check", dir.toString());
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().contains("note: cluster.redis: redis://127.0.0.1:1/0 not contacted"), ok.out());

    Files.writeString(file, head + "cluster: { redis: \"redis://admin:hunter2@127.0.0.1:6379\" }\n");
    Run refused = run("policy", "check", dir.toString());
    assertEquals(1, refused.exitCode());
    assertTrue(refused.err().contains("cluster.redis: credentials in the URI are not accepted"), refused.err());
    assertTrue(!refused.err().contains("hunter2") && !refused.out().contains("hunter2"), refused.err());
  }
}
