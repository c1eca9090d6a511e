package io.wsgate.upstream;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.wsgate.policy.Balancing;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The active health checks of the policy in force: one {@link MemberHealth} per member of each
 * route with a {@code healthCheck}. {@link #apply} is called with each new snapshot's pools: a
 * member whose check is unchanged keeps its timer and counts, the others are started or stopped.
 * Everything runs on one event-loop context.
 */
public final class HealthChecks {
  private final Vertx vertx;
  private final Context context;
  private final HealthProbe probe;
  private final Map<UpstreamMember, MemberHealth> running = new IdentityHashMap<>();

  public HealthChecks(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.probe = new HealthProbe(vertx,
        new UpstreamClients(vertx, new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE)
            .setTryUsePerMessageCompression(false).setClosingTimeout(1)),
        new HttpClientOptions().setKeepAlive(false));
  }

  /** Checks exactly the members of {@code pools} whose route asks for it. */
  public void apply(List<UpstreamPool> pools) {
    context.runOnContext(v -> reconcile(pools));
  }

  /** Stops every check. */
  public void stop() {
    context.runOnContext(v -> {
      running.values().forEach(MemberHealth::stop);
      running.clear();
    });
  }

  private void reconcile(List<UpstreamPool> pools) {
    Map<UpstreamMember, MemberHealth> next = new IdentityHashMap<>();
    for (UpstreamPool pool : pools) {
      Balancing.HealthCheck check = pool.balancing().healthCheck();
      if (check == null) {
        continue;
      }
      for (UpstreamMember member : pool.members()) {
        MemberHealth kept = running.remove(member);
        if (kept != null && kept.sameAs(check, pool.ssl()) && !next.containsKey(member)) {
          next.put(member, kept);
        } else if (!next.containsKey(member)) {
          if (kept != null) {
            kept.stop();
          }
          MemberHealth started = new MemberHealth(vertx, probe, pool.route(), member, check, pool.ssl());
          started.start();
          next.put(member, started);
        }
      }
    }
    running.values().forEach(MemberHealth::stop);
    running.clear();
    running.putAll(next);
  }
}
