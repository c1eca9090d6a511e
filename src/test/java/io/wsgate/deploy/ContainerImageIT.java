package io.wsgate.deploy;

import io.vertx.core.json.JsonArray;
import io.wsgate.cli.Main;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayProcess;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image without a Docker engine: {@code docker/build-runtime} (the Dockerfile's jlink
 * step) builds the runtime from the packaged jar, and the Dockerfile's own {@code ENTRYPOINT},
 * {@code CMD} and {@code HEALTHCHECK} command lines run on it, with the image's paths mapped to
 * temporary directories. Slow (jdeps and jlink take most of a minute), so a Failsafe test: it is
 * what shows that the module list jdeps found, plus the ones added by name, really runs the
 * gateway: TLS, the epoll transport, the probes and admin listeners, a clean SIGTERM.
 */
class ContainerImageIT {
  private static final Path DOCKERFILE = Path.of("docker/Dockerfile");
  private static final Path JAR = Path.of("target", "wsgate.jar");
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";
  private static Path runtime;

  @TempDir
  Path tmp;

  @BeforeAll
  static void buildRuntime() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "Failsafe runs after package: " + JAR);
    Path parent = Files.createDirectories(Path.of("target"));
    runtime = Files.createTempDirectory(parent, "jlink-").resolve("runtime");
    Run built = run(List.of("docker/build-runtime", JAR.toString(), runtime.toString()), Map.of(), 300);
    assertEquals(0, built.exit(), built.output());
    assertTrue(built.output().contains("jdk.crypto.ec"), built.output());
    assertTrue(Files.isExecutable(runtime.resolve("bin/java")), "a java launcher");
    assertTrue(!Files.exists(runtime.resolve("bin/javac")) && !Files.exists(runtime.resolve("jmods")),
        "a runtime, not a JDK");
  }

  @AfterAll
  static void removeRuntime() throws IOException {
    if (runtime != null) {
      try (Stream<Path> all = Files.walk(runtime.getParent())) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void withoutAMountedPolicyTheImageExits1AndSaysWhy() throws Exception {
    Path etc = Files.createDirectory(tmp.resolve("etc-wsgate")); // an empty mount point, as without -v
    Run run = run(command(etc, "ENTRYPOINT", "CMD"), Map.of(), 60);
    assertEquals(1, run.exit(), run.output());
    assertTrue(run.output().contains("no policy at " + etc.resolve("gateway.yaml").toAbsolutePath()), run.output());
    assertTrue(run.output().contains("wsgate has no built-in policy"), run.output());
    assertTrue(!run.output().contains("listening"), "nothing listened: " + run.output());

    Path absent = tmp.resolve("not-mounted"); // no mount point at all: the image has no /etc/wsgate
    Run without = run(command(absent, "ENTRYPOINT", "CMD"), Map.of(), 60);
    assertEquals(1, without.exit(), without.output());
    assertTrue(without.output().contains("no policy at " + absent.resolve("gateway.yaml").toAbsolutePath()),
        without.output());
  }

  @Test
  void withTheExamplePolicyTheRuntimeServesClientsAdminAndProbesAndStopsCleanly() throws Exception {
    Path etc = Files.createDirectory(tmp.resolve("etc-wsgate"));
    Path secrets = Files.createDirectory(tmp.resolve("secrets"));
    Path data = Files.createDirectory(tmp.resolve("var-lib-wsgate"));
    Files.copy(TestCerts.cert(), secrets.resolve("tls.crt"));
    Files.copy(TestCerts.key(), secrets.resolve("tls.key"));
    Files.writeString(secrets.resolve("admin-token"), TOKEN + "\n");
    Path hmacKey = Files.writeString(secrets.resolve("audit-hmac-key"), "k".repeat(64) + "\n");
    // The shipped example, with the image's paths and fixed ports mapped for a test on loopback.
    String policy = Files.readString(Path.of("docker/gateway.yaml"))
        .replace("/run/secrets/wsgate/", secrets + "/")
        .replace("/var/lib/wsgate/", data + "/")
        .replace("port: 8443", "port: 0").replace("port: 9090", "port: 0").replace("port: 8081", "port: 0");
    Files.writeString(etc.resolve("gateway.yaml"), policy);

    GatewayProcess gateway = GatewayProcess.launch(command(etc, "ENTRYPOINT", "CMD"), tmp.resolve("gateway.log"));
    try {
      assertTrue(gateway.log().contains("epoll transport"), "the native transport loads: " + gateway.log());
      int probes = gateway.probesPort();
      List<String> healthcheck = new ArrayList<>(command(etc, "HEALTHCHECK"));
      healthcheck.replaceAll(arg -> arg.replace("127.0.0.1:8081", "127.0.0.1:" + probes));
      Run health = run(healthcheck, Map.of(), 60);
      assertEquals(0, health.exit(), health.output());
      assertTrue(health.output().contains("/health: 200 {\"status\":\"UP\"}"), health.output());
      Await.until("/ready 200 on the probes listener", () -> new AdminClient(probes).get("/ready").status() == 200);

      AdminClient admin = new AdminClient(gateway.adminPort());
      assertEquals(401, admin.get("/ready").status(), "the admin listener on 0.0.0.0 wants its token");
      assertEquals(200, admin.get("/ready", "authorization", "Bearer " + TOKEN).status());

      // TLS in the jlinked runtime; from an allowed Origin but without a token: 401 from the token guard.
      try (RawClient client = new RawClient(gateway.port(), true)) {
        String head = client.send(RawClient.upgrade("/chat").replace("Host: localhost\r\n",
            "Host: localhost\r\nOrigin: https://chat.example.com\r\n")).readHead();
        assertEquals(401, RawClient.status(head), head);
      }

      gateway.process().destroy(); // what docker stop sends (STOPSIGNAL SIGTERM)
      assertTrue(gateway.process().waitFor(40, TimeUnit.SECONDS), "exited within grace + drain timeout");
      assertEquals(0, gateway.process().exitValue(), gateway.log());
    } finally {
      gateway.process().destroyForcibly();
    }
    assertEquals(0, new CommandLine(new Main()).execute("audit", "verify", "--hmac-key-file", hmacKey.toString(),
        data.resolve("audit").toString()), "the audit trail in the volume verifies");
    assertTrue(!gateway.log().contains(TOKEN), "the admin token is never logged");
  }

  /** The Dockerfile's exec-form command lines (e.g. ENTRYPOINT then CMD), the image's paths mapped here. */
  private static List<String> command(Path etc, String... instructions) throws IOException {
    List<String> out = new ArrayList<>();
    for (String instruction : instructions) {
      for (Object arg : dockerfileArray(instruction)) {
        out.add(((String) arg)
            .replace("/opt/wsgate/runtime", runtime.toString())
            .replace("/opt/wsgate/wsgate.jar", JAR.toAbsolutePath().toString())
            .replace("/etc/wsgate", etc.toString()));
      }
    }
    return out;
  }

  /** The JSON array of the instruction (continuation lines joined); for HEALTHCHECK, the one after its CMD. */
  private static JsonArray dockerfileArray(String instruction) throws IOException {
    String joined = Files.readString(DOCKERFILE).replace("\\\n", " ");
    JsonArray found = null;
    for (String line : joined.lines().toList()) {
      if (line.startsWith(instruction + " ")) {
        String rest = instruction.equals("HEALTHCHECK") ? line.substring(line.indexOf(" CMD ") + 5) : line.substring(
            instruction.length() + 1);
        found = new JsonArray(rest.strip()); // the last one counts, as in Docker
      }
    }
    assertTrue(found != null, "the Dockerfile has " + instruction);
    return found;
  }

  private record Run(int exit, String output) {
  }

  private static Run run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path output = Files.createTempFile("container-run", ".log");
    try {
      Process process = builder.redirectOutput(output.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s: "
            + Files.readString(output));
      }
      return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.delete(output);
    }
  }
}
