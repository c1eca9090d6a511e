package io.wsgate.handshake;

import io.vertx.core.MultiMap;
import io.wsgate.audit.AuditedRequest;
import io.wsgate.limits.StoreBudget;
import io.wsgate.policy.Route;

import java.util.List;

/**
 * What a guard may look at: one upgrade request, captured once. The header map is the listener's
 * own read-only view; guards never modify it.
 *
 * @param requestId     random id, sent upstream as {@code X-Request-Id} and written to the audit log
 * @param peerIp        the direct TCP peer (or the PROXY protocol source)
 * @param clientIp      the client as far as it can be trusted: {@code peerIp}, unless the peer is a
 *                      trusted proxy, then the rightmost untrusted forwarded hop
 * @param clientAddress {@code clientIp} as bytes, for CIDR matching
 * @param subprotocols  the client's {@code Sec-WebSocket-Protocol} offers, in order
 * @param identity      set by the token guard for the guards after it; null before / when anonymous
 * @param bearerOffered the client offered the {@code bearer} subprotocol to carry its token; the
 *                      gateway then answers {@code bearer} when the upstream chose nothing
 * @param cookie        the Cookie value that may be forwarded (a token cookie removed); null = none
 * @param storeBudget   what this handshake may still wait on a shared store (a fleet's Redis), all
 *                      its guards together
 * @param clientCert    the certificate the client presented in its TLS handshake, read only on a route
 *                      with {@code clientCert}; null otherwise or when it sent none (not yet verified)
 * @param listener      the name of the listener the request arrived on; null in tests that have none
 */
public record HandshakeRequest(String requestId, String peerIp, String clientIp, byte[] clientAddress, boolean tls,
                               String host, String path, String query, MultiMap headers, List<String> subprotocols,
                               Route route, long receivedNanos, Identity identity, boolean bearerOffered,
                               String cookie, StoreBudget storeBudget, ClientCertificate clientCert, String listener) {
  /** A request without a client certificate, not tied to a named listener. */
  public HandshakeRequest(String requestId, String peerIp, String clientIp, byte[] clientAddress, boolean tls,
                          String host, String path, String query, MultiMap headers, List<String> subprotocols,
                          Route route, long receivedNanos, Identity identity, boolean bearerOffered,
                          String cookie, StoreBudget storeBudget) {
    this(requestId, peerIp, clientIp, clientAddress, tls, host, path, query, headers, subprotocols, route, receivedNanos,
        identity, bearerOffered, cookie, storeBudget, null, null);
  }

  /** A request that never waits on a store (limits in this process). */
  public HandshakeRequest(String requestId, String peerIp, String clientIp, byte[] clientAddress, boolean tls,
                          String host, String path, String query, MultiMap headers, List<String> subprotocols,
                          Route route, long receivedNanos, Identity identity, boolean bearerOffered, String cookie) {
    this(requestId, peerIp, clientIp, clientAddress, tls, host, path, query, headers, subprotocols, route, receivedNanos,
        identity, bearerOffered, cookie, StoreBudget.NONE);
  }

  public String origin() {
    return headers.get("origin");
  }

  /** Who asked for what, for the audit: as far as the guards got (the identity once a token was verified). */
  public AuditedRequest audited() {
    return new AuditedRequest(requestId, clientIp, identity == null ? null : identity.subject(),
        identity == null ? null : identity.issuer(), route == null ? null : route.id(), path, origin(),
        headers.get("user-agent"), listener, clientCert == null ? null : clientCert.audited(), host, null);
  }

  /** The request after token verification: the identity, and offers / query without the token. */
  public HandshakeRequest authenticated(Identity verified, List<String> remainingOffers, String remainingQuery,
                                        boolean bearer, String remainingCookie) {
    return new HandshakeRequest(requestId, peerIp, clientIp, clientAddress, tls, host, path, remainingQuery, headers,
        List.copyOf(remainingOffers), route, receivedNanos, verified, bearer, remainingCookie, storeBudget, clientCert,
        listener);
  }
}
