package io.wsgate.policy;

import io.wsgate.testing.NamedCerts;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worked example of {@code docs/routing.md} is a policy that loads, and means what the page says. */
class RoutingGuideExampleTest extends PolicyTestSupport {
  private static final Path GUIDE = Path.of("docs", "routing.md");

  @Test
  void theWorkedExampleLoads() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("certs"));
    NamedCerts.create(certs, "a", "a.example.com");
    NamedCerts.create(certs, "b", "b.example.com");
    NamedCerts.create(certs, "gw", "gateway.internal");
    NamedCerts.create(certs, "internal-ca", "Internal CA");
    NamedCerts.create(certs, "partners-ca", "Partners CA");

    GatewayPolicy policy = load(example());

    assertEquals(List.of("public", "internal"),
        policy.startup().listeners().stream().map(NamedListener::name).toList());
    List<Route> routes = policy.routes();
    assertEquals(3, routes.size());
    Route a = routes.get(0);
    assertEquals("a.example.com/chat", a.id());
    assertEquals(Balancing.Strategy.LEAST_CONNECTIONS, a.balancing().strategy());
    assertEquals("chat.internal", a.upstreamTls().serverName());
    assertNotNull(a.upstreamTls().cert());
    assertNull(a.clientCert());
    Route b = routes.get(1);
    assertTrue(b.clientCert().standsForToken(), "b's certificate is its identity");
    assertEquals(List.of("public"), b.listeners());
    Route feed = routes.get(2);
    assertEquals(List.of("internal"), feed.listeners());
    assertEquals(2, feed.connections().perIp());
  }

  /** The YAML block that follows "The same in `gateway.yaml`". */
  private static String example() throws Exception {
    String page = Files.readString(GUIDE);
    int heading = page.indexOf("The same in `gateway.yaml`");
    assertTrue(heading > 0, "docs/routing.md lost its worked example");
    int start = page.indexOf("```yaml\n", heading) + "```yaml\n".length();
    return page.substring(start, page.indexOf("```", start));
  }
}
