package io.wsgate.audit;

import io.wsgate.policy.AuditSettings;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The {@code node} every audit record carries: which gateway decided. The policy's
 * {@code audit.nodeId}, else the {@value #ENV} environment variable, else the host name.
 *
 * <pre>{@code
 * String node = NodeId.resolve(settings.nodeId(), System::getenv); // "gw-eu-1"
 * }</pre>
 */
public final class NodeId {
  /** The environment variable that names the node when the policy does not. */
  public static final String ENV = "WSGATE_NODE_ID";
  private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private NodeId() {
  }

  /**
   * @param configured the policy's {@code audit.nodeId} (already validated), or null
   * @throws IllegalStateException when the environment variable is set to something that is not a valid id
   */
  public static String resolve(String configured, Function<String, String> env) {
    if (configured != null) {
      return configured;
    }
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      if (!AuditSettings.NODE_ID.matcher(fromEnv).matches()) {
        throw new IllegalStateException(ENV + " " + AuditSettings.NODE_ID_RULE + ", got "
            + AuditFormat.safe(fromEnv.length() > 80 ? fromEnv.substring(0, 80) + "..." : fromEnv));
      }
      return fromEnv;
    }
    return hostName();
  }

  /** The host name, made a valid id (other characters become {@code -}); {@code unknown} when there is none. */
  static String hostName() {
    String name = null;
    try {
      // Read from the kernel where there is one: the JDK's lookup may wait on DNS.
      name = Files.readString(KERNEL_HOSTNAME, StandardCharsets.UTF_8).trim();
    } catch (IOException | SecurityException e) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (IOException | SecurityException e2) {
        // fall through
      }
    }
    return sanitize(name);
  }

  static String sanitize(String name) {
    if (name == null) {
      return "unknown";
    }
    String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
    if (cleaned.length() > 64) {
      cleaned = cleaned.substring(0, 64);
    }
    return cleaned.isEmpty() ? "unknown" : cleaned;
  }
}
