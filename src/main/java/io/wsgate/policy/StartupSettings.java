package io.wsgate.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The part of a policy fixed when the gateway starts: what the listeners, the admin listener, the
 * audit trail, the cluster store and the file watcher were built with. A reload never changes it: a new policy whose
 * startup settings differ from the running ones is refused as a whole ({@link #differences}); the
 * rest of the policy ({@link RuntimePolicy}) is what reloads swap.
 *
 * @param listen                 {@code listen:} address, port and TLS settings; its certificate list
 *                               is the one part a reload may change (and the files are watched)
 * @param proxyProtocol          {@code listen.clients.proxyProtocol}: a PROXY header on every connection
 * @param maxMessageBytes        {@code limits.maxMessageBytes}: also Netty's frame and message cap
 * @param handshakeTimeout       {@code limits.handshakeTimeout}: TCP accept to a complete request head
 * @param upstreamConnectTimeout {@code limits.upstreamConnectTimeout}: the upstream client's connect timeout
 * @param watch                  {@code reload.watch}: poll the policy directory for changes
 * @param admin                  {@code admin:}
 * @param audit                  {@code audit:}
 * @param cluster                {@code cluster:}; {@link ClusterSettings#NONE} without one
 * @param probes                 {@code probes:}; {@link ProbeSettings#DISABLED} without one
 */
public record StartupSettings(Listener listen, boolean proxyProtocol, int maxMessageBytes, Duration handshakeTimeout,
                              Duration upstreamConnectTimeout, boolean watch, AdminSettings admin,
                              AuditSettings audit, ClusterSettings cluster, ProbeSettings probes) {
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 65536;
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_UPSTREAM_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final boolean DEFAULT_WATCH = true;

  public StartupSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(upstreamConnectTimeout, "upstreamConnectTimeout");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(probes, "probes");
  }

  /** Settings without a probes listener. */
  public StartupSettings(Listener listen, boolean proxyProtocol, int maxMessageBytes, Duration handshakeTimeout,
                         Duration upstreamConnectTimeout, boolean watch, AdminSettings admin, AuditSettings audit,
                         ClusterSettings cluster) {
    this(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch, admin, audit, cluster,
        ProbeSettings.DISABLED);
  }

  /** Settings of a gateway that is not part of a fleet. */
  public StartupSettings(Listener listen, boolean proxyProtocol, int maxMessageBytes, Duration handshakeTimeout,
                         Duration upstreamConnectTimeout, boolean watch, AdminSettings admin, AuditSettings audit) {
    this(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch, admin, audit,
        ClusterSettings.NONE);
  }

  /** The same settings listening on {@code port} instead ({@code run --listen PORT}). */
  public StartupSettings withPort(int port) {
    return new StartupSettings(new Listener(listen.host(), port, listen.tls()), proxyProtocol, maxMessageBytes,
        handshakeTimeout, upstreamConnectTimeout, watch, admin, audit, cluster, probes);
  }

  /** The same settings as a member of the fleet {@code settings} describes (tests, tools). */
  public StartupSettings withCluster(ClusterSettings settings) {
    return new StartupSettings(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch,
        admin, audit, settings, probes);
  }

  /** The same settings with another audit trail (tests, tools). */
  public StartupSettings withAudit(AuditSettings settings) {
    return new StartupSettings(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch,
        admin, settings, cluster, probes);
  }

  /** The same settings with another probes listener (tests, tools). */
  public StartupSettings withProbes(ProbeSettings settings) {
    return new StartupSettings(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch,
        admin, audit, cluster, settings);
  }

  /**
   * The policy fields whose values differ between the two, in policy order ({@code listen.port},
   * {@code limits.maxMessageBytes}, {@code admin}, ...); empty when a reload may proceed.
   */
  public List<String> differences(StartupSettings other) {
    List<String> out = new ArrayList<>();
    differ(out, "listen.host", listen.host(), other.listen.host());
    differ(out, "listen.port", listen.port(), other.listen.port());
    // The certificates are not fixed: a reload may add, remove or replace them (Gateway applies them).
    differ(out, "listen.tls", fixedTls(listen.tls()), fixedTls(other.listen.tls()));
    differ(out, "listen.clients.proxyProtocol", proxyProtocol, other.proxyProtocol);
    differ(out, "limits.maxMessageBytes", maxMessageBytes, other.maxMessageBytes);
    differ(out, "limits.handshakeTimeout", handshakeTimeout, other.handshakeTimeout);
    differ(out, "limits.upstreamConnectTimeout", upstreamConnectTimeout, other.upstreamConnectTimeout);
    differ(out, "reload.watch", watch, other.watch);
    differ(out, "admin", admin, other.admin);
    differ(out, "audit", audit, other.audit);
    differ(out, "cluster", cluster, other.cluster);
    differ(out, "probes", probes, other.probes);
    return out;
  }

  private static Object fixedTls(Tls tls) {
    return tls == null ? null : List.of(tls.devCertificate(), tls.engine());
  }

  private static void differ(List<String> out, String field, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      out.add(field);
    }
  }
}
