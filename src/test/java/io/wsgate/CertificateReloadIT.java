package io.wsgate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wsgate.demo.DevCertificate;
import io.wsgate.listener.CertificateReloader;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestCerts;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A renewal whose private key does not belong to its certificate is refused and the running pair
 * kept (before, it was loaded and every new TLS handshake failed); a matching renewal is still
 * picked up without a restart.
 */
class CertificateReloadIT {
  @TempDir
  Path live;
  @TempDir
  Path pairA;
  @TempDir
  Path pairB;

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger reloaderLog = (Logger) LoggerFactory.getLogger(CertificateReloader.class);
  private Level level;

  @BeforeEach
  void captureTheReloadersLog() {
    level = reloaderLog.getLevel();
    reloaderLog.setLevel(Level.INFO);
    log.start();
    reloaderLog.addAppender(log);
  }

  @AfterEach
  void restore() {
    reloaderLog.detachAppender(log);
    log.stop();
    reloaderLog.setLevel(level);
  }

  @Test
  void aRenewalWhoseKeyDoesNotMatchItsCertificateIsRefusedAndTheOldPairKept() throws Exception {
    Path cert = live.resolve("gateway.crt");
    Path key = live.resolve("gateway.key");
    Files.copy(TestCerts.cert(), cert);
    Files.copy(TestCerts.key(), key);
    DevCertificate.ensure(pairA.resolve("gateway.crt"), pairA.resolve("gateway.key"));
    DevCertificate.ensure(pairB.resolve("gateway.crt"), pairB.resolve("gateway.key"));
    List<Path> trusted = List.of(TestCerts.cert(), pairA.resolve("gateway.crt"), pairB.resolve("gateway.crt"));
    String old = fingerprint(TestCerts.cert());
    String renewed = fingerprint(pairA.resolve("gateway.crt"));
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .tls(cert, key).build())) {
      assertEquals(old, handshakeAndUpgrade(harness.port(), trusted));

      // Pair A's certificate with pair B's key: a renewal gone wrong.
      replace(key, pairB.resolve("gateway.key"));
      replace(cert, pairA.resolve("gateway.crt"));
      Await.until("the reloader acted on the mismatched pair", Duration.ofSeconds(20), () -> !events().isEmpty());

      assertEquals(old, handshakeAndUpgrade(harness.port(), trusted),
          "new handshakes still succeed, with the old certificate");
      ILoggingEvent refused = events().get(0);
      assertEquals(Level.ERROR, refused.getLevel(), refused.getFormattedMessage());
      String message = refused.getFormattedMessage();
      assertTrue(message.contains(cert.toString()) && message.contains(key.toString()), "names both files: " + message);
      assertTrue(message.contains("does not match"), message);
      assertFalse(events().stream().anyMatch(e -> e.getFormattedMessage().contains("reloaded")), "nothing loaded");
      for (ILoggingEvent event : events()) {
        assertNoKeyMaterial(event, pairB.resolve("gateway.key"));
        assertNoKeyMaterial(event, TestCerts.key());
      }

      // The matching key arrives: the renewal is picked up.
      replace(key, pairA.resolve("gateway.key"));
      Await.until("new handshakes get the renewed certificate", Duration.ofSeconds(20),
          () -> renewed.equals(handshakeAndUpgradeUnchecked(harness.port(), trusted)));
      Await.until("the reload is logged", () -> events().stream()
          .anyMatch(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains("reloaded")));
    }
  }

  private List<ILoggingEvent> events() {
    synchronized (log) {
      return new ArrayList<>(log.list);
    }
  }

  /** As a renewal tool does it: the new file written beside, then moved over the live one. */
  private static void replace(Path target, Path source) throws Exception {
    Path tmp = target.resolveSibling(target.getFileName() + ".new");
    Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void assertNoKeyMaterial(ILoggingEvent event, Path keyFile) throws Exception {
    String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
        : event.getThrowableProxy().getMessage());
    for (String line : Files.readString(keyFile, StandardCharsets.US_ASCII).split("\n")) {
      if (!line.startsWith("-----") && line.length() >= 16) {
        for (int i = 0; i + 16 <= line.length(); i += 8) {
          assertFalse(text.contains(line.substring(i, i + 16)), "key material in the log: " + text);
        }
      }
    }
  }

  private static String handshakeAndUpgradeUnchecked(int port, List<Path> trusted) {
    try {
      return handshakeAndUpgrade(port, trusted);
    } catch (Exception e) {
      return e.toString();
    }
  }

  /**
   * A full TLS handshake (a fresh SSLContext each time, so no session is resumed and the server must
   * sign with its key), then an upgrade answered 101.
   *
   * @return the SHA-256 fingerprint of the certificate the gateway presented
   */
  private static String handshakeAndUpgrade(int port, List<Path> trusted) throws Exception {
    try (SSLSocket socket = (SSLSocket) trusting(trusted).getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      X509Certificate presented = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      socket.getOutputStream().write(RawClient.upgrade("/chat").getBytes(StandardCharsets.ISO_8859_1));
      byte[] status = socket.getInputStream().readNBytes(12);
      assertEquals("HTTP/1.1 101", new String(status, StandardCharsets.ISO_8859_1));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(presented.getEncoded()));
    }
  }

  private static SSLContext trusting(List<Path> certificates) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Path pem : certificates) {
      try (InputStream in = Files.newInputStream(pem)) {
        store.setCertificateEntry("c" + i++, CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static String fingerprint(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded()));
    }
  }
}
