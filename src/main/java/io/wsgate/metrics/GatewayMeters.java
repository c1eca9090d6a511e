package io.wsgate.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import io.wsgate.Reason;
import io.wsgate.internal.VertxInternals;
import io.wsgate.limits.Revocations;
import io.wsgate.policy.Action;
import io.wsgate.policy.Direction;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's Prometheus metrics (names in {@code docs/metrics.md}). Counters are not kept twice:
 * each one reads the {@link GatewayMetrics} adder, the per-route traffic, the audit status or the
 * token verifier when scraped, so nothing on the message path touches Micrometer: live sessions'
 * message and byte counts are collected at each scrape ({@link LiveTraffic}). The only meters
 * written directly are the two latency timers, once per handshake and once per upstream connect.
 * The JVM, process and Netty allocator gauges are Micrometer's own binders.
 *
 * <pre>{@code
 * GatewayMeters meters = services.meters();
 * meters.handshake(true, request.receivedNanos());
 * String text = meters.scrape(); // Prometheus text format 0.0.4
 * }</pre>
 */
public final class GatewayMeters {
  /** Bucket bounds of both latency histograms: 1 ms .. 10 s. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final GatewayMetrics metrics;
  private final JwksCounts jwks;
  private final Timer handshakeAccepted;
  private final Timer handshakeRejected;
  private final Timer upstreamOk;
  private final Timer upstreamFailed;
  // Registered on first use, at scrape time (guarded by this): sparse series that would otherwise
  // be dozens of zeros.
  private final Set<Reason> monitorSeries = EnumSet.noneOf(Reason.class);
  private final Map<Action, Set<Reason>> refusalSeries = new EnumMap<>(Action.class);
  private final Map<String, List<Meter>> jwksSeries = new HashMap<>();
  private final TrafficSeries traffic = new TrafficSeries();
  private final LiveTraffic live = new LiveTraffic(traffic);
  private final Map<RouteTraffic, List<Meter>> trafficMeters = new HashMap<>();
  private final Map<RouteTraffic, Set<String>> closeSeries = new HashMap<>();
  private final PolicyView policy;
  private final Info policyInfo;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private String policyVersion;
  private final Map<List<String>, MemberValues> memberSeries = new HashMap<>();
  private UpstreamGauges upstreams;

  /**
   * @param current the policy snapshot in force (its token verifier counts JWKS fetches)
   */
  public GatewayMeters(GatewayMetrics metrics, QueueGauge audit, Revocations revocations, JwksCounts jwks,
                       PolicyView policy) {
    this.metrics = metrics;
    this.jwks = jwks;
    this.policy = policy;
    for (Action action : Action.values()) {
      refusalSeries.put(action, EnumSet.noneOf(Reason.class));
    }
    handshakeAccepted = latency("wsgate.handshake.duration", "accepted",
        "Upgrade request received until the client got 101 or a refusal");
    handshakeRejected = latency("wsgate.handshake.duration", "rejected",
        "Upgrade request received until the client got 101 or a refusal");
    upstreamOk = latency("wsgate.upstream.connect.duration", "ok",
        "Upstream TCP + TLS + WebSocket handshake, failover included");
    upstreamFailed = latency("wsgate.upstream.connect.duration", "failed",
        "Upstream TCP + TLS + WebSocket handshake, failover included");

    // Strong references only: Micrometer holds the objects below weakly, and they live as long as
    // the gateway's services do.
    FunctionCounter.builder("wsgate.handshakes", metrics, GatewayMetrics::acceptedTotal)
        .description("Upgrade requests by outcome; reason is the refusal's tag (none when accepted)")
        .tags("outcome", "accepted", "reason", "none").register(registry);
    for (Reason reason : Reason.values()) {
      if (reason.kind() == Reason.Kind.HTTP) {
        // Only the audit's rejected() counts HTTP reasons, so their outcome count is the rejection count.
        FunctionCounter.builder("wsgate.handshakes", metrics, m -> m.outcomes(reason))
            .description("Upgrade requests by outcome; reason is the refusal's tag (none when accepted)")
            .tags("outcome", "rejected", "reason", reason.tag()).register(registry);
      }
    }
    for (ReloadOutcome outcome : ReloadOutcome.values()) {
      FunctionCounter.builder("wsgate.policy.reloads", metrics, m -> m.reloads(outcome))
          .description("Policy reloads by outcome").tag("outcome", outcome.tag()).register(registry);
    }
    Gauge.builder("wsgate.policy.loaded.timestamp.seconds", policy, p -> epochSeconds(p.loadedAt()))
        .description("When the policy in force was built: at start, or by the last reload that succeeded")
        .register(registry);
    Gauge.builder("wsgate.policy.last.reload.successful", metrics,
            m -> m.lastReload() == null || m.lastReload().outcome() == ReloadOutcome.OK ? 1 : 0)
        .description("1 unless the last reload failed or was refused (then the previous policy is still in force)")
        .register(registry);
    Gauge.builder("wsgate.policy.last.reload.timestamp.seconds", metrics,
            m -> m.lastReload() == null ? 0 : m.lastReload().epochMillis() / 1000.0)
        .description("When the last reload attempt ended, whatever its outcome (0: none since start)")
        .register(registry);
    Gauge.builder("wsgate.revocations", revocations, Revocations::size)
        .description("Subjects whose revocation is held (some may have just expired)").register(registry);
    FunctionCounter.builder("wsgate.revocations.refused", revocations, Revocations::refusedTotal)
        .description("Revocations refused because the list was full").register(registry);
    Gauge.builder("wsgate.audit.queue.depth", audit, QueueGauge::queueDepth)
        .description("Audit events waiting to be written").register(registry);
    Gauge.builder("wsgate.audit.queue.capacity", audit, QueueGauge::queueCapacity)
        .description("Most audit events the queue holds (0: written synchronously)").register(registry);
    FunctionCounter.builder("wsgate.audit.dropped", audit, QueueGauge::dropped)
        .description("Audit events lost because the queue was full or the writer failed").register(registry);

    FunctionCounter.builder("wsgate.audit.syslog.dropped", metrics, GatewayMetrics::syslogDrops)
        .description("Audit records not copied to syslog because its queue was full (they are in the files)")
        .register(registry);
    BuildInfo build = BuildInfo.current();
    Info.builder().name("wsgate_build_info").help("The version and commit of this build (always 1)")
        .labelNames("version", "commit").register(registry.getPrometheusRegistry())
        .setLabelValues(build.version(), build.commit());
    policyInfo = Info.builder().name("wsgate_policy_info").help("The version of the policy in force (always 1)")
        .labelNames("version").register(registry.getPrometheusRegistry());

    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    // The allocator Vert.x gives every client and upstream connection: Netty's default (adaptive
    // since Netty 4.2, pooled with -Dio.netty.allocator.type=pooled), not PooledByteBufAllocator.DEFAULT.
    if (VertxInternals.transportAllocator() instanceof ByteBufAllocatorMetricProvider allocator) {
      new NettyAllocatorMetrics(allocator).bindTo(registry);
    }
  }

