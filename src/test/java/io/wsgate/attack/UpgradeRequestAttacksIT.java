package io.wsgate.attack;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.RawClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Upgrade requests that a lenient reader would take one way and the upstream (or a proxy in front
 * of it) another: dot segments and encoded separators in the path, headers that must appear once
 * sent twice, and a body on the upgrade. Each is refused with 400 before any route, guard or
 * upstream sees it; the connection is closed and anything behind the request is never answered.
 */
class UpgradeRequestAttacksIT {
  private static final String SMUGGLED = "GET /internal HTTP/1.1\r\nHost: localhost\r\n\r\n";
  private static final OriginRules ONLY_APP = new OriginRules(List.of("https://app.example.com"), false, false,
      Mode.ENFORCE);

  /**
   * The request, raw, then {@link #SMUGGLED} behind it: answered with the reason's status and text
   * only, then closed; one {@code handshake.rejected} record, the counter up by one, no upstream.
   */
  private static JsonObject refusedRaw(AttackTarget t, EchoUpstream upstream, String request, Reason reason)
      throws Exception {
    Counter counter = Counter.of(t.harness, reason);
    try (RawClient raw = t.raw()) {
      raw.send(request + SMUGGLED);
      String head = raw.readHead();
      assertEquals(reason.code(), RawClient.status(head), head);
      assertEquals(reason.description() + "\n", raw.readUntilClosed(), "the reason text only, then closed");
    }
    JsonObject record = AttackAsserts.auditedOnce(t.audit, "handshake.rejected", reason);
    counter.movedBy(1);
    assertEquals(1, t.audit.events("handshake.rejected").size(), "what came behind is never judged");
    assertEquals(0, upstream.handshakes.size(), "the upstream is never reached");
    return record;
  }

  // --- 1. dot segments and encoded separators ------------------------------------------------

  /** An anonymous {@code /pub} prefix route whose upstream is asked for the client's own path. */
  private static AttackTarget publicPrefix(EchoUpstream upstream) {
    String ownPath = "ws://127.0.0.1:" + upstream.port(); // no path: the client's path goes upstream
    return AttackTarget.inFrontOf(ownPath, p -> p.route("/pub", true, List.of("user-agent"), ownPath));
  }

  @ParameterizedTest(name = "Path escaping an anonymous prefix route: {0}")
  @ValueSource(strings = {"/pub/../priv", "/pub/%2e%2e/priv", "/pub/%2E%2E/priv", "/pub/.%2e/priv", "/pub/%2E./priv",
      "/pub/..", "/pub/./priv", "/pub/..;/priv", "/pub%2f..%2fpriv", "/pub/..%2Fpriv", "/pub/..%5cpriv",
      "/pub/..%5C..%5Cpriv", "/pub\\..\\priv"})
  void pathWithDotSegmentsOrEncodedSeparators(String path) throws Exception {
    try (EchoUpstream upstream = new EchoUpstream(); AttackTarget t = publicPrefix(upstream)) {
      JsonObject record = refusedRaw(t, upstream, RawClient.upgrade(path), Reason.PATH_NOT_NORMALIZED);
      assertEquals(path, record.getString("path"), "recorded as sent");
      try (RawClient raw = t.raw()) {
        assertEquals(101, RawClient.status(raw.send(RawClient.upgrade("/pub/.well/x..y/...")).readHead()),
            "control: dots inside names are not dot segments");
      }
      assertEquals("/pub/.well/x..y/...", upstream.uris.poll(10, TimeUnit.SECONDS));
    }
  }

  // --- 2. headers that must appear once ------------------------------------------------------

  @ParameterizedTest(name = "The same header twice: {0}")
  @ValueSource(strings = {"Origin", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Host", "Upgrade", "Upgrade, h2c first"})
  void aHeaderThatMustAppearOnceSentTwice(String header) throws Exception {
    String request = switch (header) {
      // The first is the allowed one: a reader of the first only would let the second through.
      case "Origin" -> withHeaders("Origin: https://app.example.com", "Origin: https://evil.example.net");
      case "Sec-WebSocket-Key" -> withHeaders("Sec-WebSocket-Key: " + RawClient.randomKey());
      case "Sec-WebSocket-Version" -> withHeaders("Sec-WebSocket-Version: 8");
      case "Host" -> withHeaders("Host: internal.example.net");
      case "Upgrade" -> withHeaders("Upgrade: websocket");
      // A reader of the first line sees plain HTTP (426); the request still asks for a WebSocket.
      case "Upgrade, h2c first" -> withHeaders().replace("Upgrade: websocket", "Upgrade: h2c\r\nUpgrade: websocket");
      default -> throw new IllegalArgumentException(header);
    };
    try (AttackTarget t = AttackTarget.echo(p -> header.equals("Origin")
        ? p.security(new RouteSecurity(null, ONLY_APP, Auth.ANONYMOUS, MessageRules.NONE)) : p)) {
      refusedRaw(t, t.upstream, request, Reason.DUPLICATE_HEADER);
      try (RawClient raw = t.raw()) {
        String control = header.equals("Origin") ? withHeaders("Origin: https://app.example.com") : withHeaders();
        assertEquals(101, RawClient.status(raw.send(control).readHead()), "control: each header once");
      }
    }
  }

  // --- 3. a body on the upgrade -----------------------------------------------------------------

  @Test
  @DisplayName("Upgrade with a Content-Length body that is itself a request (smuggling)")
  void contentLengthBodyThatLooksLikeARequest() throws Exception {
    String body = "GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n";
    refusedWithABody(withHeaders("Content-Length: " + body.length()) + body);
  }

  @Test
  @DisplayName("Upgrade with a small Content-Length body")
  void contentLengthBody() throws Exception {
    refusedWithABody(withHeaders("Content-Length: 5") + "hello");
  }

  @ParameterizedTest(name = "Upgrade with Transfer-Encoding: {0}, the chunk a request")
  @ValueSource(strings = {"chunked", "gzip, chunked"})
  void chunkedBodyThatLooksLikeARequest(String encoding) throws Exception {
    String inner = "GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n";
    refusedWithABody(withHeaders("Transfer-Encoding: " + encoding)
        + Integer.toHexString(inner.length()) + "\r\n" + inner + "\r\n0\r\n\r\n");
  }

  @Test
  @DisplayName("Upgrade with Content-Length: 0 (no body) is admitted")
  void zeroContentLengthIsNoBody() throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p); RawClient raw = t.raw()) {
      assertEquals(101, RawClient.status(raw.send(withHeaders("Content-Length: 0")).readHead()));
    }
  }

  private static void refusedWithABody(String request) throws Exception {
    try (AttackTarget t = AttackTarget.echo(p -> p)) {
      refusedRaw(t, t.upstream, request, Reason.UPGRADE_WITH_BODY);
    }
  }

  /** A well-formed upgrade of {@code /chat} with {@code extra} header lines added after the others. */
  private static String withHeaders(String... extra) {
    StringBuilder request = new StringBuilder(RawClient.upgrade(AttackTarget.PATH));
    request.setLength(request.length() - 2); // the empty line that ends the head
    for (String line : extra) {
      request.append(line).append("\r\n");
    }
    return request.append("\r\n").toString();
  }
}
