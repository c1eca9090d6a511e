package io.wsgate.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One complete, validated policy snapshot, parsed from {@code policies/gateway.yaml}: the settings
 * fixed at start ({@link StartupSettings}) and the part a reload may change ({@link RuntimePolicy}).
 * Immutable; the running gateway swaps whole snapshots, never edits one, and refuses a reload whose
 * startup part differs from the running one.
 *
 * @param version  a short content hash of the files it was built from (audit: which policy decided)
 * @param source   the directory (or file) the snapshot was loaded from
 */
public record GatewayPolicy(String version, Path source, StartupSettings startup, RuntimePolicy runtime) {
  public GatewayPolicy {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(startup, "startup");
    Objects.requireNonNull(runtime, "runtime");
  }

  /** The same policy with other startup settings (command-line overrides such as {@code --listen}). */
  public GatewayPolicy withStartup(StartupSettings settings) {
    return new GatewayPolicy(version, source, settings, runtime);
  }

  public Listener listen() {
    return startup.listen();
  }

  /** The admin listener; {@link AdminSettings#DISABLED} when the policy has no {@code admin:}. */
  public AdminSettings admin() {
    return startup.admin();
  }

  /** Where the audit trail goes. */
  public AuditSettings audit() {
    return startup.audit();
  }

  /** The fleet's store; {@link ClusterSettings#NONE} when the policy has no {@code cluster:}. */
  public ClusterSettings cluster() {
    return startup.cluster();
  }

  public List<Route> routes() {
    return runtime.routes();
  }

  public Limits limits() {
    return runtime.limits();
  }

  public Shutdown shutdown() {
    return runtime.shutdown();
  }

  public Dev dev() {
    return runtime.dev();
  }

  public Security security() {
    return runtime.security();
  }
}
