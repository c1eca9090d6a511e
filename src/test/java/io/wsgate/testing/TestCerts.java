package io.wsgate.testing;

import io.vertx.core.net.PemTrustOptions;
import io.wsgate.demo.DevCertificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

/** One self-signed localhost certificate per test JVM, made by the same code as the dev certificate. */
public final class TestCerts {
  private static Path dir;

  private TestCerts() {
  }

  public static synchronized Path dir() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("wsgate-test-certs");
        DevCertificate.ensure(dir.resolve("gateway.crt"), dir.resolve("gateway.key"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return dir;
  }

  public static Path cert() {
    return dir().resolve("gateway.crt");
  }

  public static Path key() {
    return dir().resolve("gateway.key");
  }

  public static PemTrustOptions trust() {
    return new PemTrustOptions().addCertPath(cert().toString());
  }

  /** A JDK SSLContext trusting only the test certificate, for raw-socket clients. */
  public static SSLContext sslContext() {
    try (InputStream in = Files.newInputStream(cert())) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("wsgate-test", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
