package io.wsgate.fleet;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.wsgate.cluster.ClusterBuckets;
import io.wsgate.cluster.ClusterLeases;
import io.wsgate.cluster.ClusterNodes;
import io.wsgate.cluster.RedisStore;
import io.wsgate.cluster.StoreHealth;
import io.wsgate.cluster.StoreSecret;
import io.wsgate.cluster.StoreSettings;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.RevocationUpdates;
import io.wsgate.limits.Revocations;
import io.wsgate.limits.SubjectId;
import io.wsgate.metrics.FleetGauges;
import io.wsgate.policy.ClusterSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * This gateway as one node of a fleet: its connection to the store and what it shares through it
 * (limits, caps, revocations, its record in the roll call), and what it does when the store goes away.
 *
 * <pre>{@code
 * Fleet fleet = Fleet.open(vertx, policy.cluster(), audit.node(), revocations, (up, cause) -> audit...);
 * fleet.ready().onComplete(...);                        // first sync with the store, or a bounded wait
 * GatewayServices services = new GatewayServices(..., fleet.limits(), fleet.revocations());
 * fleet.closeSessionsWith(subject -> ...);              // this node's sessions of a subject revoked anywhere
 * fleet.startRollCall(() -> new ClusterNodes.NodeStatus(address, sessions, version));   // once listening
 * fleet.close(vertx);                                    // at stop, after the sessions
 * }</pre>
 */
public final class Fleet implements FleetGauges {
  /** The longest a start waits for the store's first answer and the fleet's revocation list. */
  static final Duration START_WAIT = Duration.ofSeconds(5);
  private static final Duration RELEASES_WAIT = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** Told when the store goes down or comes back (any thread; must not block). */
  @FunctionalInterface
  public interface StoreWatch {
    void changed(boolean up, String cause);
  }

  private final ClusterSettings settings;
  private final RedisStore store;
  private final ClusterLeases leases;
  private final FleetRevocations revocations;
  private final FleetBackend backend;
  private volatile ClusterNodes nodes;
  private volatile List<ClusterNodes.NodeRecord> lastRoll = List.of();
  /** Set when the node leaves: the store closing then is not an outage to log or audit. */
  private volatile boolean leaving;
  private long rollTimer = -1;

  private Fleet(ClusterSettings settings, RedisStore store, ClusterLeases leases, FleetRevocations revocations,
                FleetBackend backend) {
    this.settings = settings;
    this.store = store;
    this.leases = leases;
    this.revocations = revocations;
    this.backend = backend;
  }

  /**
   * Connects to the store (in the background: it keeps trying while Redis is away) and subscribes to
   * the fleet's revocations. Blocking only to read a password file: call it off any event loop.
   *
   * @param nodeId this node's name (the audit's {@code node})
   * @param local  this node's own revocation list, kept in step with the fleet's
   * @throws IllegalStateException when the password cannot be read
   */
  public static Fleet open(ClusterSettings settings, String nodeId, Revocations local, StoreWatch watch) {
    StoreSettings storeSettings = StoreSettings.defaults(settings.redis(), nodeId).withSecret(secret(settings))
        .withCallTimeout(settings.storeTimeout());
    RedisStore store = RedisStore.open(storeSettings);
    ClusterLeases leases = new ClusterLeases(store, settings.leaseTtl());
    FleetRevocations revocations = new FleetRevocations(local);
    StoreFallback fallback = new StoreFallback(settings.onStoreFailure());
    FleetBackend backend = new FleetBackend(store, new ClusterBuckets(store), leases, settings, fallback,
        () -> store.health().isUp() && revocations.feedUp());
    Fleet fleet = new Fleet(settings, store, leases, revocations, backend);
    store.health().onChange((state, cause) -> fleet.changed(state, cause, watch));
    revocations.start(store);
    return fleet;
  }

