package io.wsgate.policy;

/**
 * One member of an upstream pool: either the embedded demo upstream ({@code demo}) or a
 * {@code ws://} / {@code wss://} URL.
 *
 * @param path path to request upstream; null = the client's own request path
 */
public record UpstreamTarget(String label, boolean demo, boolean tls, String host, int port, String path) {
  public static UpstreamTarget ofDemo() {
    return new UpstreamTarget("demo", true, false, null, 0, null);
  }
}
