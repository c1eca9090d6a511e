package io.wsgate.handshake;

import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Cidr;
import io.wsgate.policy.IpRules;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.Route;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.TestPolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upgrade requests for guard tests, built as {@code UpgradeHandler} builds them (client address as
 * bytes, the headers, the matched route), and the policy records guards read.
 */
final class Handshakes {
  private static final AtomicInteger IDS = new AtomicInteger();

  /** Any address, any Origin, anonymous. */
  static final Route OPEN = route("/chat", TestPolicy.OPEN_ROUTE);

  private Handshakes() {
  }

  static Route route(String path, RouteSecurity security) {
    return new Route(path, false, List.of(), List.of("origin"), Duration.ofSeconds(10), null, security);
  }

  static RouteSecurity security(IpRules ipRules, OriginRules origins, Auth auth) {
    return new RouteSecurity(ipRules, origins, auth, MessageRules.NONE);
  }

  static IpRules ipRules(Mode mode, List<String> allow, String... deny) {
    return new IpRules(allow.stream().map(Cidr::parse).toList(), Arrays.stream(deny).map(Cidr::parse).toList(), mode);
  }

  /** A request from {@code clientIp} on {@code route}; {@code headers} as name, value, name, value... */
  static HandshakeRequest request(Route route, String clientIp, String... headers) {
    return request(route, clientIp, null, List.of(), headers);
  }

  static HandshakeRequest request(Route route, String clientIp, String query, List<String> subprotocols,
                                  String... headers) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      map.add(headers[i], headers[i + 1]);
    }
    byte[] address = Objects.requireNonNull(NetUtil.createByteArrayFromIpAddressString(clientIp), clientIp);
    List<String> cookies = map.getAll("cookie");
    return new HandshakeRequest("req-" + IDS.incrementAndGet(), clientIp, clientIp, address, true, "gateway.test",
        route.path(), query, map, subprotocols, route, System.nanoTime(), null, false,
        cookies.isEmpty() ? null : String.join("; ", cookies));
  }

  /** The request as the token guard hands it on once {@code identity} was verified. */
  static HandshakeRequest as(HandshakeRequest request, Identity identity) {
    return request.authenticated(identity, request.subprotocols(), request.query(), request.bearerOffered(),
        request.cookie());
  }

  static Identity identity(String issuer, String subject) {
    return identity(issuer, subject, Set.of(), List.of(), Map.of());
  }

  static Identity identity(String issuer, String subject, Set<String> scopes, List<String> roles,
                           Map<String, Object> claims) {
    return new Identity(subject, issuer, Instant.now().plusSeconds(300), scopes, roles, claims);
  }

  static LiveClient live(String clientIp, String origin) {
    return live(clientIp, origin, null);
  }

  static LiveClient live(String clientIp, String origin, List<java.security.cert.X509Certificate> chain) {
    byte[] address = NetUtil.createByteArrayFromIpAddressString(clientIp);
    return new LiveClient() {
      @Override
      public byte[] clientAddress() {
        return address;
      }

      @Override
      public String origin() {
        return origin;
      }

      @Override
      public List<java.security.cert.X509Certificate> clientCertChain() {
        return chain;
      }
    };
  }

  static Verdict verdict(Future<Verdict> future) {
    return Await.result(future);
  }
}
