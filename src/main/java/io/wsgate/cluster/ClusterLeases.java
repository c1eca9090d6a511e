package io.wsgate.cluster;

import io.lettuce.core.ScriptOutputType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent-connection caps across the fleet (per IP, per subject, global), as leases. Each cap key
 * is a sorted set in Redis whose members are {@code <nodeId>:<leaseId>}, scored by when they expire;
 * a node renews the score of every lease it holds every {@code ttl/3}, and gives a lease back when
 * its connection ends. A node that dies without a word (kill -9, a lost host) stops renewing, and its
 * leases stop counting at most {@code ttl} after its last renewal: no slot leaks past the TTL.
 *
 * <p>Taking a lease is one Lua script, atomic on the server, that first drops expired members, then
 * adds this one only if fewer than {@code max} remain. Expiry is measured with the Redis server's
 * {@code TIME}, never the nodes' clocks, so clock skew between gateways cannot free or hold a slot.
 *
 * <p>A lease that expired although its node still holds the connection (Redis was unreachable for
 * longer than the TTL, or restarted empty) is put back by the next renewal even if the cap is full
 * then: it stands for a live connection, and counting it is the truth. {@link #lostTotal()} counts those.
 *
 * <pre>{@code
 * ClusterLeases leases = new ClusterLeases(store, Duration.ofSeconds(15));
 * leases.tryAcquire("subject:" + id.key(), 20).whenComplete((lease, failure) -> {
 *   if (failure != null) { ... onStoreFailure ... }
 *   else if (lease.isEmpty()) { ... deny: SUBJECT_CONNECTIONS_EXCEEDED ... }
 *   else { ... keep lease.get(), and call lease.get().release() exactly once when the session ends ... }
 * });
 * }</pre>
 */
public final class ClusterLeases implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterLeases.class);

  private static final String NOW_MILLIS = "local t = redis.call('TIME')\n"
      + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";
  /** KEYS[1] cap; ARGV max, member, ttl ms → {1 taken | 0 refused, members counted}. */
  private static final RedisScript ACQUIRE = new RedisScript(NOW_MILLIS
      + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
      + "local count = redis.call('ZCARD', KEYS[1])\n"
      + "if count < tonumber(ARGV[1]) then\n"
      + "  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])\n"
      + "  redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
      + "  return {1, count + 1}\n"
      + "end\n"
      + "return {0, count}\n", ScriptOutputType.MULTI);
  /** KEYS[1] cap; ARGV member, ttl ms → 1 when the member had expired and was put back, else 0. */
  private static final RedisScript RENEW = new RedisScript(NOW_MILLIS
      + "local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
      + "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
      + "return added\n", ScriptOutputType.INTEGER);
  /** KEYS[1] cap → live members. */
  private static final RedisScript COUNT = new RedisScript(NOW_MILLIS
      + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
      + "return redis.call('ZCARD', KEYS[1])\n", ScriptOutputType.INTEGER);

  private final RedisStore store;
  private final Duration ttl;
  private final byte[] ttlArg;
  private final String memberPrefix;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final Set<Lease> held = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> renewal;

  /** @param ttl how long a lease outlives its node's last renewal (at least 300 ms) */
  public ClusterLeases(RedisStore store, Duration ttl) {
    this.store = Objects.requireNonNull(store, "store");
    if (ttl.toMillis() < 300) {
      throw new IllegalArgumentException("lease ttl must be at least 300 ms, was " + ttl);
    }
    this.ttl = ttl;
    this.ttlArg = RedisScript.bytes(ttl.toMillis());
    // The same node id after a restart must not adopt the leases its previous process left to expire.
    byte[] run = new byte[4];
    new SecureRandom().nextBytes(run);
    this.memberPrefix = store.nodeId() + ":" + HexFormat.of().formatHex(run) + "-";
    long every = Math.max(100, ttl.toMillis() / 3);
    this.renewal = store.executor().scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
  }

  public Duration ttl() {
    return ttl;
  }

  /**
   * Takes a slot of {@code key} if fewer than {@code max} are taken across the fleet.
   *
   * @return the lease, or empty when the cap is full; fails with {@link StoreUnavailableException}
   *     when the store does not answer in time (a late success is then given back at once)
   */
  public CompletableFuture<Optional<Lease>> tryAcquire(String key, int max) {
    return tryAcquire(key, max, store.settings().callTimeout());
  }

  /** As {@link #tryAcquire(String, int)}, answered within {@code timeout} (what a handshake has left to wait). */
  public CompletableFuture<Optional<Lease>> tryAcquire(String key, int max, Duration timeout) {
    Objects.requireNonNull(key, "key");
    if (max <= 0) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Lease lease = new Lease(key, memberPrefix + sequence.incrementAndGet());
    String[] keys = {ClusterKeys.lease(key)};
    CompletableFuture<List<Object>> answer = store.call(redis -> ACQUIRE.<List<Object>>run(redis, keys,
        RedisScript.bytes(max), RedisScript.bytes(lease.member), ttlArg), timeout);
    return answer.handle((reply, failure) -> {
      if (failure != null) {
        // The script may still run after we stopped waiting: take back whatever it added.
        lease.forget();
        throw failure instanceof RuntimeException r ? r : new StoreUnavailableException(failure.toString(), failure);
      }
      if (((Long) reply.get(0)) == 1L) {
        held.add(lease);
        return Optional.of(lease);
      }
      return Optional.empty();
    });
  }

  /** Live leases of {@code key} across the fleet. */
  public CompletableFuture<Long> count(String key) {
    String[] keys = {ClusterKeys.lease(key)};
    return store.call(redis -> COUNT.<Long>run(redis, keys));
  }

  /** Leases this node holds now. */
  public int held() {
    return held.size();
  }

  /** Leases found expired at renewal while their connection was still live, and put back. */
  public long lostTotal() {
    return lost.get();
  }

  /**
   * Stops renewing. The leases are not given back: like a node that died, they stop counting within
   * the TTL. A graceful shutdown releases each session's leases as it closes them, before this.
   */
  @Override
  public void close() {
    renewal.cancel(false);
  }

  private void renewAll() {
    if (held.isEmpty() || !store.health().isUp()) {
      return;
    }
    Duration bound = Duration.ofMillis(Math.max(store.settings().callTimeout().toMillis(), ttl.toMillis() / 3));
    // One script per lease, all written at once on the multiplexed connection: pipelined.
    for (Lease lease : held) {
      String[] keys = {ClusterKeys.lease(lease.key)};
      store.<Long>call(redis -> RENEW.run(redis, keys, RedisScript.bytes(lease.member), ttlArg), bound)
          .thenAccept(putBack -> {
            if (putBack == 1L) {
              if (held.contains(lease)) {
                lost.incrementAndGet();
                log.warn("cluster lease {} of {} had expired while its connection lived; put back", lease.member, lease.key);
              } else {
                lease.forget(); // released while this renewal was in flight
              }
            }
          });
    }
  }

  /** One slot of one cap, held by this node until {@link #release()}. */
  public final class Lease {
    private final String key;
    private final String member;

    private Lease(String key, String member) {
      this.key = key;
      this.member = member;
    }

    public String key() {
      return key;
    }

    /** {@code <nodeId>:<leaseId>}, as stored in Redis. */
    public String member() {
      return member;
    }

    /**
     * Gives the slot back (once; later calls do nothing). If the store does not answer, the slot
     * still frees itself within the TTL, since nobody renews it any more.
     */
    public CompletableFuture<Void> release() {
      if (!held.remove(this)) {
        return CompletableFuture.completedFuture(null);
      }
      return forget();
    }

    private CompletableFuture<Void> forget() {
      String k = ClusterKeys.lease(key);
      return store.call(redis -> redis.zrem(k, RedisScript.bytes(member)), ttl).thenApply(removed -> null);
    }

    @Override
    public String toString() {
      return member + "@" + key;
    }
  }
}
