package io.wsgate;

import io.vertx.core.MultiMap;
import io.wsgate.policy.Cidr;
import io.wsgate.policy.ClientAddresses;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.Mode;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PROXY protocol (v1 here) from a load balancer: believed only when the load balancer is trusted. */
class ProxyProtocolIT {
  private static final IpRules ONLY_DOCUMENTATION_NET = new IpRules(List.of(Cidr.parse("192.0.2.0/24")), List.of(),
      Mode.ENFORCE);

  private static GatewayHarness gateway(EchoUpstream upstream, List<Cidr> trusted) {
    return new GatewayHarness(TestPolicy.create().plain().route("/chat", upstream.url("/"))
        .clientAddresses(new ClientAddresses(ONLY_DOCUMENTATION_NET, trusted)).proxyProtocol().build());
  }

  @Test
  void declaredSourceFromATrustedLoadBalancerIsTheClient() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, List.of(Cidr.parse("127.0.0.1")));
         RawClient raw = new RawClient(harness.port(), false)) {
      raw.send("PROXY TCP4 192.0.2.7 127.0.0.1 51000 443\r\n" + RawClient.upgrade("/chat"));
      assertEquals(101, RawClient.status(raw.readHead()));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals("192.0.2.7", seen.get("x-forwarded-for"));
    }
  }

  @Test
  void declaredSourceFromAnUntrustedPeerIsIgnored() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, List.of());
         RawClient raw = new RawClient(harness.port(), false)) {
      raw.send("PROXY TCP4 192.0.2.7 127.0.0.1 51000 443\r\n" + RawClient.upgrade("/chat"));
      assertEquals(403, RawClient.status(raw.readHead()), "judged as 127.0.0.1, outside the allow list");
      Await.until("counted", () -> harness.gateway.services().audit().metrics().outcomes(Reason.IP_DENIED) == 1);
    }
  }

  @Test
  void connectionWithoutTheProxyHeaderIsRefused() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = gateway(upstream, List.of(Cidr.parse("127.0.0.1")));
         RawClient raw = new RawClient(harness.port(), false)) {
      raw.send(RawClient.upgrade("/chat"));
      assertTrue(raw.closedByPeer(), "a listener expecting PROXY protocol drops a connection that lacks it");
      assertEquals(0, upstream.sockets.size());
    }
  }
}