  private static StoreSecret secret(ClusterSettings settings) {
    try {
      if (settings.passwordFile() != null) {
        return StoreSecret.fromFile(settings.user(), settings.passwordFile());
      }
      if (settings.passwordEnv() != null) {
        return StoreSecret.fromEnv(settings.user(), settings.passwordEnv(), System.getenv());
      }
      return StoreSecret.NONE;
    } catch (IOException | IllegalArgumentException e) {
      // The messages name the file or the variable, never the password.
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private void changed(StoreHealth.State state, String cause, StoreWatch watch) {
    if (leaving) {
      return;
    }
    boolean up = state == StoreHealth.State.UP;
    if (up) {
      LOG.info("cluster store {} answers: limits, caps and revocations are shared by the fleet",
          settings.redis().redacted());
    } else {
      LOG.warn("cluster store {} is down ({}); onStoreFailure {}: {}", settings.redis().redacted(), cause,
          settings.onStoreFailure().policyName(), settings.onStoreFailure() == ClusterSettings.OnStoreFailure.FAIL_OPEN
              ? "limits and caps per node, revocations from this node's list, until it is back"
              : "new handshakes are refused with 503 until it is back; live sessions continue");
    }
    watch.changed(up, up ? null : cause);
  }

  /**
   * Completes once this node has the fleet's revocation list (so that it refuses every subject
   * revoked anywhere from its first handshake on), or after {@link #START_WAIT} without the store,
   * which {@code onStoreFailure} then covers. Never fails.
   */
  public Future<Void> ready(Vertx vertx) {
    Promise<Void> ready = Promise.promise();
    long timer = vertx.setTimer(START_WAIT.toMillis(), id -> {
      if (ready.tryComplete()) {
        LOG.warn("cluster store {} not reached within {} s: starting with onStoreFailure {} until it is",
            settings.redis().redacted(), START_WAIT.toSeconds(), settings.onStoreFailure().policyName());
      }
    });
    revocations.firstSync().thenRun(() -> {
      vertx.cancelTimer(timer);
      ready.tryComplete();
    });
    return ready.future();
  }

  /** Rate buckets and connection caps shared through the store. */
  public RateLimitBackend limits() {
    return backend;
  }

  /** Revocations and lifts, shared through the store. */
  public RevocationUpdates revocations() {
    return revocations;
  }

  /** Who closes this node's live sessions of a subject revoked anywhere in the fleet. */
  public void closeSessionsWith(Consumer<SubjectId> closer) {
    revocations.closeSessionsWith(closer);
  }

  /**
   * Starts heartbeating this node's record (and reading the others', for {@link #liveNodes()} and
   * the metrics) every second. Call once the node listens.
   */
  public void startRollCall(Vertx vertx, Supplier<ClusterNodes.NodeStatus> status) {
    nodes = ClusterNodes.start(store, status);
    rollTimer = vertx.setPeriodic(ClusterNodes.DEFAULT_INTERVAL.toMillis(), id -> {
      if (store.health().isUp()) {
        nodes.liveNodes().thenAccept(list -> lastRoll = list);
      }
    });
  }

  /** The nodes heard from within the liveness window, asked of the store now; fails when it does not answer. */
  public CompletableFuture<List<ClusterNodes.NodeRecord>> liveNodesNow() {
    ClusterNodes current = nodes;
    if (current == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("the roll call has not started"));
    }
    return current.liveNodes().whenComplete((list, failure) -> {
      if (list != null) {
        lastRoll = list;
      }
    });
  }

  /**
   * How the others can reach this node, for its record: the listener's host, or for a wildcard bind
   * the first address of an interface that is up and not loopback (no name lookup).
   */
  public static String advertisedAddress(String host, int port) {
    String chosen = host;
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isEmpty()) {
      chosen = "127.0.0.1";
      try {
        for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
          if (!nic.isUp() || nic.isLoopback()) {
            continue;
          }
          java.util.Optional<java.net.InetAddress> v4 = nic.inetAddresses()
              .filter(a -> a instanceof java.net.Inet4Address).findFirst();
          if (v4.isPresent()) {
            chosen = v4.get().getHostAddress();
            break;
          }
        }
      } catch (java.net.SocketException e) {
        // keep loopback
      }
    }
    return (chosen.contains(":") && !chosen.startsWith("[") ? "[" + chosen + "]" : chosen) + ":" + port;
  }

  public ClusterSettings settings() {
    return settings;
  }

  /** Whether this node shares its state now: the store answers and the revocation feed is subscribed. */
  public boolean shared() {
    return store.health().isUp() && revocations.feedUp();
  }

  /** Leases this node holds in the store (its sessions' slots, all caps together). */
  public int leasesHeld() {
    return leases.held();
  }

  // --- FleetGauges ---------------------------------------------------------------------------------

  @Override
  public String node() {
    return store.nodeId();
  }

  @Override
  public boolean storeUp() {
    return store.health().isUp();
  }

  @Override
  public long fallbacks(Limit limit) {
    return backend.fallbacks(limit);
  }

  @Override
  public int liveNodes() {
    return lastRoll.size();
  }

  @Override
  public int policyVersions() {
    return (int) lastRoll.stream().map(ClusterNodes.NodeRecord::policyVersion).distinct().count();
  }

  /**
   * Leaves the fleet: waits (briefly) for the sessions' lease releases to reach the store, removes this
   * node's record, stops renewing and closes the connection. Call after the sessions are closed.
   */
  public Future<Void> close(Vertx vertx) {
    leaving = true;
    if (rollTimer >= 0) {
      vertx.cancelTimer(rollTimer);
    }
    return vertx.executeBlocking(() -> {
      try {
        backend.releasesInFlight().get(RELEASES_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warn("cluster store: some connection slots were not given back ({}); they expire within {} s",
            e.getClass().getSimpleName(), settings.leaseTtl().toSeconds());
      }
      ClusterNodes current = nodes;
      if (current != null) {
        try {
          current.leave().get(RELEASES_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          LOG.info("cluster store: this node's record was not removed ({}); it ages out", e.getClass().getSimpleName());
        }
      }
      leases.close();
      revocations.close();
      store.close();
      return null;
    }, false);
  }
}
