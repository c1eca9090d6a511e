package io.wsgate.policy;

import java.nio.file.Path;

/**
 * How a route's {@code wss://} members are dialled ({@code upstreamTls:}, or its short form
 * {@code upstreamCa:}). Paths are resolved against the policy file's directory. Hostname
 * verification is always on.
 *
 * @param ca         PEM CA bundle the members' certificates must chain to; null = the JVM trust store
 * @param cert       PEM client certificate chain presented to the members; null = none (then {@code key} is null too)
 * @param key        PEM private key of {@code cert}
 * @param serverName the SNI name sent and the name the member's certificate must cover; null = each member URL's host
 */
public record UpstreamTls(Path ca, Path cert, Path key, String serverName) {
  /** Only a CA bundle ({@code upstreamCa:}); null when {@code ca} is null. */
  public static UpstreamTls caOnly(Path ca) {
    return ca == null ? null : new UpstreamTls(ca, null, null, null);
  }

  /** Whether a client certificate is presented. */
  public boolean clientCertificate() {
    return cert != null && key != null;
  }
}
