package io.wsgate.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One complete, validated policy snapshot, parsed from {@code policies/gateway.yaml}.
 * Immutable; the running gateway swaps whole snapshots, never edits one.
 *
 * @param version  a short content hash of the files it was built from (audit: which policy decided)
 * @param source   the directory (or file) the snapshot was loaded from
 * @param admin    the admin listener; {@link AdminSettings#DISABLED} when the policy has no {@code admin:}
 * @param audit    where the audit trail goes; read once at start (a reload that changes it needs a restart)
 */
public record GatewayPolicy(String version, Path source, Listener listen, List<Route> routes, Limits limits,
                            Shutdown shutdown, Dev dev, Security security, AdminSettings admin,
                            AuditSettings audit) {
  public GatewayPolicy {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(listen, "listen");
    routes = List.copyOf(routes);
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(dev, "dev");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(audit, "audit");
  }
}
