package io.wsgate.cluster;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.vertx.core.json.JsonObject;
import io.wsgate.limits.SubjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Revocations shared by the fleet: a Redis hash ({@link SubjectId#key()} → revoked until, epoch
 * milliseconds) that outlives every gateway process, and a pub/sub channel on which every revoke and
 * lift is announced, so that each node closes the subject's live sessions within a second. Each node
 * keeps a mirror of the hash, so {@link #isRevoked} on the handshake path never waits for Redis.
 *
 * <p>The mirror is fetched whole whenever the subscription is (re)confirmed: at start, after Lettuce
 * re-subscribes on a new connection, and after the store comes back up. Changes announced while a
 * fetch is in flight are applied again on top of it, so a fetch never undoes a newer change. An epoch
 * key written with the list tells a fetch whether Redis still holds the list this node last saw: when
 * it does not (restarted without persistence, replaced), the node re-publishes every live revocation
 * it knows (its mirror and its {@link Seed}) instead of taking their absence for lifts. A
 * pub/sub connection that stops answering its PING (a silent partition) is closed and opened anew.
 * Entries already past are ignored, and removed from Redis when a fetch meets them.
 *
 * <p>Like {@link io.wsgate.limits.Revocations}, the list is bounded and never drops a live entry: a
 * revoke that would exceed {@code max} unexpired entries is refused ({@code false}).
 *
 * <pre>{@code
 * ClusterRevocations revocations = ClusterRevocations.start(store, new ClusterRevocations.Listener() {
 *   public void revoked(SubjectId id, Instant until) { ... close id's live sessions with 1008 (on their event loops) ... }
 *   public void lifted(SubjectId id) { }
 * });
 * revocations.revoke(new SubjectId("corp", "alice"), Instant.now().plus(Duration.ofMinutes(10)));   // admin API
 * boolean refused = revocations.isRevoked(identity.subjectId());                                    // handshake
 * }</pre>
 */
public final class ClusterRevocations implements AutoCloseable {
  /** Told of every change, whichever node made it; runs on a Lettuce thread: hand off, never block. */
  public interface Listener {
    void revoked(SubjectId id, Instant until);

    void lifted(SubjectId id);

    /**
     * After each whole fetch: the store's epoch and every live revocation it holds now (re-published
     * ones included). What was not in it and not re-published was lifted while this node was not listening.
     */
    default void synced(String epoch, Map<SubjectId, Instant> all) {
    }
  }

  /**
   * What this node knew before it could ask the store (its own durable copy): the epoch it last
   * synced with, and the revocations it holds. Re-published when the store turns out to have lost
   * its list (no epoch, or another one): a Redis restarted without persistence forgets nothing the
   * fleet still knows.
   */
  public record Seed(String epoch, Map<SubjectId, Instant> entries) {
    public static final Seed NONE = new Seed(null, Map.of());

    public Seed {
      entries = Map.copyOf(entries);
    }
  }

  public static final int DEFAULT_MAX = io.wsgate.limits.Revocations.MAX_REVOKED_SUBJECTS;
  private static final Logger log = LoggerFactory.getLogger(ClusterRevocations.class);
  private static final Duration FETCH_BOUND = Duration.ofSeconds(2);
  private static final Duration PING_EVERY = Duration.ofSeconds(1);
  private static final int PINGS_MISSED_BEFORE_REOPEN = 3;

  /** KEYS[1] hash; ARGV field, until, max, channel, message → 1 stored | 0 full. */
  private static final RedisScript REVOKE = new RedisScript(""
      + "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then\n"
      + "  local t = redis.call('TIME')\n"
      + "  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
      + "  local all = redis.call('HGETALL', KEYS[1])\n"
      + "  for i = 1, #all, 2 do\n"
      + "    if tonumber(all[i + 1]) <= now then redis.call('HDEL', KEYS[1], all[i]) end\n"
      + "  end\n"
      + "  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end\n"
      + "end\n"
      + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
      + "redis.call('PUBLISH', ARGV[4], ARGV[5])\n"
      + "return 1\n", ScriptOutputType.INTEGER);
  /** KEYS[1] hash; ARGV field, channel, message → the until it had, or nil. */
  private static final RedisScript LIFT = new RedisScript(""
      + "local was = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "redis.call('HDEL', KEYS[1], ARGV[1])\n"
      + "redis.call('PUBLISH', ARGV[2], ARGV[3])\n"
      + "return was\n", ScriptOutputType.VALUE);
  /** KEYS[1] epoch; ARGV candidate → {epoch, 1 when it was just created}. */
  private static final RedisScript EPOCH = new RedisScript(""
      + "local e = redis.call('GET', KEYS[1])\n"
      + "if e then return {e, 0} end\n"
      + "redis.call('SET', KEYS[1], ARGV[1])\n"
      + "return {ARGV[1], 1}\n", ScriptOutputType.MULTI);
  /** KEYS[1] hash; ARGV field, until, field, until... → removes each field only if it still has that until. */
  private static final RedisScript DROP_EXPIRED = new RedisScript(""
      + "for i = 1, #ARGV, 2 do\n"
      + "  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end\n"
      + "end\n"
      + "return 0\n", ScriptOutputType.INTEGER);

  private final RedisStore store;
  private final Listener listener;
  private final int max;
  private final java.util.function.Supplier<Seed> seed;
  /** The epoch of the last whole fetch whose re-publishing (if any) succeeded; null before one. */
  private volatile String epoch;
  private final Map<SubjectId, Instant> mirror = new ConcurrentHashMap<>();
  private final AtomicLong fetches = new AtomicLong();
  private final AtomicInteger missedPings = new AtomicInteger();
  private final ScheduledFuture<?> pinger;
  private final Object lock = new Object();
  /** Changes heard while a fetch is in flight, replayed on top of its snapshot; null when none is. Guarded by lock. */
  private List<JsonObject> heardDuringFetch;
  private volatile StatefulRedisPubSubConnection<String, String> feed;
  private volatile boolean feedUp;
  private volatile boolean closed;

  private ClusterRevocations(RedisStore store, Listener listener, int max, java.util.function.Supplier<Seed> seed) {
    this.store = store;
    this.listener = listener;
    this.max = max;
    this.seed = seed;
    store.health().onChange((state, cause) -> {
      if (state == StoreHealth.State.UP && feed != null) {
        fetch("the store is back up");
      }
    });
    this.pinger = store.executor().scheduleWithFixedDelay(this::ping, PING_EVERY.toMillis(), PING_EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Opens the feed (and keeps trying while Redis is away) and returns at once. */
  public static ClusterRevocations start(RedisStore store, Listener listener) {
    return start(store, listener, DEFAULT_MAX);
  }

  public static ClusterRevocations start(RedisStore store, Listener listener, int max) {
    return start(store, listener, max, () -> Seed.NONE);
  }

  /**
   * @param seed this node's own durable copy, read at each whole fetch: what to re-publish when the
   *             store lost its list, and the epoch that copy was synced with
   */
  public static ClusterRevocations start(RedisStore store, Listener listener, int max,
      java.util.function.Supplier<Seed> seed) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(seed, "seed");
    if (max <= 0) {
      throw new IllegalArgumentException("max must be positive, was " + max);
    }
    ClusterRevocations revocations = new ClusterRevocations(store, listener, max, seed);
    revocations.openFeed(1);
    return revocations;
  }

  /**
   * Revokes {@code id} until {@code until} everywhere (replacing an earlier revocation of it).
   *
   * @return false when the list is full of unexpired revocations (nothing changed); fails with
   *     {@link StoreUnavailableException} when the store did not answer
   */
  public CompletableFuture<Boolean> revoke(SubjectId id, Instant until) {
    String field = id.key();
    String message = event("revoke", id).put("until", until.toEpochMilli()).encode();
    String[] keys = {ClusterKeys.REVOCATIONS};
    return store.<Long>call(redis -> REVOKE.run(redis, keys, RedisScript.bytes(field),
            RedisScript.bytes(until.toEpochMilli()), RedisScript.bytes(max), RedisScript.bytes(ClusterKeys.REVOCATION_EVENTS),
            RedisScript.bytes(message)), FETCH_BOUND)
        .thenApply(stored -> {
          if (stored == 1L) {
            apply(new JsonObject(message));
          }
          return stored == 1L;
        });
  }

  /** Lifts a revocation everywhere. @return whether there was an unexpired one */
  public CompletableFuture<Boolean> lift(SubjectId id) {
    String message = event("lift", id).encode();
    String[] keys = {ClusterKeys.REVOCATIONS};
    return store.<byte[]>call(redis -> LIFT.run(redis, keys, RedisScript.bytes(id.key()),
            RedisScript.bytes(ClusterKeys.REVOCATION_EVENTS), RedisScript.bytes(message)), FETCH_BOUND)
        .thenApply(until -> {
          apply(new JsonObject(message));
          return until != null && Instant.ofEpochMilli(Long.parseLong(new String(until, StandardCharsets.UTF_8)))
              .isAfter(Instant.now());
        });
  }

  /** Whether this subject of this issuer is revoked, by name or for every issuer (from the mirror: no wait). */
  public boolean isRevoked(SubjectId id) {
    Instant now = Instant.now();
    return live(now, mirror.get(id)) || live(now, mirror.get(new SubjectId(SubjectId.ANY_ISSUER, id.subject())));
  }

  /** Until when exactly this entry is revoked, or null. */
  public Instant revokedUntil(SubjectId id) {
    Instant until = mirror.get(id);
    return live(Instant.now(), until) ? until : null;
  }

  /** Entries in the mirror (some possibly past). */
  public int size() {
    return mirror.size();
  }

  /** Whether the feed is subscribed and its mirror fetched: false means changes may be missed for now. */
  public boolean feedUp() {
    return feedUp;
  }

  /** The store's epoch as of the last whole fetch; null before one. */
  public String epoch() {
    return epoch;
  }

  /** Whole fetches of the hash so far (at start, after every reconnection). */
  public long fetches() {
    return fetches.get();
  }

  @Override
  public void close() {
    closed = true;
    pinger.cancel(false);
    StatefulRedisPubSubConnection<String, String> current = feed;
    if (current != null) {
      current.closeAsync();
    }
    feedUp = false;
  }

  private void openFeed(int attempt) {
    if (closed) {
      return;
    }
    store.openPubSub(StringCodec.UTF8).whenComplete((connection, failure) -> {
      if (failure != null) {
        if (attempt == 1 || attempt % 30 == 0) {
          log.warn("revocation feed: cannot subscribe ({}), retrying", RedisStore.describe(failure));
        }
        long delay = Math.min(store.settings().maxReconnectDelay().toMillis(), 20L << Math.min(attempt, 10));
        store.executor().schedule(() -> openFeed(attempt + 1), delay, TimeUnit.MILLISECONDS);
        return;
      }
      if (closed) {
        connection.closeAsync();
        return;
      }
      connection.addListener(new RedisPubSubAdapter<String, String>() {
        @Override
        public void message(String channel, String message) {
          heard(message);
        }

        @Override
        public void subscribed(String channel, long count) {
          fetch(fetches.get() == 0 ? "subscribed" : "subscribed again");
        }
      });
      connection.addListener(new RedisConnectionStateListener() {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
          if (!closed && feed == connection) {
            feedUp = false;
            log.warn("revocation feed: pub/sub connection lost; changes are fetched again once it is back");
          }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
          missedPings.set(0);
        }
      });
      feed = connection;
      missedPings.set(0);
      connection.async().subscribe(ClusterKeys.REVOCATION_EVENTS);
    });
  }

  /** A PING the feed's connection must answer; three missed in a row and the connection is replaced. */
  private void ping() {
    StatefulRedisPubSubConnection<String, String> current = feed;
    if (closed || current == null || !current.isOpen()) {
      return;
    }
    current.async().ping().toCompletableFuture().orTimeout(PING_EVERY.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((pong, failure) -> {
          if (failure == null) {
            missedPings.set(0);
          } else if (missedPings.incrementAndGet() >= PINGS_MISSED_BEFORE_REOPEN && feed == current && !closed) {
            feedUp = false;
            log.warn("revocation feed: no answer to {} pings; opening a new pub/sub connection", PINGS_MISSED_BEFORE_REOPEN);
            feed = null;
            current.closeAsync();
            openFeed(2);
          }
        });
  }

  private void fetch(String why) {
    synchronized (lock) {
      if (heardDuringFetch != null) {
        return; // one is in flight; it was sent after whatever made us want another
      }
      heardDuringFetch = new ArrayList<>();
    }
    String[] epochKey = {ClusterKeys.REVOCATIONS_EPOCH};
    String[] keys = {ClusterKeys.REVOCATIONS};
    byte[] candidate = RedisScript.bytes(newEpoch());
    CompletableFuture<List<Object>> epochReply = store.call(redis -> EPOCH.run(redis, epochKey, candidate), FETCH_BOUND);
    // Sent after the epoch on the same connection, so it sees every revocation written before the epoch was.
    CompletableFuture<Map<String, byte[]>> all = epochReply.thenCompose(e -> store.call(redis -> redis.hgetall(keys[0]),
        FETCH_BOUND));
    all.whenComplete((entries, failure) -> {
      List<JsonObject> replay;
      synchronized (lock) {
        replay = heardDuringFetch;
        heardDuringFetch = null;
      }
      if (failure != null) {
        log.warn("revocation feed: fetching the revocations failed ({}); retrying when the store is up",
            RedisStore.describe(failure));
        return;
      }
      fetches.incrementAndGet();
      List<Object> reply = epochReply.join();
      String current = text(reply.get(0));
      boolean created = ((Long) reply.get(1)) == 1L;
      String known = epoch != null ? epoch : seed.get().epoch();
      Map<String, byte[]> merged = new HashMap<>(entries);
      List<CompletableFuture<Boolean>> republished = created || !current.equals(known)
          ? republish(merged) : List.of();
      int expired = replaceMirror(merged);
      replay.forEach(this::apply);
      feedUp = feed != null;
      log.info("revocation feed {}: {} revocations fetched{}{}", why, mirror.size(),
          expired == 0 ? "" : ", " + expired + " past ones removed",
          republished.isEmpty() ? "" : ", " + republished.size() + " re-published (the store had lost them)");
      CompletableFuture.allOf(republished.toArray(new CompletableFuture<?>[0])).whenComplete((done, lost) -> {
        if (lost != null) {
          // The next fetch finds the same mismatch and re-publishes again.
          log.warn("revocation feed: re-publishing failed ({})", RedisStore.describe(lost));
          return;
        }
        epoch = current;
        listener.synced(current, liveMirror());
      });
    });
  }

  /**
   * The store lost its list (or this node's copy predates its epoch): every live revocation this node
   * knows (its mirror, its seed) that the store does not hold is revoked again, announced to the
   * others, and added to {@code fetched} so that the fetch does not take it for a lift.
   */
  private List<CompletableFuture<Boolean>> republish(Map<String, byte[]> fetched) {
    Instant now = Instant.now();
    Map<SubjectId, Instant> known = new HashMap<>(seed.get().entries());
    mirror.forEach((id, until) -> known.merge(id, until, (a, b) -> a.isAfter(b) ? a : b));
    List<CompletableFuture<Boolean>> sent = new ArrayList<>();
    known.forEach((id, until) -> {
      byte[] stored = fetched.get(id.key());
      Instant there = stored == null ? null : parseUntil(stored);
      if (live(now, until) && (there == null || there.isBefore(until))) {
        fetched.put(id.key(), RedisScript.bytes(until.toEpochMilli()));
        sent.add(revoke(id, until));
      }
    });
    return sent;
  }

  private Map<SubjectId, Instant> liveMirror() {
    Instant now = Instant.now();
    Map<SubjectId, Instant> live = new HashMap<>();
    mirror.forEach((id, until) -> {
      if (live(now, until)) {
        live.put(id, until);
      }
    });
    return live;
  }

  private static String newEpoch() {
    byte[] random = new byte[8];
    new java.security.SecureRandom().nextBytes(random);
    return java.util.HexFormat.of().formatHex(random);
  }

  private static String text(Object value) {
    return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
  }

  private int replaceMirror(Map<String, byte[]> entries) {
    Instant now = Instant.now();
    Map<SubjectId, Instant> fresh = new HashMap<>();
    List<byte[]> past = new ArrayList<>();
    entries.forEach((field, value) -> {
      SubjectId id = parseKey(field);
      Instant until = parseUntil(value);
      if (id == null || until == null) {
        return;
      }
      if (live(now, until)) {
        fresh.put(id, until);
      } else {
        past.add(RedisScript.bytes(field));
        past.add(value);
      }
    });
    synchronized (lock) {
      for (Map.Entry<SubjectId, Instant> e : fresh.entrySet()) {
        if (!e.getValue().equals(mirror.put(e.getKey(), e.getValue()))) {
          listener.revoked(e.getKey(), e.getValue());
        }
      }
      for (SubjectId id : List.copyOf(mirror.keySet())) {
        if (!fresh.containsKey(id)) {
          Instant was = mirror.remove(id);
          if (live(now, was)) {
            listener.lifted(id);
          }
        }
      }
    }
    if (!past.isEmpty()) {
      String[] keys = {ClusterKeys.REVOCATIONS};
      store.call(redis -> DROP_EXPIRED.run(redis, keys, past.toArray(new byte[0][])), FETCH_BOUND);
    }
    return past.size() / 2;
  }

  private void heard(String message) {
    JsonObject event;
    try {
      event = new JsonObject(message);
    } catch (RuntimeException e) {
      log.warn("revocation feed: ignoring a message that is not a revocation event");
      return;
    }
    synchronized (lock) {
      if (heardDuringFetch != null) {
        heardDuringFetch.add(event);
      }
    }
    apply(event);
  }

  private void apply(JsonObject event) {
    String issuer = event.getString("issuer");
    String subject = event.getString("subject");
    if (issuer == null || subject == null) {
      return;
    }
    SubjectId id = new SubjectId(issuer, subject);
    synchronized (lock) {
      if ("revoke".equals(event.getString("op")) && event.getLong("until") != null) {
        Instant until = Instant.ofEpochMilli(event.getLong("until"));
        if (!until.equals(mirror.put(id, until)) && live(Instant.now(), until)) {
          listener.revoked(id, until);
        }
      } else if ("lift".equals(event.getString("op"))) {
        if (mirror.remove(id) != null) {
          listener.lifted(id);
        }
      }
    }
  }

  private static JsonObject event(String op, SubjectId id) {
    return new JsonObject().put("op", op).put("issuer", id.issuer()).put("subject", id.subject());
  }

  private static SubjectId parseKey(String field) {
    int separator = field.indexOf('\u001f');
    return separator <= 0 ? null : new SubjectId(field.substring(0, separator), field.substring(separator + 1));
  }

  private static Instant parseUntil(byte[] value) {
    try {
      return Instant.ofEpochMilli(Long.parseLong(new String(value, StandardCharsets.UTF_8)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean live(Instant now, Instant until) {
    return until != null && now.isBefore(until);
  }
}
