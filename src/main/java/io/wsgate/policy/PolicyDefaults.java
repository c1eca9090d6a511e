package io.wsgate.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every default the loader applies, written as a policy would write it, by field: {@code a.b} for
 * nested keys, {@code *} for any name in a name → value map ({@code issuers.*.clockSkew}) and
 * {@code []} for any item of a list ({@code routes[].match}); durations as {@link java.time.Duration}s, the
 * rest as JSON values. Built from the constants the loader
 * reads, so it cannot drift from them; {@code GatewaySchemaTest} checks that
 * {@code gateway.schema.json}'s {@code default}s and {@code policies/README.md}'s tables say exactly this.
 */
final class PolicyDefaults {
  static final Map<String, Object> ALL = build();

  private PolicyDefaults() {
  }

  private static Map<String, Object> build() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("listen.host", ListenerSection.DEFAULT_HOST);
    d.put("listen.port", ListenerSection.DEFAULT_PORT);
    d.put("listen.plain", false);
    d.put("listen.tls.devCertificate", false);
    d.put("listen.tls.engine", Tls.DEFAULT_ENGINE.key());
    d.put("listen.clients.deny", List.of());
    d.put("listen.clients.trustedProxies", List.of());
    d.put("listen.clients.proxyProtocol", false);
    d.put("listen.clients.mode", mode());
    // listeners[] entries have listen's keys and defaults (and name, which has none)
    new java.util.ArrayList<>(d.keySet()).forEach(k -> d.put("listeners[]." + k.substring("listen.".length()), d.get(k)));
    d.put("issuers.*.clockSkew", Issuer.DEFAULT_CLOCK_SKEW);
    d.put("issuers.*.maxTokenBytes", Issuer.DEFAULT_MAX_TOKEN_BYTES);
    d.put("issuers.*.keys.refresh", KeySource.DEFAULT_REFRESH);
    d.put("issuers.*.keys.minRefetch", KeySource.DEFAULT_MIN_REFETCH);
    d.put("issuers.*.keys.fetchTimeout", KeySource.DEFAULT_FETCH_TIMEOUT);
    d.put("issuers.*.keys.generateDevKey", false);
    d.put("connections.trackedKeys", ConnectionLimits.NONE.maxTrackedKeys());
    d.put("connections.mode", mode());
    d.put("routes[].match", RouteSection.DEFAULT_MATCH);
    d.put("routes[].forwardHeaders", HeaderNames.DEFAULT_FORWARD);
    d.put("routes[].upstreamCooldown", RouteSection.DEFAULT_COOLDOWN);
    d.put("routes[].clients.deny", List.of());
    d.put("routes[].clients.mode", mode());
    d.put("routes[].origins.allowMissing", false);
    d.put("routes[].origins.allowNull", false);
    d.put("routes[].origins.mode", mode());
    d.put("routes[].auth.anonymous", false);
    d.put("routes[].auth.tokenFrom", RouteSecuritySection.DEFAULT_TOKEN_SOURCES.stream().map(TokenSource::policyText).toList());
    d.put("routes[].auth.scopes", List.of());
    d.put("routes[].auth.roles", List.of());
    d.put("routes[].auth.claims", Map.of());
    d.put("routes[].auth.subjectHeader", RouteSecuritySection.DEFAULT_SUBJECT_HEADER);
    d.put("routes[].auth.forwardClaims", Map.of());
    d.put("routes[].auth.reauth", false);
    d.put("routes[].auth.mode", mode());
    d.put("routes[].connections.mode", mode());
    d.put("routes[].clientCert.identity", ClientCertSection.DEFAULT_IDENTITY);
    balancing(d);
    for (String direction : MessageRulesSection.KEYS) {
      String rule = "routes[].messages." + direction + "[]";
      d.put(rule + ".mode", mode());
      d.put(rule + ".rate.per", MessageRulesSection.DEFAULT_PER);
      d.put(rule + ".rateByField.per", MessageRulesSection.DEFAULT_PER);
      d.put(rule + ".json.maxDepth", MessageRulesSection.DEFAULT_MAX_DEPTH);
    }
    Limits l = PolicyParser.DEFAULT_LIMITS;
    d.put("limits.maxMessageBytes", StartupSettings.DEFAULT_MAX_MESSAGE_BYTES);
    d.put("limits.idleTimeout", l.idleTimeout());
    d.put("limits.maxLifetime", l.maxLifetime());
    d.put("limits.maxConnections", l.maxConnections());
    d.put("limits.handshakeTimeout", StartupSettings.DEFAULT_HANDSHAKE_TIMEOUT);
    d.put("limits.upstreamConnectTimeout", StartupSettings.DEFAULT_UPSTREAM_CONNECT_TIMEOUT);
    d.put("limits.pingInterval", l.pingInterval());
    d.put("limits.maxControlFramesPerSecond", l.frames().controlFrames().permits());
    d.put("limits.controlFrameBurst", l.frames().controlFrames().burst());
    d.put("limits.freeFragments", l.frames().freeFragments());
    d.put("limits.minAverageFragmentBytes", l.frames().minAverageFragmentBytes());
    d.put("limits.sendTimeout", l.sendTimeout());
    d.put("limits.maxReauthPerMinute", l.maxReauthPerMinute());
    Shutdown s = PolicyParser.DEFAULT_SHUTDOWN;
    d.put("shutdown.closeCode", s.closeCode());
    d.put("shutdown.drainWindow", s.drainWindow());
    d.put("shutdown.drainTimeout", s.drainTimeout());
    d.put("shutdown.readinessGrace", s.readinessGrace());
    d.put("reload.recheckSessions", false);
    d.put("reload.removedRoutes", "close");
    d.put("reload.watch", StartupSettings.DEFAULT_WATCH);
    d.put("dev.demoPage", false);
    d.put("admin.enabled", true);
    d.put("admin.host", AdminSettings.DEFAULT_HOST);
    d.put("admin.port", AdminSettings.DEFAULT_PORT);
    d.put("probes.host", ProbeSettings.DEFAULT_HOST);
    d.put("probes.port", ProbeSettings.DEFAULT_PORT);
    d.put("audit.rotateBytes", Units.compactSize(AuditSettings.DEFAULT_ROTATE_BYTES));
    d.put("audit.queueSize", AuditSettings.DEFAULT_QUEUE_SIZE);
    d.put("audit.flushInterval", AuditSettings.DEFAULT_FLUSH_INTERVAL);
    d.put("audit.onFailure", AuditSection.ON_FAILURE.get(0));
    d.put("audit.console", false);
    d.put("audit.checkpointInterval", CheckpointSettings.DEFAULT_INTERVAL);
    d.put("audit.checkpointLog", CheckpointSettings.DEFAULT.log());
    d.put("audit.syslog.transport", AuditSection.TRANSPORTS.get(0));
    d.put("audit.syslog.appName", SyslogSettings.DEFAULT_APP_NAME);
    d.put("audit.syslog.facility", SyslogSettings.DEFAULT_FACILITY);
    d.put("audit.syslog.queueSize", SyslogSettings.DEFAULT_QUEUE_SIZE);
    d.put("cluster.onStoreFailure", ClusterSettings.DEFAULT_ON_STORE_FAILURE.policyName());
    d.put("cluster.storeTimeout", ClusterSettings.DEFAULT_STORE_TIMEOUT);
    d.put("cluster.leaseTtl", ClusterSettings.DEFAULT_LEASE_TTL);
    d.put("cluster.syncPeriod", ClusterSettings.DEFAULT_SYNC_PERIOD);
    return d;
  }

  private static void balancing(Map<String, Object> d) {
    d.put("routes[].balance", BalancingSection.DEFAULT_STRATEGY.policyName());
    d.put("routes[].slowStart", BalancingSection.DEFAULT_SLOW_START);
    d.put("routes[].healthCheck.type", BalancingSection.DEFAULT_CHECK_TYPE.policyName());
    d.put("routes[].healthCheck.path", BalancingSection.DEFAULT_CHECK_PATH);
    d.put("routes[].healthCheck.interval", BalancingSection.DEFAULT_CHECK_INTERVAL);
    d.put("routes[].healthCheck.timeout", BalancingSection.DEFAULT_CHECK_TIMEOUT);
    d.put("routes[].healthCheck.healthyAfter", BalancingSection.DEFAULT_HEALTHY_AFTER);
    d.put("routes[].healthCheck.unhealthyAfter", BalancingSection.DEFAULT_UNHEALTHY_AFTER);
  }

  private static String mode() {
    return Mode.DEFAULT.policyName();
  }
}