  private static double epochSeconds(Instant instant) {
    return instant == null ? 0 : instant.toEpochMilli() / 1000.0;
  }

  /** A session went live: its traffic is counted under its route and upstream from now on. */
  public void sessionStarted(String id, SessionCounts counts) {
    live.started(id, counts);
  }

  /**
   * A session ended (call on its event loop, where its counts are final): the rest of its traffic
   * and its end are counted.
   *
   * @param reason null when a peer closed normally
   */
  public void sessionEnded(String id, Reason reason) {
    live.ended(id, reason);
  }

  /** Stops what the binders hold in the JVM (the GC notification listeners). */
  public void close() {
    gc.close();
  }

  private Timer latency(String name, String outcome, String description) {
    return Timer.builder(name).description(description).tag("outcome", outcome)
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
  }

  /** The fleet's gauges, for a gateway whose policy has a {@code cluster:} section; call once. */
  public void fleet(FleetGauges fleet) {
    Gauge.builder("wsgate.cluster.store.up", fleet, f -> f.storeUp() ? 1 : 0)
        .description("1 while the cluster store answers, 0 while it is down, slow or out of reach")
        .tag("node", fleet.node()).register(registry);
    for (FleetGauges.Limit limit : FleetGauges.Limit.values()) {
      FunctionCounter.builder("wsgate.cluster.fallbacks", fleet, f -> f.fallbacks(limit))
          .description("Decisions this node took with its own state because the cluster store could not be asked")
          .tag("limit", limit.tag()).register(registry);
    }
    Gauge.builder("wsgate.cluster.nodes", fleet, FleetGauges::liveNodes)
        .description("Gateways of the fleet heard from within the liveness window").register(registry);
    Gauge.builder("wsgate.cluster.policy.versions", fleet, FleetGauges::policyVersions)
        .description("Distinct policy versions among the live gateways (more than 1: they disagree)").register(registry);
  }

