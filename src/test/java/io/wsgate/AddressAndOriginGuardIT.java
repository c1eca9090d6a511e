package io.wsgate;

import io.vertx.core.MultiMap;
import io.vertx.core.http.UpgradeRejectedException;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Cidr;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** IP rules, trusted proxies and the Origin allowlist, observed on the wire. */
class AddressAndOriginGuardIT {
  private static final IpRules ONLY_DOCUMENTATION_NET = new IpRules(List.of(Cidr.parse("192.0.2.0/24")), List.of(),
      Mode.ENFORCE);

  private static int status(Throwable failure) {
    assertInstanceOf(UpgradeRejectedException.class, failure, String.valueOf(failure));
    return ((UpgradeRejectedException) failure).getStatus();
  }

  private static RouteSecurity origins(OriginRules rules) {
    return new RouteSecurity(null, rules, Auth.ANONYMOUS, MessageRules.NONE);
  }

  @Test
  void addressOutsideTheListenerAllowListGets403() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .clients(ONLY_DOCUMENTATION_NET, List.of()).build())) {
      assertEquals(403, status(Await.failure(harness.connect("/chat"))));
      assertEquals(1, harness.gateway.services().audit().metrics().outcomes(Reason.IP_DENIED));
      assertEquals(0, upstream.sockets.size(), "a denied client never reaches the upstream");
    }
  }

  @Test
  void denyEntryWinsOverAllow() throws Exception {
    IpRules rules = new IpRules(List.of(Cidr.parse("0.0.0.0/0")), List.of(Cidr.parse("127.0.0.0/8")), Mode.ENFORCE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .clients(rules, List.of()).build())) {
      assertEquals(403, status(Await.failure(harness.connect("/chat"))));
    }
  }

  @Test
  void routeRulesNarrowTheListenerRules() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create()
             .route("/open", upstream.url("/"))
             .route("/admin", upstream.url("/"))
             .security(new RouteSecurity(ONLY_DOCUMENTATION_NET, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS,
                 MessageRules.NONE)).build())) {
      Await.result(harness.connect("/open"));
      assertEquals(403, status(Await.failure(harness.connect("/admin"))));
    }
  }

  @Test
  void monitorModeLetsTheClientInAndCountsWhatItWouldHaveDenied() throws Exception {
    IpRules monitored = new IpRules(List.of(Cidr.parse("192.0.2.0/24")), List.of(), Mode.MONITOR);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .clients(monitored, List.of()).build())) {
      Await.result(harness.connect("/chat"));
      assertEquals(1, harness.gateway.services().audit().metrics().monitoredTotal(Reason.IP_DENIED));
      assertEquals(0, harness.gateway.services().audit().metrics().outcomes(Reason.IP_DENIED));
    }
  }

  @Test
  void spoofedForwardingHeadersFromAnUntrustedPeerAreIgnored() throws Exception {
    // The client claims to be 192.0.2.7, the only allowed network; it is really 127.0.0.1.
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .clients(ONLY_DOCUMENTATION_NET, List.of()).build())) {
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("X-Forwarded-For", "192.0.2.7")))));
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Forwarded", "for=192.0.2.7")))));
    }
  }

  @Test
  void trustedProxyForwardingIsBelievedUpToTheRightmostUntrustedHop() throws Exception {
    IpRules rules = new IpRules(List.of(Cidr.parse("0.0.0.0/0")), List.of(Cidr.parse("198.51.100.0/24")), Mode.ENFORCE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .clients(rules, List.of(Cidr.parse("127.0.0.1"), Cidr.parse("10.0.0.0/8"))).build())) {
      // Leftmost entry is forged by the client; the proxies appended 203.0.113.9 and 10.1.1.1.
      Await.result(harness.connect(harness.options("/chat")
          .addHeader("X-Forwarded-For", "198.51.100.66, 203.0.113.9, 10.1.1.1")));
      MultiMap seen = upstream.handshakes.poll(10, TimeUnit.SECONDS);
      assertEquals("203.0.113.9", seen.get("x-forwarded-for"));

      // The real client is in the denied network: refused even though a proxy carried it.
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Forwarded", "for=\"198.51.100.66:4711\";proto=https")))));
    }
  }

  @Test
  void foreignOriginIsRefusedWith403() throws Exception {
    OriginRules rules = new OriginRules(List.of("https://app.example.com", "https://*.example.org"), false, false,
        Mode.ENFORCE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .security(origins(rules)).build())) {
      Await.result(harness.connect(harness.options("/chat").addHeader("Origin", "https://app.example.com")));
      Await.result(harness.connect(harness.options("/chat").addHeader("Origin", "https://chat.example.org")));
      Await.result(harness.connect(harness.options("/chat").addHeader("Origin", "HTTPS://APP.EXAMPLE.COM:443")));
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Origin", "https://evil.example.net")))));
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Origin", "https://a.b.example.org")))), "a wildcard matches exactly one label");
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Origin", "https://app.example.com.evil.net")))));
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat")
          .addHeader("Origin", "null")))));
      assertEquals(4, harness.gateway.services().audit().metrics().outcomes(Reason.ORIGIN_DENIED));
    }
  }

  @Test
  void missingAndNullOriginFollowTheirOwnRules() throws Exception {
    OriginRules rules = new OriginRules(List.of("https://app.example.com"), true, false, Mode.ENFORCE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .security(origins(rules)).build())) {
      Await.result(harness.connect(harness.options("/chat").setAllowOriginHeader(false)));
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat").addHeader("Origin", "null")))));
    }
    OriginRules strict = new OriginRules(List.of("https://app.example.com"), false, true, Mode.ENFORCE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .security(origins(strict)).build())) {
      assertEquals(403, status(Await.failure(harness.connect(harness.options("/chat").setAllowOriginHeader(false)))));
      Await.result(harness.connect(harness.options("/chat").addHeader("Origin", "null")));
    }
  }
}
