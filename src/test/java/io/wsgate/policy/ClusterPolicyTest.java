package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code cluster:}: none when absent; checked without contacting Redis; never a password in the policy. */
class ClusterPolicyTest extends PolicyTestSupport {
  private static final String HEAD = PLAIN_LISTENER + ONE_ROUTE; // lines 1-8

  @Test
  void absentOrEmptyMeansOneProcess() throws Exception {
    assertEquals(ClusterSettings.NONE, load(HEAD).cluster());
    assertEquals(ClusterSettings.NONE, load(HEAD + "cluster:\n").cluster());
    assertFalse(ClusterSettings.NONE.enabled());
  }

  @Test
  void aRedisUriAloneTakesTheDefaults() throws Exception {
    ClusterSettings c = load(HEAD + "cluster: { redis: \"redis://127.0.0.1:6379\" }\n").cluster();
    assertTrue(c.enabled());
    assertEquals(StoreEndpoint.parse("redis://127.0.0.1:6379"), c.redis());
    assertEquals(ClusterSettings.OnStoreFailure.FAIL_OPEN, c.onStoreFailure());
    assertEquals(Duration.ofMillis(50), c.storeTimeout());
    assertEquals(Duration.ofSeconds(15), c.leaseTtl());
    assertEquals(Duration.ofMillis(100), c.syncPeriod());
    assertEquals(null, c.nodeId());
    assertEquals(null, c.passwordEnv());
    assertEquals(null, c.passwordFile());
  }

  @Test
  void everyKeyParses() throws Exception {
    Files.writeString(dir.resolve("redis.password"), "s3cret\n");
    ClusterSettings c = load(HEAD + "cluster:\n"
        + "  redis: redis-sentinel://10.0.0.5:26379,10.0.0.6:26379#wsgate\n"
        + "  user: wsgate\n"
        + "  passwordFile: redis.password\n"
        + "  nodeId: gw-a\n"
        + "  onStoreFailure: failClosed\n"
        + "  storeTimeout: 20ms\n"
        + "  leaseTtl: 3s\n"
        + "  syncPeriod: 250ms\n").cluster();
    assertEquals(new ClusterSettings(StoreEndpoint.parse("redis-sentinel://10.0.0.5:26379,10.0.0.6:26379#wsgate"),
        "wsgate", null, abs("redis.password"), "gw-a", ClusterSettings.OnStoreFailure.FAIL_CLOSED,
        Duration.ofMillis(20), Duration.ofSeconds(3), Duration.ofMillis(250)), c);

    env = Map.of("REDIS_PASSWORD", "s3cret")::get;
    assertEquals("REDIS_PASSWORD", load(HEAD + "cluster: { redis: \"rediss://redis.internal:6380\", passwordEnv: REDIS_PASSWORD }\n")
        .cluster().passwordEnv());
  }

  @Test
  void credentialsInTheUriAreRefusedWithoutRepeatingThem() throws Exception {
    String error = onlyError(HEAD + "cluster: { redis: \"redis://admin:hunter2@127.0.0.1:6379\" }\n");
    assertEquals("9:19: cluster.redis: credentials in the URI are not accepted; give the password with passwordEnv"
        + " or passwordFile (scheme redis)", error);
    assertFalse(error.contains("hunter2"));
    assertTrue(onlyError(HEAD + "cluster: { redis: \"http://127.0.0.1:6379\" }\n")
        .startsWith("9:19: cluster.redis: unknown scheme 'http'"));
    assertEquals("10:3: cluster.redis: required (where the fleet's Redis is, e.g. redis: redis://10.0.0.9:6379)",
        onlyError(HEAD + "cluster:\n  nodeId: gw-a\n"));
  }

