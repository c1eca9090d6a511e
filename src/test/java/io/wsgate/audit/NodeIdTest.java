package io.wsgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which gateway wrote a record: the policy, else WSGATE_NODE_ID, else the host name. */
class NodeIdTest {
  @Test
  void thePolicyWinsThenTheEnvironmentThenTheHostName() {
    Map<String, String> env = Map.of("WSGATE_NODE_ID", "gw-env");
    assertEquals("gw-policy", NodeId.resolve("gw-policy", env::get));
    assertEquals("gw-env", NodeId.resolve(null, env::get));
    assertEquals(NodeId.hostName(), NodeId.resolve(null, Map.<String, String>of()::get));
    assertEquals(NodeId.hostName(), NodeId.resolve(null, Map.of("WSGATE_NODE_ID", "")::get), "empty is unset");
    assertTrue(NodeId.hostName().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"), NodeId.hostName());
  }

  @Test
  void anInvalidIdFromTheEnvironmentStopsTheStartAndIsShownSafely() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NodeId.resolve(null, Map.of("WSGATE_NODE_ID", "gw 1\u001b[2J")::get));
    assertEquals("WSGATE_NODE_ID must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit,"
        + " got \"gw 1\\u001b[2J\"", e.getMessage());
  }

  @Test
  void aHostNameIsMadeAValidId() {
    assertEquals("web-1.example.com", NodeId.sanitize("web-1.example.com"));
    assertEquals("my-host-name", NodeId.sanitize("my host/name"));
    assertEquals("host", NodeId.sanitize("..host"));
    assertEquals("h".repeat(64), NodeId.sanitize("h".repeat(100)));
    assertEquals("unknown", NodeId.sanitize(null));
    assertEquals("unknown", NodeId.sanitize("..."));
  }
}
