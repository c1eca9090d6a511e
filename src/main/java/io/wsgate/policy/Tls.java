package io.wsgate.policy;

import java.nio.file.Path;
import java.util.List;

/**
 * The listener's certificates (paths resolved against the policy file's directory). The client's
 * SNI name chooses among them; the first is the default, for clients that send no SNI or a name no
 * certificate covers.
 *
 * @param certificates   at least one PEM chain and key, in policy order
 * @param devCertificate when true and both files are missing, the gateway generates a self-signed
 *                       development certificate there on start and warns loudly that it did
 * @param engine         the TLS implementation: BoringSSL through netty-tcnative, or the JDK's
 */
public record Tls(List<Pair> certificates, boolean devCertificate, Engine engine) {
  /** One PEM certificate chain and its private key. */
  public record Pair(Path cert, Path key) {
  }

  /** Which TLS implementation serves the listener. */
  public enum Engine {
    /** BoringSSL (netty-tcnative): handshakes at a fraction of the JDK's CPU cost; no renegotiation at all. */
    OPENSSL("openssl"),
    /** The JDK's own engine: the fallback where netty-tcnative has no native library. */
    JDK("jdk");

    public static final List<String> NAMES = List.of("openssl", "jdk");
    private final String key;

    Engine(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Engine of(String key) {
      return key.equals(JDK.key) ? JDK : OPENSSL;
    }
  }

  public static final Engine DEFAULT_ENGINE = Engine.OPENSSL;

  public Tls {
    certificates = List.copyOf(certificates);
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("at least one certificate");
    }
  }

  /** One certificate ({@code cert}, {@code key}). */
  public Tls(Path cert, Path key, boolean devCertificate, Engine engine) {
    this(List.of(new Pair(cert, key)), devCertificate, engine);
  }

  /** One certificate, with the default engine. */
  public Tls(Path cert, Path key, boolean devCertificate) {
    this(cert, key, devCertificate, DEFAULT_ENGINE);
  }

  /** The default certificate's chain. */
  public Path cert() {
    return certificates.get(0).cert();
  }

  /** The default certificate's key. */
  public Path key() {
    return certificates.get(0).key();
  }

  /** The same settings serving {@code pairs} instead. */
  public Tls withCertificates(List<Pair> pairs) {
    return new Tls(pairs, devCertificate, engine);
  }
}
