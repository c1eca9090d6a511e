package io.wsgate.upstream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.wsgate.listener.KeyPairCheck;
import io.wsgate.policy.Route;
import io.wsgate.policy.UpstreamTls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A route's TLS toward its {@code wss://} members, read from disk when a policy snapshot is built:
 * the files' contents (not their paths) go into the options, so a snapshot built after the files were
 * renewed dials with the new ones, and Vert.x, which caches TLS contexts by their options, builds a
 * new context for them. Hostname verification is always on.
 */
public final class UpstreamSsl {
  /** The JVM trust store, no client certificate, each member's own host name. */
  public static final UpstreamSsl DEFAULT = new UpstreamSsl(verifyingHost(), null);

  private final ClientSSLOptions options;
  private final String serverName;

  private UpstreamSsl(ClientSSLOptions options, String serverName) {
    this.options = options;
    this.serverName = serverName;
  }

  /**
   * Reads every route's files now (blocking: call off the event loop).
   *
   * @return the TLS of each route with {@code upstreamTls} (or {@code upstreamCa}), by identity
   * @throws IllegalStateException naming the field and file, never quoting them, when one cannot be used
   */
  public static Map<Route, UpstreamSsl> load(List<Route> routes) {
    Map<Route, UpstreamSsl> out = new IdentityHashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      Route route = routes.get(i);
      if (route.upstreamTls() != null) {
        out.put(route, load(route.upstreamTls(), "routes[" + i + "].upstreamTls"));
      }
    }
    return out;
  }

  static UpstreamSsl load(UpstreamTls tls, String field) {
    ClientSSLOptions options = verifyingHost();
    if (tls.ca() != null) {
      byte[] ca = read(tls.ca(), field + ".ca");
      if (!holdsCertificates(ca)) {
        throw new IllegalStateException(field + ".ca: no PEM certificate in " + tls.ca());
      }
      options.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca)));
    }
    if (tls.clientCertificate()) {
      byte[] cert = read(tls.cert(), field + ".cert");
      byte[] key = read(tls.key(), field + ".key");
      Optional<String> problem = KeyPairCheck.problem(cert, key);
      if (problem.isPresent()) {
        // Caught mid-renewal (one file replaced, not yet the other): the reload fails, the old pair stays in use.
        throw new IllegalStateException(field + ".key: " + problem.get() + " (cert: " + tls.cert() + ")");
      }
      options.setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key)));
    }
    return new UpstreamSsl(options, tls.serverName());
  }

  private static ClientSSLOptions verifyingHost() {
    return new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS");
  }

  private static byte[] read(Path file, String field) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException(field + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static boolean holdsCertificates(byte[] pem) {
    try {
      return !CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty();
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Same files' contents and server name: a health check that dials with it may keep running. */
  @Override
  public boolean equals(Object other) {
    return other instanceof UpstreamSsl that && options.equals(that.options)
        && java.util.Objects.equals(serverName, that.serverName);
  }

  @Override
  public int hashCode() {
    return options.hashCode() * 31 + java.util.Objects.hashCode(serverName);
  }

  /** Trust, client certificate and hostname verification; shared, never modified. */
  public ClientSSLOptions options() {
    return options;
  }

  /** The name sent as SNI and verified; null = each member's own host. */
  public String serverName() {
    return serverName;
  }
}
