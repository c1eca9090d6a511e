package io.wsgate.policy;

import java.nio.file.Path;
import java.util.List;

/**
 * PEM certificate chain and private key (paths resolved against the policy file's directory).
 *
 * @param devCertificate when true and both files are missing, the gateway generates a self-signed
 *                       development certificate there on start and warns loudly that it did
 * @param engine         the TLS implementation: BoringSSL through netty-tcnative, or the JDK's
 */
public record Tls(Path cert, Path key, boolean devCertificate, Engine engine) {
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

  /** With the default engine. */
  public Tls(Path cert, Path key, boolean devCertificate) {
    this(cert, key, devCertificate, DEFAULT_ENGINE);
  }
}
