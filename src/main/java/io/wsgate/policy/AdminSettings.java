package io.wsgate.policy;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The admin listener ({@code /metrics}, {@code /health}, {@code /ready}, {@code /sessions},
 * {@code /subjects/{sub}/revoke}). Off unless the policy has an {@code admin:} section.
 * The bearer token is never held here: only the file or the environment variable that holds it
 * ({@link AdminToken} reads it).
 *
 * <pre>{@code
 * admin: { host: 127.0.0.1, port: 9090 }                            # loopback: no token needed
 * admin: { host: 0.0.0.0, port: 9090, tokenFile: admin.token }      # anything else: token required
 * }</pre>
 *
 * @param enabled   whether the admin listener is started
 * @param host      bind address, default {@code 127.0.0.1}
 * @param port      TCP port, 0..65535 (0 = chosen by the OS, used by tests), default 9090
 * @param tokenFile file holding the bearer token; null when none
 * @param tokenEnv  environment variable holding the bearer token; null when none
 */
public record AdminSettings(boolean enabled, String host, int port, Path tokenFile, String tokenEnv) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9090;
  /** What a policy without an {@code admin:} section means. */
  public static final AdminSettings DISABLED = new AdminSettings(false, DEFAULT_HOST, DEFAULT_PORT, null, null);

  public AdminSettings {
    if (tokenFile != null && tokenEnv != null) {
      throw new IllegalArgumentException("tokenFile and tokenEnv are exclusive");
    }
  }

  /** Enabled on loopback with the given port (0 in tests), no token. */
  public static AdminSettings loopback(int port) {
    return new AdminSettings(true, DEFAULT_HOST, port, null, null);
  }

  /** True when requests must carry the bearer token. */
  public boolean tokenRequired() {
    return tokenFile != null || tokenEnv != null;
  }

  /** True when {@link #host} is {@code localhost} or a literal loopback address (127.0.0.0/8, ::1). */
  public boolean loopbackOnly() {
    return isLoopback(host);
  }

  /** {@code localhost}, or a literal IPv4/IPv6 loopback address; host names are never resolved. */
  public static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    byte[] address = NetUtil.createByteArrayFromIpAddressString(h);
    if (address == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The policy's duration syntax ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 2d}), for {@code ?for=}. */
  public static Optional<Duration> parseDuration(String text) {
    return text == null ? Optional.empty() : Units.parseDuration(text);
  }
}
