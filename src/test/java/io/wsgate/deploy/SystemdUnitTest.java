package io.wsgate.deploy;

import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code docker/systemd/wsgate.service}: {@code systemd-analyze verify} accepts it without a
 * warning, and it agrees with the example policy as the unit's header says to adapt it: the
 * credentials it hands over are the files the policy reads, the stop timeout outlasts the readiness
 * grace and the drain, and the audit directory is the one writable path.
 */
class SystemdUnitTest {
  private static final Path UNIT = Path.of("docker/systemd/wsgate.service");
  private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");
  private static final String CREDENTIALS = "/run/credentials/wsgate.service/";

  @TempDir
  Path tmp;

  @Test
  void systemdAnalyzeVerifiesTheUnitWithoutAWarning() throws Exception {
    assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE),
        "systemd-analyze is not installed (Debian: systemd), so the unit's syntax is not checked here");
    // verify checks that ExecStart's program exists: point it at this JVM's java instead of the jlink runtime.
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path unit = Files.writeString(tmp.resolve("wsgate.service"),
        Files.readString(UNIT).replace("/opt/wsgate/runtime/bin/java", java));
    Process verify = new ProcessBuilder(SYSTEMD_ANALYZE.toString(), "verify", unit.toString())
        .redirectErrorStream(true).start();
    assertTrue(verify.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify finished");
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, verify.exitValue(), output);
    assertEquals("", output.strip(), "no warning either (an unknown key is only a warning)");
  }

  @Test
  void theUnitAgreesWithTheExamplePolicy() throws Exception {
    String unit = Files.readString(UNIT);
    // The example policy, adapted as the unit's header says: secrets from the credentials directory.
    String policyText = Files.readString(Path.of("docker/gateway.yaml")).replace("/run/secrets/wsgate/", CREDENTIALS);
    Set<String> read = new TreeSet<>();
    Matcher m = Pattern.compile(Pattern.quote(CREDENTIALS) + "([A-Za-z0-9._-]+)").matcher(policyText);
    while (m.find()) {
      read.add(m.group(1));
    }
    assertEquals(read, new TreeSet<>(values(unit, "LoadCredential").stream().map(v -> v.split(":")[0]).toList()),
        "LoadCredential hands over exactly the files the policy reads");

    Path credentials = Files.createDirectory(tmp.resolve("credentials"));
    Files.copy(TestCerts.cert(), credentials.resolve("tls.crt"));
    Files.copy(TestCerts.key(), credentials.resolve("tls.key"));
    Files.writeString(credentials.resolve("admin-token"), "a".repeat(64));
    Files.writeString(credentials.resolve("audit-hmac-key"), "k".repeat(64));
    Path file = Files.writeString(tmp.resolve("gateway.yaml"), policyText.replace(CREDENTIALS, credentials + "/"));
    GatewayPolicy policy = PolicyLoader.load(file);

    Duration stopTimeout = Duration.ofSeconds(Long.parseLong(value(unit, "TimeoutStopSec")));
    Duration needed = policy.shutdown().longest().plusSeconds(5); // what wsgate run waits at most
    assertTrue(stopTimeout.compareTo(needed) > 0, "TimeoutStopSec " + stopTimeout + " > " + needed);
    assertEquals("/bin/kill -HUP $MAINPID", value(unit, "ExecReload"), "SIGHUP reloads the policy");
    assertTrue(value(unit, "ExecStart").endsWith(" run --policies /etc/wsgate"), value(unit, "ExecStart"));

    assertEquals("strict", value(unit, "ProtectSystem"));
    assertEquals("/var/lib/wsgate", value(unit, "ReadWritePaths"));
    assertEquals("wsgate", value(unit, "StateDirectory"));
    assertTrue(policy.audit().dir().startsWith(Path.of("/var/lib/wsgate")), "the audit is in the writable state directory");
    assertEquals("yes", value(unit, "NoNewPrivileges"));
    boolean privilegedPort = policy.listen().port() < 1024 || policy.admin().port() < 1024
        || policy.startup().probes().port() < 1024;
    assertEquals(privilegedPort ? "CAP_NET_BIND_SERVICE" : "", value(unit, "CapabilityBoundingSet"));
    assertTrue(values(unit, "MemoryDenyWriteExecute").isEmpty(), "the JIT needs writable, executable memory");
  }

  private static String value(String unit, String key) {
    List<String> all = values(unit, key);
    assertEquals(1, all.size(), key + " once");
    return all.get(0);
  }

  private static List<String> values(String unit, String key) {
    List<String> out = new ArrayList<>();
    for (String line : unit.lines().toList()) {
      if (line.startsWith(key + "=")) {
        out.add(line.substring(key.length() + 1));
      }
    }
    return out;
  }
}
