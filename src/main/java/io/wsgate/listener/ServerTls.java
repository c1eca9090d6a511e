package io.wsgate.listener;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import org.slf4j.LoggerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.wsgate.policy.Tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * TLS settings for client listeners: TLS 1.2 and 1.3 only, AEAD ciphers with forward secrecy
 * (the Mozilla "intermediate" set), PEM certificate chains and keys from the policy, chosen by SNI.
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
   * Reads every certificate and key as the listener will, and checks that each key belongs to its
   * certificate ({@link KeyPairCheck}) and that no host name is in two of them: the same test at
   * start, at {@code policy check}, on a reload that changes the certificates and (by
   * {@link CertificateReloader}) on renewal. Blocking.
   *
   * @return empty when the listener can serve them; else what is wrong, naming the files, never their contents
   */
  public static Optional<String> problem(Vertx vertx, Tls tls) {
    try {
      keyManager(tls);
      return Optional.empty();
    } catch (UnusablePair e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Thrown by {@link #keyManager} for a pair that cannot be served; the message names the files. */
  static final class UnusablePair extends Exception {
    UnusablePair(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Every pair of {@code tls} as read now, each checked ({@link KeyPairCheck}), in policy order so the
   * first stays the default. The bytes checked are the bytes served: a file replaced again in
   * between cannot slip through. Blocking.
   */
  static SniKeyManager keyManager(Tls tls) throws UnusablePair {
    List<SniKeyManager.Entry> entries = new ArrayList<>();
    Map<String, Path> named = new HashMap<>();
    for (Tls.Pair pair : tls.certificates()) {
      byte[] cert;
      byte[] key;
      try {
        cert = Files.readAllBytes(pair.cert());
        key = Files.readAllBytes(pair.key());
      } catch (IOException e) {
        throw new UnusablePair("cannot read " + pair.cert() + " / " + pair.key() + ": " + e.getClass().getSimpleName());
      }
      Optional<String> mismatch = KeyPairCheck.problem(cert, key);
      if (mismatch.isPresent()) {
        throw new UnusablePair(pair.cert() + " / " + pair.key() + ": " + mismatch.get());
      }
      X509Certificate[] chain = KeyPairCheck.chain(cert);
      Set<String> names = CertificateNames.of(chain[0]);
      // A name in two certificates is a mistake one way or the other: which was meant cannot be told.
      for (String name : names) {
        Path first = named.putIfAbsent(name, pair.cert());
        if (first != null) {
          throw new UnusablePair(first + " and " + pair.cert() + " both name " + name
              + ": list each name in one certificate only");
        }
      }
      entries.add(new SniKeyManager.Entry(chain, KeyPairCheck.privateKeyOf(key), names));
    }
    return new SniKeyManager(entries);
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

  /** The certificates are chosen per handshake by {@link SniKeyManager}, not by Vert.x's SNI (see there). */
  static void apply(HttpServerOptions options, Tls tls, ClientCertRequest clientCerts) {
    options.setSsl(true)
        .setUseAlpn(false)
        .setKeyCertOptions(keyCert(tls))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setClientAuth(clientCerts.clientAuth())
        .setTrustOptions(clientCerts.trustOptions());
    CIPHERS.forEach(options::addEnabledCipherSuite);
  }

  /**
   * The same settings as a standalone value, for reloading a renewed certificate into a running
   * server: the PEM chain and key as already read (and checked) rather than paths to read again.
   */
  static ServerSSLOptions sslOptions(SniKeyManager certificates, ClientCertRequest clientCerts) {
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(KeyCertOptions.wrap(certificates))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(false)
        .setClientAuth(clientCerts.clientAuth())
        .setTrustOptions(clientCerts.trustOptions());
    CIPHERS.forEach(options::addEnabledCipherSuite);
    return options;
  }

  /** At start: {@code Gateway} has checked the pairs ({@link #problem}) before it listens. Blocking. */
  private static KeyCertOptions keyCert(Tls tls) {
    try {
      return KeyCertOptions.wrap(keyManager(tls));
    } catch (UnusablePair e) {
      throw new IllegalStateException("listen.tls: " + e.getMessage());
    }
  }
}
