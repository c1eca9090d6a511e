package io.wsgate.listener;

import io.vertx.core.http.HttpConnection;
import io.wsgate.handshake.ClientCertificate;

import javax.net.ssl.SSLPeerUnverifiedException;

/** Reads the certificate a client presented in its TLS handshake (see {@link ClientCertRequest}). */
final class ClientCertificates {
  private ClientCertificates() {
  }

  /** @return null on a plain connection or when the client sent none */
  static ClientCertificate presented(HttpConnection connection) {
    if (!connection.isSsl()) {
      return null;
    }
    try {
      return ClientCertificate.of(connection.peerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
