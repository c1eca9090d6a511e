package io.wsgate;

import io.wsgate.metrics.UpstreamGauges;
import io.wsgate.metrics.GatewayMeters;
import io.wsgate.audit.AuditLog;
import io.wsgate.limits.ConnectionCounter;
import io.wsgate.metrics.JwksCounts;
import io.wsgate.metrics.PolicyView;
import io.wsgate.policy.Issuer;
import io.wsgate.limits.ConnectionScope;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.RevocationUpdates;
import io.wsgate.limits.Revocations;
import io.wsgate.token.KeySources;
import io.wsgate.upstream.UpstreamPool;
import io.wsgate.session.SessionEvents;
import io.wsgate.session.SessionRegistry;
import io.wsgate.upstream.UpstreamMembers;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every listener instance shares and what outlives a policy snapshot: the current snapshot,
 * live sessions, the global cap, per-IP and per-subject connection counts, revocations, the audit, the metrics.
 */
public final class GatewayServices {
  private final AtomicReference<CompiledPolicy> current = new AtomicReference<>();
  private final SessionRegistry sessions = new SessionRegistry();
  private final Revocations revocations;
  private final RevocationUpdates revocationUpdates;
  private final RateLimitBackend limits;
  private final KeySources keySources;
  private final AuditLog audit;
  private final GatewayMeters meters;
  private final SessionEvents sessionEvents = new GatewaySessionEvents(this);
  private final UpstreamMembers upstreamMembers = new UpstreamMembers();
  private volatile Reason drainReason;

  /**
   * @param keySources        the JWKS caches, kept across snapshots like the limiters
   * @param revocations       this node's revocation list, which every decision reads
   * @param limits            where rate buckets and connection counts live (this process, or a fleet's store)
   * @param revocationUpdates who changes the revocation list (this process, or the fleet through its store)
   */
  public GatewayServices(AuditLog audit, KeySources keySources, Revocations revocations, RateLimitBackend limits,
                         RevocationUpdates revocationUpdates) {
    this.audit = audit;
    this.limits = limits;
    this.keySources = keySources;
    this.revocations = revocations;
    this.revocationUpdates = revocationUpdates;
    this.meters = new GatewayMeters(audit.metrics(), audit.status(), revocations, new PolicyJwksCounts(),
        new PolicyMetricsView());
    meters.upstreams(this::upstreamGauges);
  }

  public CompiledPolicy current() {
    return current.get();
  }

  /** @return the snapshot it replaced (null the first time) */
  public CompiledPolicy swap(CompiledPolicy next) {
    return current.getAndSet(next);
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  /** What sessions report to: the registry, the audit, the metrics. */
  public SessionEvents sessionEvents() {
    return sessionEvents;
  }

  /** The global cap's count ({@code limits.maxConnections}), under {@link ConnectionScope#GLOBAL_KEY}. */
  public ConnectionCounter slots() {
    return limits.connections(ConnectionScope.GLOBAL);
  }

  /** Sessions (and handshakes past the cap check) counted against {@code limits.maxConnections} now. */
  public int globalConnections() {
    return slots().count(ConnectionScope.GLOBAL_KEY);
  }

  /** This node's revocation list: what handshakes, re-authentication and late sessions are judged by. */
  public Revocations revocations() {
    return revocations;
  }

  /** Revokes and lifts: in this process, or through the fleet's store (which keeps {@link #revocations()} in step). */
  public RevocationUpdates revocationUpdates() {
    return revocationUpdates;
  }

  public ConnectionCounter ipConnections() {
    return limits.connections(ConnectionScope.PER_IP);
  }

  public ConnectionCounter subjectConnections() {
    return limits.connections(ConnectionScope.PER_SUBJECT);
  }

  /** Routes' own caps ({@code routes[].connections}): per route, per address and per subject on a route. */
  public ConnectionCounter routeConnections() {
    return limits.connections(ConnectionScope.PER_ROUTE);
  }

  /** Rate buckets (per IP, global, per subject) and connection counts, kept across snapshots while their rule is unchanged. */
  public RateLimitBackend limits() {
    return limits;
  }

  /** JWKS caches, kept across snapshots while their issuer is unchanged. */
  public KeySources keySources() {
    return keySources;
  }

  public AuditLog audit() {
    return audit;
  }

  /** The Prometheus metrics: latency timers and views of the counters above. */
  public GatewayMeters meters() {
    return meters;
  }

  /** Every route's upstream members with their session counts and health, kept across snapshots. */
  public UpstreamMembers upstreamMembers() {
    return upstreamMembers;
  }

  public boolean draining() {
    return drainReason != null;
  }

  /** The close reason for sessions while draining, or null when not draining. */
  public Reason drainReason() {
    return drainReason;
  }

  public void startDraining(Reason reason) {
    drainReason = reason;
  }

  /** The members of the snapshot in force, for {@code /metrics}. */
  private List<UpstreamGauges.Member> upstreamGauges() {
    CompiledPolicy snapshot = current();
    if (snapshot == null) {
      return List.of();
    }
    return snapshot.upstreamGauges();
  }

  /** The JWKS counts of the snapshot in force (they restart at 0 with each snapshot's verifier). */
  private final class PolicyJwksCounts implements JwksCounts {
    @Override
    public Set<String> issuers() {
      CompiledPolicy snapshot = current();
      if (snapshot == null) {
        return Set.of();
      }
      Set<String> names = new TreeSet<>();
      for (Issuer issuer : snapshot.policy().security().issuers()) {
        if (issuer.keys() != null && issuer.keys().jwksUrl() != null) {
          names.add(issuer.name());
        }
      }
      return names;
    }

    @Override
    public long fetches(String issuer) {
      CompiledPolicy snapshot = current();
      return snapshot == null ? 0 : snapshot.tokens().jwksFetches(issuer);
    }

    @Override
    public long failures(String issuer) {
      CompiledPolicy snapshot = current();
      return snapshot == null ? 0 : snapshot.tokens().jwksFailures(issuer);
    }
  }

  /** The snapshot in force, for the policy and per-route metrics. */
  private final class PolicyMetricsView implements PolicyView {
    @Override
    public String version() {
      CompiledPolicy snapshot = current();
      return snapshot == null ? null : snapshot.policy().version();
    }

    @Override
    public Instant loadedAt() {
      CompiledPolicy snapshot = current();
      return snapshot == null ? null : snapshot.builtAt();
    }

    @Override
    public Map<String, List<String>> routes() {
      CompiledPolicy snapshot = current();
      Map<String, List<String>> routes = new LinkedHashMap<>();
      if (snapshot != null) {
        snapshot.policy().routes().forEach(route -> routes.put(route.id(),
            route.upstreams().stream().map(UpstreamPool::label).toList()));
      }
      return routes;
    }
  }
}
