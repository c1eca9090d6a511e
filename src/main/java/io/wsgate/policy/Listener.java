package io.wsgate.policy;

/**
 * Where the gateway accepts clients.
 *
 * @param host bind address, default {@code 0.0.0.0}
 * @param port TCP port, 0..65535 (0 = chosen by the OS, used by tests)
 * @param tls  TLS material; {@code null} only when the policy says {@code plain: true} explicitly
 */
public record Listener(String host, int port, Tls tls) {
  public boolean plain() {
    return tls == null;
  }
}
