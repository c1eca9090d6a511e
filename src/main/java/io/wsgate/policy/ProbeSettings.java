package io.wsgate.policy;

/**
 * The probes listener: plain HTTP serving only {@code GET /health} and {@code GET /ready}, without
 * the admin token, for a load balancer, the kubelet or a container's {@code HEALTHCHECK}. Off unless
 * the policy has a {@code probes:} section.
 *
 * <pre>{@code
 * probes: { host: 0.0.0.0, port: 8081 }    # reachable by the kubelet on the pod's address
 * }</pre>
 *
 * @param enabled whether the listener is started (true exactly when the policy has the section)
 * @param host    bind address, default {@code 127.0.0.1}
 * @param port    TCP port, 0..65535 (0 = chosen by the OS, used by tests), default 8081
 */
public record ProbeSettings(boolean enabled, String host, int port) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8081;
  /** What a policy without a {@code probes:} section means. */
  public static final ProbeSettings DISABLED = new ProbeSettings(false, DEFAULT_HOST, DEFAULT_PORT);

  /** Enabled on loopback with the given port (0 in tests). */
  public static ProbeSettings loopback(int port) {
    return new ProbeSettings(true, DEFAULT_HOST, port);
  }
}
