package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy docker/compose.yaml gives every gateway loads, and is a fleet member's (it cannot be run here: no Docker). */
class ShippedClusterPolicyTest {
  private static final Path DIR = Path.of("docker/cluster");

  @Test
  void theComposeFleetsPolicyLoadsAsAClusterMemberBehindHaproxy() throws Exception {
    GatewayPolicy policy = PolicyLoader.load(DIR, Map.of("WSGATE_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef")::get);
    assertTrue(policy.cluster().enabled());
    assertEquals(StoreEndpoint.parse("redis://redis:6379"), policy.cluster().redis());
    assertEquals(null, policy.cluster().nodeId(), "each node is named by its host name");
    assertTrue(policy.startup().proxyProtocol(), "HAProxy sends PROXY v2");
    String compose = Files.readString(Path.of("docker/compose.yaml"));
    assertTrue(compose.contains("./cluster:/etc/wsgate:ro") && compose.contains("haproxy.cfg"), "compose mounts them");
    String haproxy = Files.readString(DIR.resolve("haproxy.cfg"));
    assertTrue(haproxy.contains("mode tcp") && haproxy.contains("send-proxy-v2"), haproxy);
  }
}
