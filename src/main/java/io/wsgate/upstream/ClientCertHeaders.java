package io.wsgate.upstream;

import io.vertx.core.MultiMap;
import io.wsgate.handshake.HandshakeRequest;

/**
 * Tells the upstream which client certificate the gateway verified on a {@code clientCert} route:
 * {@code X-Client-Cert-Subject} (the subject DN, RFC 4514) and {@code X-Client-Cert-Fingerprint}
 * (SHA-256 of the DER encoding, hex). A client's own headers of these names are dropped on every
 * route ({@link UpstreamHeaders}), so an upstream can believe them.
 */
final class ClientCertHeaders {
  static final String SUBJECT = "x-client-cert-subject";
  static final String FINGERPRINT = "x-client-cert-fingerprint";

  private ClientCertHeaders() {
  }

  /** Only once the handshake was admitted: ClientCertGuard verified the certificate on this route. */
  static void add(MultiMap out, HandshakeRequest request) {
    if (request.route().clientCert() == null || request.clientCert() == null) {
      return;
    }
    out.set(SUBJECT, request.clientCert().subject());
    out.set(FINGERPRINT, request.clientCert().sha256());
  }
}
