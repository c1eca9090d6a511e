package io.wsgate.listener;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import org.slf4j.LoggerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.wsgate.policy.Tls;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * TLS settings for client listeners: TLS 1.2 and 1.3 only, AEAD ciphers with forward secrecy
 * (the Mozilla "intermediate" set), PEM certificate chain and key from the policy.
 */
public final class ServerTls {
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** Read by the JDK's TLS engine once per JVM, when its first server-side handshake runs. */
  public static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  private ServerTls() {
  }

  /**
   * Refuses client-initiated TLS 1.2 renegotiation for this JVM, unless the operator set
   * {@value #REJECT_RENEGOTIATION} explicitly. Renegotiation made safe by RFC 5746 is still a full
   * handshake the server pays for at the client's will (one connection did 300 before its first
   * request: a DoS lever); TLS 1.3 has none (RFC 8446 §4.1.2 forbids it). The JDK reads the property
   * only when its first server handshake runs, so this is the first thing {@code Main} and
   * {@code Gateway.start} do; Netty's JDK engine and Vert.x offer no per-server setting.
   *
   * @return the property's value from now on: {@code "true"} unless the operator chose otherwise
   */
  public static String refuseClientRenegotiation() {
    synchronized (ServerTls.class) {
      String explicit = System.getProperty(REJECT_RENEGOTIATION);
      if (explicit != null) {
        return explicit;
      }
      System.setProperty(REJECT_RENEGOTIATION, "true");
      return "true";
    }
  }

  /**
   * Reads the certificate and key as the listener will, and checks that the key belongs to the
   * certificate ({@link KeyPairCheck}): the same test at start, at {@code policy check} and (by
   * {@link CertificateReloader}) on renewal. Blocking.
   *
   * @return empty when the listener can serve them; else what is wrong, naming the files, never their contents
   */
  public static Optional<String> problem(Vertx vertx, Tls tls) {
    byte[] cert;
    byte[] key;
    try {
      cert = Files.readAllBytes(tls.cert());
      key = Files.readAllBytes(tls.key());
    } catch (IOException e) {
      return Optional.of("cannot read " + tls.cert() + " / " + tls.key() + ": " + e.getClass().getSimpleName());
    }
    Optional<String> mismatch = KeyPairCheck.problem(cert, key);
    if (mismatch.isPresent()) {
      return Optional.of(tls.cert() + " / " + tls.key() + ": " + mismatch.get());
    }
    try {
      new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key))
          .getKeyManagerFactory(vertx);
      return Optional.empty();
    } catch (Exception e) {
      return Optional.of(tls.cert() + " / " + tls.key() + ": the TLS engine cannot load them ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * The engine the policy asks for: BoringSSL through netty-tcnative when its native library loads
   * here, else the JDK's (logged once). BoringSSL refuses renegotiation outright; the JDK engine
   * does through {@link #refuseClientRenegotiation()}.
   */
  static SSLEngineOptions engine(Tls tls) {
    if (tls.engine() == Tls.Engine.OPENSSL) {
      if (OpenSSLEngineOptions.isAvailable()) {
        return new OpenSSLEngineOptions();
      }
      if (OPENSSL_MISSING_LOGGED.compareAndSet(false, true)) {
        LoggerFactory.getLogger(ServerTls.class).warn("listen.tls.engine: openssl is not available on this platform"
            + " ({}); serving TLS with the JDK's engine", String.valueOf(OpenSsl.unavailabilityCause()));
      }
    }
    return new JdkSSLEngineOptions();
  }

  private static final java.util.concurrent.atomic.AtomicBoolean OPENSSL_MISSING_LOGGED =
      new java.util.concurrent.atomic.AtomicBoolean();

  static void apply(HttpServerOptions options, Tls tls) {
    options.setSsl(true)
        .setUseAlpn(false)
        .setKeyCertOptions(keyCert(tls))
        .setEnabledSecureTransportProtocols(PROTOCOLS);
    CIPHERS.forEach(options::addEnabledCipherSuite);
  }

  /**
   * The same settings as a standalone value, for reloading a renewed certificate into a running
   * server: the PEM chain and key as already read (and checked) rather than paths to read again.
   */
  static ServerSSLOptions sslOptions(Buffer certificatePem, Buffer keyPem) {
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(new PemKeyCertOptions().setCertValue(certificatePem).setKeyValue(keyPem))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(false);
    CIPHERS.forEach(options::addEnabledCipherSuite);
    return options;
  }

  private static PemKeyCertOptions keyCert(Tls tls) {
    return new PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString());
  }
}
