package io.wsgate.attack;

import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.RawClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Upgrade requests that a lenient reader would take one way and the upstream (or a proxy in front
 * of it) another: dot segments and encoded separators in the path. Each is refused with 400 before
 * any route, guard or upstream sees it; the connection is closed and anything behind the request
 * is never answered.
 */
class UpgradeRequestAttacksIT {
  private static final String SMUGGLED = "GET /internal HTTP/1.1\r\nHost: localhost\r\n\r\n";

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
}
