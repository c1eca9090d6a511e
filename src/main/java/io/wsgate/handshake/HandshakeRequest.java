package io.wsgate.handshake;

import io.vertx.core.MultiMap;
import io.wsgate.policy.Route;

import java.util.List;

/**
 * What a guard may look at: one upgrade request, captured once. The header map is the listener's
 * own read-only view; guards never modify it.
 *
 * @param requestId     random id, sent upstream as {@code X-Request-Id} and written to the audit log
 * @param clientIp      the direct TCP peer's address
 * @param subprotocols  the client's {@code Sec-WebSocket-Protocol} offers, in order
 */
public record HandshakeRequest(String requestId, String clientIp, boolean tls, String host, String path,
                               String query, MultiMap headers, List<String> subprotocols, Route route,
                               long receivedNanos) {
  public String origin() {
    return headers.get("origin");
  }
}
