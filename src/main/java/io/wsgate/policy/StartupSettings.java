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
 * @param listeners              every client listener, in policy order ({@code listeners:}); empty or null: the
 *                               one {@code listen:} describes, named {@link NamedListener#DEFAULT_NAME}. When
 *                               given, {@code listen} and {@code proxyProtocol} are taken from its first entry.
 */
public record StartupSettings(Listener listen, boolean proxyProtocol, int maxMessageBytes, Duration handshakeTimeout,
                              Duration upstreamConnectTimeout, boolean watch, AdminSettings admin,
                              AuditSettings audit, ClusterSettings cluster, ProbeSettings probes,
                              List<NamedListener> listeners) {
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 65536;
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_UPSTREAM_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final boolean DEFAULT_WATCH = true;

  public StartupSettings {
    if (listeners == null || listeners.isEmpty()) {
      Objects.requireNonNull(listen, "listen");
      listeners = List.of(new NamedListener(NamedListener.DEFAULT_NAME, listen, proxyProtocol));
    } else {
      listeners = List.copyOf(listeners);
      listen = listeners.get(0).listen();
      proxyProtocol = listeners.get(0).proxyProtocol();
    }
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(upstreamConnectTimeout, "upstreamConnectTimeout");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(probes, "probes");
  }

  /** Settings with the one listener {@code listen:} describes. */
  public StartupSettings(Listener listen, boolean proxyProtocol, int maxMessageBytes, Duration handshakeTimeout,
                         Duration upstreamConnectTimeout, boolean watch, AdminSettings admin, AuditSettings audit,
                         ClusterSettings cluster, ProbeSettings probes) {
    this(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch, admin, audit, cluster,
        probes, List.of());
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

  /** The same settings with the first listener on {@code port} instead ({@code run --listen PORT}). */
  public StartupSettings withPort(int port) {
    List<NamedListener> moved = new ArrayList<>(listeners);
    moved.set(0, listeners.get(0).withPort(port));
    return withListeners(moved);
  }

  /** The same settings with other client listeners (the first gives {@code listen}). */
  public StartupSettings withListeners(List<NamedListener> others) {
    return new StartupSettings(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch,
        admin, audit, cluster, probes, others);
  }

  /** The same settings as a member of the fleet {@code settings} describes (tests, tools). */
  public StartupSettings withCluster(ClusterSettings settings) {
    return new StartupSettings(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch,
        admin, audit, settings, probes, listeners);
  }

  /** The same settings with another audit trail (tests, tools). */
  public StartupSettings withAudit(AuditSettings settings) {
    return new StartupSettings(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch,
        admin, settings, cluster, probes, listeners);
  }

  /** The same settings with another probes listener (tests, tools). */
  public StartupSettings withProbes(ProbeSettings settings) {
    return new StartupSettings(listen, proxyProtocol, maxMessageBytes, handshakeTimeout, upstreamConnectTimeout, watch,
        admin, audit, cluster, settings, listeners);
  }

  /**
   * The policy fields whose values differ between the two, in policy order ({@code listen.port},
   * {@code limits.maxMessageBytes}, {@code admin}, ...); empty when a reload may proceed.
   */
  public List<String> differences(StartupSettings other) {
    List<String> out = new ArrayList<>();
    List<String> names = listeners.stream().map(NamedListener::name).toList();
    if (!names.equals(other.listeners.stream().map(NamedListener::name).toList())) {
      out.add("listeners");
    } else {
      for (int i = 0; i < listeners.size(); i++) {
        NamedListener a = listeners.get(i);
        NamedListener b = other.listeners.get(i);
        String at = field(a);
        differ(out, at + ".host", a.listen().host(), b.listen().host());
        differ(out, at + ".port", a.listen().port(), b.listen().port());
        // The certificates are not fixed: a reload may add, remove or replace them (Gateway applies them).
        differ(out, at + ".tls", fixedTls(a.listen().tls()), fixedTls(b.listen().tls()));
        differ(out, at + ".clients.proxyProtocol", a.proxyProtocol(), b.proxyProtocol());
      }
    }
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

  /** The one listener {@code listen:} describes (and not a {@code listeners:} list). */
  private boolean isDefaultOnly() {
    return listeners.size() == 1 && listeners.get(0).name().equals(NamedListener.DEFAULT_NAME);
  }

  /**
   * Where {@code listener} is written in the policy, for messages: {@code listen}, or {@code listeners[i]}.
   */
  public String field(NamedListener listener) {
    return isDefaultOnly() ? "listen" : "listeners[" + listeners.indexOf(listener) + "]";
  }

  /** The listener named {@code name}, or null. */
  public NamedListener listener(String name) {
    return listeners.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
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
