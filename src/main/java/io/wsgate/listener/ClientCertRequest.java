package io.wsgate.listener;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.TrustOptions;
import io.wsgate.policy.Route;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the listener asks clients for a certificate (mutual TLS), and which issuers it names.
 * It asks only when some route has {@code clientCert}, so browsers on the other routes are never
 * prompted; it asks (TLS "request"), never requires: a client without one still connects and its
 * route decides (401 {@code client_cert_missing}). At the TLS layer any chain is accepted; the
 * engine still checks the client's CertificateVerify, i.e. that it holds the certificate's key.
 * Each route verifies the chain against its own CA at upgrade time ({@code ClientCertGuard}),
 * which a single TLS context shared by all routes could not do per route.
 *
 * @param requested   some route has {@code clientCert}
 * @param authorities the union of the routes' CA certificates, advertised as acceptable issuers
 */
record ClientCertRequest(boolean requested, List<X509Certificate> authorities) {
  static final ClientCertRequest NONE = new ClientCertRequest(false, List.of());

  ClientCertRequest {
    authorities = List.copyOf(authorities);
  }

  static ClientCertRequest of(List<Route> routes) {
    return of(routes, null);
  }

  /** What the listener named {@code listener} asks for: the routes reachable through it (null: all routes). */
  static ClientCertRequest of(List<Route> routes, String listener) {
    List<X509Certificate> all = new ArrayList<>();
    boolean requested = false;
    for (Route route : routes) {
      if (route.clientCert() != null && (listener == null || route.reachableThrough(listener))) {
        requested = true;
        route.clientCert().authorities().stream().filter(ca -> !all.contains(ca)).forEach(all::add);
      }
    }
    return requested ? new ClientCertRequest(true, all) : NONE;
  }

  ClientAuth clientAuth() {
    return requested ? ClientAuth.REQUEST : ClientAuth.NONE;
  }

  /** Null when no certificate is requested. */
  TrustOptions trustOptions() {
    return requested ? TrustOptions.wrap(new AnyChain(authorities.toArray(X509Certificate[]::new))) : null;
  }

  /** Accepts any client chain (see the class comment); never used for servers. */
  private static final class AnyChain extends X509ExtendedTrustManager {
    private final X509Certificate[] issuers;

    AnyChain(X509Certificate[] issuers) {
      this.issuers = issuers;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a client listener trusts no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a client listener trusts no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a client listener trusts no server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return issuers.clone();
    }
  }
}
