package io.wsgate.deploy;

import io.wsgate.cli.Main;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes examples in {@code docker/k8s/} agree with the code and with each other: the
 * ConfigMap holds {@code docker/gateway.yaml} word for word and that policy passes {@code policy
 * check} with the files the Secrets provide; the probes point at the probes listener's port and
 * paths; the pod is given time for the readiness grace and the drain; it runs as the image's user on
 * a read-only root with the audit directory writable; the Service and the PodDisruptionBudget select
 * the pods.
 */
class DeployManifestsTest {
  private static final Path K8S = Path.of("docker/k8s");
  private static final String SECRETS = "/run/secrets/wsgate/";
  private static List<Map<String, Object>> manifests;

  @TempDir
  Path tmp;

  @BeforeAll
  static void parse() throws IOException {
    manifests = new ArrayList<>();
    Load load = new Load(LoadSettings.builder().build());
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : load.loadAllFromString(Files.readString(file))) {
          manifests.add(map(doc));
        }
      }
    }
  }

  @Test
  void theConfigMapHoldsTheExamplePolicyAndItPassesPolicyCheckWithTheSecretsFiles() throws Exception {
    String policyText = (String) map(one("ConfigMap").get("data")).get("gateway.yaml");
    assertEquals(Files.readString(Path.of("docker/gateway.yaml")), policyText, "docker/gateway.yaml, word for word");

    // Every file the policy reads from the secrets mount is a key of one of the projected Secrets.
    Set<String> referenced = new TreeSet<>();
    Matcher m = Pattern.compile(Pattern.quote(SECRETS) + "([A-Za-z0-9._-]+)").matcher(policyText);
    while (m.find()) {
      referenced.add(m.group(1));
    }
    Set<String> provided = new TreeSet<>(map(one("Secret").get("stringData")).keySet());
    provided.addAll(List.of("tls.crt", "tls.key")); // the kubernetes.io/tls secret wsgate-tls
    assertEquals(provided, referenced, "the policy reads exactly what the Secrets provide");
    assertEquals(List.of("wsgate", "wsgate-tls"), projectedSecrets(), "both Secrets are mounted");

    Path secrets = Files.createDirectory(tmp.resolve("secrets"));
    Files.copy(TestCerts.cert(), secrets.resolve("tls.crt"));
    Files.copy(TestCerts.key(), secrets.resolve("tls.key"));
    Files.writeString(secrets.resolve("admin-token"), "a".repeat(64) + "\n");
    Files.writeString(secrets.resolve("audit-hmac-key"), "k".repeat(64) + "\n");
    Path policies = Files.createDirectory(tmp.resolve("etc-wsgate"));
    Files.writeString(policies.resolve("gateway.yaml"), policyText.replace(SECRETS, secrets + "/")
        .replace("/var/lib/wsgate/", tmp + "/"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute("policy", "check", policies.toString());
    assertEquals(0, exit, "policy check: " + out + err);

    // Empty secret values, as shipped, fail closed: the gateway would not start.
    Files.writeString(secrets.resolve("admin-token"), "");
    assertEquals(1, new CommandLine(new Main()).setErr(new PrintWriter(new ByteArrayOutputStream(), true))
        .execute("policy", "check", policies.toString()));
  }

  @Test
  void theProbesReachTheProbesListenerAndThePodOutlivesTheGraceAndTheDrain() throws Exception {
    GatewayPolicy policy = examplePolicy();
    Map<String, Object> container = container();
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (Object port : list(container.get("ports"))) {
      ports.put((String) map(port).get("name"), (Integer) map(port).get("containerPort"));
    }
    assertEquals(Map.of("wss", policy.listen().port(), "admin", policy.admin().port(),
        "probes", policy.startup().probes().port()), ports);
    assertEquals("0.0.0.0", policy.startup().probes().host(), "the kubelet probes the pod's address");

    Map<String, Object> readiness = httpGet(container, "readinessProbe");
    assertEquals("/ready", readiness.get("path"));
    assertEquals("probes", readiness.get("port"));
    for (String probe : List.of("livenessProbe", "startupProbe")) {
      assertEquals("/health", httpGet(container, probe).get("path"), probe);
      assertEquals("probes", httpGet(container, probe).get("port"), probe);
    }

    // The kubelet notices a 503 within periodSeconds × failureThreshold: the grace covers that.
    Map<String, Object> ready = map(container.get("readinessProbe"));
    Duration noticed = Duration.ofSeconds((Integer) ready.get("periodSeconds") * (long) (Integer) ready.get("failureThreshold"));
    Duration grace = policy.shutdown().readinessGrace();
    assertTrue(grace.compareTo(noticed) > 0, "readinessGrace " + grace + " > " + noticed);
    // wsgate run waits for the grace and the drain timeout, plus 5 s to close the audit: all before SIGKILL.
    long terminationGrace = ((Integer) podSpec().get("terminationGracePeriodSeconds")).longValue();
    Duration longest = policy.shutdown().longest().plusSeconds(5);
    assertTrue(Duration.ofSeconds(terminationGrace).compareTo(longest) > 0,
        "terminationGracePeriodSeconds " + terminationGrace + " > " + longest);
  }

  @Test
  void thePodRunsAsTheImagesUserOnAReadOnlyRootWithTheAuditWritable() throws Exception {
    GatewayPolicy policy = examplePolicy();
    Map<String, Object> pod = map(podSpec().get("securityContext"));
    assertEquals(true, pod.get("runAsNonRoot"));
    String dockerUser = Files.readString(Path.of("docker/Dockerfile")).lines().filter(l -> l.startsWith("USER "))
        .findFirst().orElseThrow().substring(5).split(":")[0];
    assertEquals(Integer.parseInt(dockerUser), pod.get("runAsUser"), "the Dockerfile's USER");
    Map<String, Object> own = map(container().get("securityContext"));
    assertEquals(true, own.get("readOnlyRootFilesystem"));
    assertEquals(false, own.get("allowPrivilegeEscalation"));
    assertEquals(List.of("ALL"), map(own.get("capabilities")).get("drop"));

    Map<String, Boolean> mounts = new java.util.HashMap<>();
    for (Object mount : list(container().get("volumeMounts"))) {
      mounts.put((String) map(mount).get("mountPath"), Boolean.TRUE.equals(map(mount).get("readOnly")));
    }
    assertEquals(Map.of("/etc/wsgate", true, "/run/secrets/wsgate", true,
        policy.audit().dir().toString(), false, "/tmp", false), mounts);
    assertTrue(Files.readString(Path.of("docker/Dockerfile")).contains("CMD [\"run\", \"--policies\", \"/etc/wsgate\"]"),
        "the image reads its policy where the ConfigMap is mounted");
  }

  @Test
  void theServicesAndTheDisruptionBudgetSelectThePods() {
    Map<String, Object> deployment = one("Deployment");
    Object podLabels = map(map(map(deployment.get("spec")).get("template")).get("metadata")).get("labels");
    Set<String> portNames = new TreeSet<>();
    list(container().get("ports")).forEach(p -> portNames.add((String) map(p).get("name")));
    List<Map<String, Object>> services = all("Service");
    assertEquals(2, services.size());
    for (Map<String, Object> service : services) {
      Map<String, Object> spec = map(service.get("spec"));
      assertEquals(podLabels, spec.get("selector"), String.valueOf(map(service.get("metadata")).get("name")));
      for (Object port : list(spec.get("ports"))) {
        assertTrue(portNames.contains((String) map(port).get("targetPort")), String.valueOf(port));
      }
    }
    Map<String, Object> budget = map(one("PodDisruptionBudget").get("spec"));
    assertEquals(podLabels, map(budget.get("selector")).get("matchLabels"));
    int replicas = (Integer) map(deployment.get("spec")).get("replicas");
    assertTrue((Integer) budget.get("maxUnavailable") < replicas, "a disruption leaves a pod serving");
  }

  private GatewayPolicy examplePolicy() throws Exception {
    Path secrets = Files.createDirectories(tmp.resolve("policy-secrets"));
    Files.copy(TestCerts.cert(), secrets.resolve("tls.crt"));
    Files.copy(TestCerts.key(), secrets.resolve("tls.key"));
    Files.writeString(secrets.resolve("admin-token"), "a".repeat(64));
    Files.writeString(secrets.resolve("audit-hmac-key"), "k".repeat(64));
    // Only the secrets move: the audit directory is compared with the mount as written.
    Path file = tmp.resolve("gateway.yaml");
    Files.writeString(file, ((String) map(one("ConfigMap").get("data")).get("gateway.yaml")).replace(SECRETS, secrets + "/"));
    return PolicyLoader.load(file);
  }

  private static List<String> projectedSecrets() {
    List<String> names = new ArrayList<>();
    for (Object volume : list(podSpec().get("volumes"))) {
      if ("secrets".equals(map(volume).get("name"))) {
        for (Object source : list(map(map(volume).get("projected")).get("sources"))) {
          names.add((String) map(map(source).get("secret")).get("name"));
        }
      }
    }
    return names;
  }

  private static Map<String, Object> httpGet(Map<String, Object> container, String probe) {
    return map(map(container.get(probe)).get("httpGet"));
  }

  private static Map<String, Object> podSpec() {
    return map(map(map(one("Deployment").get("spec")).get("template")).get("spec"));
  }

  private static Map<String, Object> container() {
    List<Object> containers = list(podSpec().get("containers"));
    assertEquals(1, containers.size());
    return map(containers.get(0));
  }

  private static Map<String, Object> one(String kind) {
    List<Map<String, Object>> found = all(kind);
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }

  private static List<Map<String, Object>> all(String kind) {
    return manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    assertTrue(node instanceof Map, "expected a mapping, got " + node);
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    assertTrue(node instanceof List, "expected a list, got " + node);
    return (List<Object>) node;
  }
}