  @Test
  void thePasswordSourceIsCheckedButNeverShown() throws Exception {
    String base = HEAD + "cluster:\n  redis: redis://127.0.0.1:6379\n";
    assertEquals("11:16: cluster.passwordEnv: environment variable REDIS_PASSWORD is not set",
        onlyError(base + "  passwordEnv: REDIS_PASSWORD\n"));
    env = Map.of("REDIS_PASSWORD", "")::get;
    assertEquals("11:16: cluster.passwordEnv: environment variable REDIS_PASSWORD is empty",
        onlyError(base + "  passwordEnv: REDIS_PASSWORD\n"));
    assertEquals("11:17: cluster.passwordFile: file not found: " + abs("missing"),
        onlyError(base + "  passwordFile: missing\n"));
    Files.writeString(dir.resolve("empty"), "\n");
    assertEquals("11:17: cluster.passwordFile: the password in " + abs("empty") + " is empty",
        onlyError(base + "  passwordFile: empty\n"));
    Files.writeString(dir.resolve("pw"), "topsecret");
    assertEquals("12:17: cluster.passwordFile: conflicts with passwordEnv (choose one)",
        onlyError(base + "  passwordEnv: X\n  passwordFile: pw\n"));
  }

  @Test
  void boundsChoicesAndUnknownKeys() throws Exception {
    assertEquals(List.of(
            "11:19: cluster.onStoreFailure: expected failOpen or failClosed, got \"ignore\"",
            "12:17: cluster.storeTimeout: must be between 1ms and 5s, got 10s",
            "13:13: cluster.leaseTtl: must be between 1s and 1h, got 500ms",
            "14:15: cluster.syncPeriod: must be between 10ms and 10s, got 1ms",
            "15:3: cluster.other: unknown key (expected one of: redis, user, passwordEnv, passwordFile, nodeId,"
                + " onStoreFailure, storeTimeout, leaseTtl, syncPeriod)"),
        errors(HEAD + "cluster:\n"
            + "  redis: redis://127.0.0.1:6379\n"
            + "  onStoreFailure: ignore\n"
            + "  storeTimeout: 10s\n"
            + "  leaseTtl: 500ms\n"
            + "  syncPeriod: 1ms\n"
            + "  other: 1\n"));
  }

  @Test
  void oneNameForTheNodeInTheFleetAndInItsAudit() throws Exception {
    assertEquals("10:11: cluster.nodeId: must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or"
        + " digit, got \"gw:a\"", onlyError(HEAD + "cluster:\n  nodeId: \"gw:a\"\n  redis: redis://127.0.0.1:6379\n"));
    assertEquals("9:53: cluster.nodeId: differs from audit.nodeId \"gw-b\" (set one of them: the other follows)",
        onlyError(HEAD + "cluster: { redis: \"redis://127.0.0.1:6379\", nodeId: gw-a }\naudit: { dir: audit, nodeId: gw-b }\n"));
    GatewayPolicy same = load(HEAD + "cluster: { redis: \"redis://127.0.0.1:6379\", nodeId: gw-a }\n"
        + "audit: { dir: audit, nodeId: gw-a }\n");
    assertEquals("gw-a", same.cluster().nodeId());

    GatewayPolicy fromCluster = load(HEAD + "cluster: { redis: \"redis://127.0.0.1:6379\", nodeId: gw-a }\n"
        + "audit: { dir: audit }\n");
    assertEquals("gw-a", fromCluster.cluster().auditNaming(fromCluster.audit()).nodeId(), "the audit follows");
    assertEquals(fromCluster.audit(), ClusterSettings.NONE.auditNaming(fromCluster.audit()));
  }

  @Test
  void aReloadMayNotChangeTheCluster() throws Exception {
    StartupSettings a = load(HEAD + "cluster: { redis: \"redis://127.0.0.1:6379\" }\n").startup();
    StartupSettings b = load(HEAD + "cluster: { redis: \"redis://127.0.0.1:6379\", leaseTtl: 5s }\n").startup();
    StartupSettings none = load(HEAD).startup();
    assertEquals(List.of("cluster"), a.differences(b));
    assertEquals(List.of("cluster"), none.differences(a));
    assertEquals(List.of(), a.differences(load(HEAD + "cluster: { redis: \"redis://127.0.0.1:6379\" }\n").startup()));
  }
}
