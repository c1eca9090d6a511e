package io.wsgate;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.wsgate.demo.DevCertificate;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** TLS 1.2/1.3 with modern ciphers only, and certificate renewal without a restart. */
class TlsListenerIT {

  @Test
  void renewedCertificateIsServedWithoutRestart(@TempDir Path live, @TempDir Path renewed) throws Exception {
    Files.copy(TestCerts.cert(), live.resolve("gateway.crt"));
    Files.copy(TestCerts.key(), live.resolve("gateway.key"));
    DevCertificate.ensure(renewed.resolve("gateway.crt"), renewed.resolve("gateway.key"));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .tls(live.resolve("gateway.crt"), live.resolve("gateway.key")).build())) {
      WebSocketClient trustingBoth = harness.clientVertx.createWebSocketClient(new WebSocketClientOptions()
          .setSsl(true).setVerifyHost(true).setTrustOptions(new PemTrustOptions()
              .addCertPath(TestCerts.cert().toString()).addCertPath(renewed.resolve("gateway.crt").toString())));
      WebSocket before = Await.result(trustingBoth.connect(harness.options("/chat")));
      assertEquals(fingerprint(TestCerts.cert()), served(before));

      Files.copy(renewed.resolve("gateway.key"), live.resolve("gateway.key.tmp"));
      Files.copy(renewed.resolve("gateway.crt"), live.resolve("gateway.crt.tmp"));
      Files.move(live.resolve("gateway.key.tmp"), live.resolve("gateway.key"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.move(live.resolve("gateway.crt.tmp"), live.resolve("gateway.crt"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);

      String expected = fingerprint(renewed.resolve("gateway.crt"));
      Await.until("new handshakes get the renewed certificate", Duration.ofSeconds(20), () -> {
        WebSocket probe = Await.result(trustingBoth.connect(harness.options("/chat")));
        String fingerprint = served(probe);
        Await.result(probe.close());
        return expected.equals(fingerprint);
      });
      assertEquals(false, before.isClosed(), "the session opened under the old certificate lives on");
    }
  }

  @Test
  void weakCipherSuitesAreRefused() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build());
         SSLSocket socket = (SSLSocket) TestCerts.sslContext().getSocketFactory().createSocket("127.0.0.1", harness.port())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
      assertThrows(SSLHandshakeException.class, socket::startHandshake);
    }
  }

  @Test
  void tls12WithAnAeadSuiteIsAccepted() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/")).build());
         SSLSocket socket = (SSLSocket) TestCerts.sslContext().getSocketFactory().createSocket("127.0.0.1", harness.port())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      socket.startHandshake();
      assertEquals("TLSv1.2", socket.getSession().getProtocol());
      assertEquals(true, socket.getSession().getCipherSuite().contains("GCM")
          || socket.getSession().getCipherSuite().contains("CHACHA20"));
    }
  }

  private static String served(WebSocket ws) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(((X509Certificate) ws.sslSession().getPeerCertificates()[0]).getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String fingerprint(Path pem) throws Exception {
    try (var in = Files.newInputStream(pem)) {
      X509Certificate cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    }
  }
}