  /** One upgrade request answered; {@code startNanos} is when it arrived ({@link System#nanoTime()}). */
  public void handshake(boolean accepted, long startNanos) {
    (accepted ? handshakeAccepted : handshakeRejected).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** The members' gauges ({@code wsgate_upstream_member_up} and {@code _sessions}); call once. */
  public synchronized void upstreams(UpstreamGauges gauges) {
    this.upstreams = gauges;
  }

  /** One upstream connect finished (after any failover); {@code startNanos} is when it began. */
  public void upstreamConnect(boolean ok, long startNanos) {
    (ok ? upstreamOk : upstreamFailed).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** Every metric in the Prometheus text format (version 0.0.4). */
  public synchronized String scrape() {
    live.flush();
    registerTrafficSeries();
    registerPolicyInfo();
    registerSparseSeries();
    registerJwksSeries();
    registerMemberSeries();
    return registry.scrape();
  }

  /** The content type of {@link #scrape()}. */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  private void registerPolicyInfo() {
    String version = policy.version();
    if (version != null && !version.equals(policyVersion)) {
      policyVersion = version;
      policyInfo.setLabelValues(version);
    }
  }

  /**
   * The {@code route}/{@code upstream} series: those of every pair the policy configures, those of
   * sessions counted under "other", and none of a pair {@link TrafficSeries} dropped.
   */
  private void registerTrafficSeries() {
    for (RouteTraffic dropped : traffic.sync(policy.routes(), System.nanoTime())) {
      trafficMeters.remove(dropped).forEach(registry::remove);
      closeSeries.remove(dropped);
    }
    for (RouteTraffic t : traffic.all()) {
      Tags pair = Tags.of("route", t.route, "upstream", t.upstream);
      List<Meter> meters = trafficMeters.computeIfAbsent(t, k -> new ArrayList<>());
      if (meters.isEmpty()) {
        meters.add(Gauge.builder("wsgate.sessions.active", t, r -> r.active.sum())
            .description("Live proxied sessions").tags(pair).register(registry));
        relayed(meters, t, pair, Direction.TO_UPSTREAM, t.messagesToUpstream, t.bytesToUpstream);
        relayed(meters, t, pair, Direction.TO_CLIENT, t.messagesToClient, t.bytesToClient);
      }
      Set<String> closes = closeSeries.computeIfAbsent(t, k -> new HashSet<>());
      if (t.closes(null) > 0 && closes.add("peer_closed")) {
        meters.add(closed(t, pair, null, "peer_closed"));
      }
      for (Reason reason : Reason.values()) {
        if (reason.kind() != Reason.Kind.HTTP && t.closes(reason) > 0 && closes.add(reason.tag())) {
          meters.add(closed(t, pair, reason, reason.tag()));
        }
      }
    }
  }

  private void relayed(List<Meter> meters, RouteTraffic t, Tags pair, Direction direction,
                       LongAdder messages, LongAdder bytes) {
    Tags tags = pair.and("direction", direction.metricTag());
    meters.add(FunctionCounter.builder("wsgate.messages", messages, LongAdder::sum)
        .description("Data messages relayed, counted while sessions are live").tags(tags).register(registry));
    meters.add(FunctionCounter.builder("wsgate.message.bytes", bytes, LongAdder::sum)
        .description("Payload bytes relayed, counted while sessions are live").tags(tags).register(registry));
  }

  private Meter closed(RouteTraffic t, Tags pair, Reason reason, String tag) {
    return FunctionCounter.builder("wsgate.sessions.closed", t, r -> r.closes(reason))
        .description("Ended sessions by reason (peer_closed: a peer closed normally)")
        .tags(pair.and("reason", tag)).register(registry);
  }

  private void registerSparseSeries() {
    for (Reason reason : Reason.values()) {
      if (metrics.monitoredTotal(reason) > 0 && monitorSeries.add(reason)) {
        FunctionCounter.builder("wsgate.monitor.hits", metrics, m -> m.monitoredTotal(reason))
            .description("Checks in monitor mode that would have refused (handshake guards and message rules)")
            .tag("reason", reason.tag()).register(registry);
      }
      for (Action action : Action.values()) {
        if (metrics.refusals(reason, action) > 0 && refusalSeries.get(action).add(reason)) {
          FunctionCounter.builder("wsgate.message.refusals", metrics, m -> m.refusals(reason, action))
              .description("Messages refused by a message rule, by reason and the rule's action")
              .tags("reason", reason.tag(), "action", action.tag()).register(registry);
        }
      }
    }
  }

  /** One pair of counters per JWKS issuer of the policy in force; an issuer removed by a reload goes away. */
  private void registerJwksSeries() {
    Set<String> names = new TreeSet<>(jwks.issuers());
    jwksSeries.entrySet().removeIf(entry -> {
      if (names.contains(entry.getKey())) {
        return false;
      }
      entry.getValue().forEach(registry::remove);
      return true;
    });
    for (String name : names) {
      jwksSeries.computeIfAbsent(name, n -> List.of(
          FunctionCounter.builder("wsgate.jwks.fetches", this, m -> m.jwks(n, false))
              .description("JWKS fetches completed (succeeded or failed), by issuer; restarts at 0 on a policy reload")
              .tag("issuer", n).register(registry),
          FunctionCounter.builder("wsgate.jwks.failures", this, m -> m.jwks(n, true))
              .description("JWKS fetches that failed, by issuer; restarts at 0 on a policy reload")
              .tag("issuer", n).register(registry)));
    }
  }

  /** Last scrape's values of one member's gauges, which read them (strongly held here: Micrometer holds weakly). */
  private static final class MemberValues {
    volatile double up;
    volatile double sessions;
    List<Meter> meters;
  }

  /** One pair of gauges per member of the policy in force; a member removed by a reload goes away. */
  private void registerMemberSeries() {
    if (upstreams == null) {
      return;
    }
    Map<List<String>, UpstreamGauges.Member> now = new HashMap<>();
    for (UpstreamGauges.Member m : upstreams.members()) {
      now.putIfAbsent(List.of(m.route(), m.match(), m.member()), m);
    }
    memberSeries.entrySet().removeIf(entry -> {
      if (now.containsKey(entry.getKey())) {
        return false;
      }
      entry.getValue().meters.forEach(registry::remove);
      return true;
    });
    now.forEach((key, m) -> {
      MemberValues values = memberSeries.computeIfAbsent(key, k -> {
        MemberValues v = new MemberValues();
        v.meters = List.of(
            Gauge.builder("wsgate.upstream.member.up", v, x -> x.up)
                .description("1 while an upstream member takes new sessions, 0 while it cools down or its health check says down")
                .tags("route", k.get(0), "match", k.get(1), "member", k.get(2)).register(registry),
            Gauge.builder("wsgate.upstream.member.sessions", v, x -> x.sessions)
                .description("Live sessions on an upstream member, with the dials in flight to it")
                .tags("route", k.get(0), "match", k.get(1), "member", k.get(2)).register(registry));
        return v;
      });
      values.up = m.up() ? 1 : 0;
      values.sessions = m.sessions();
    });
  }

  private double jwks(String issuer, boolean failures) {
    return failures ? jwks.failures(issuer) : jwks.fetches(issuer);
  }
}
