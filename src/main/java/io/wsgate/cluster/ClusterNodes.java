package io.wsgate.cluster;

import io.lettuce.core.ScriptOutputType;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The fleet's roll call: every node writes its record ({@code nodeId}, address, live sessions,
 * policy version) once a second, stamped with the Redis server's time, and anyone can list the nodes
 * heard from within the liveness window (5 s by default) — for {@code GET /cluster}, and to notice
 * nodes running different policy versions. A node silent for a minute is removed by the others'
 * heartbeats; a node that stops gracefully removes itself.
 *
 * <pre>{@code
 * ClusterNodes nodes = ClusterNodes.start(store,
 *     () -> new ClusterNodes.NodeStatus("10.0.0.5:8443", sessions.size(), policy.version()));
 * nodes.liveNodes().thenAccept(list -> { ... GET /cluster; ClusterNodes.policyVersionsDiffer(list) → metric ... });
 * }</pre>
 */
public final class ClusterNodes implements AutoCloseable {
  /** What this node reports about itself at each heartbeat. */
  public record NodeStatus(String address, long sessions, String policyVersion) {
    public NodeStatus {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(policyVersion, "policyVersion");
    }
  }

  /** One live node as last heard, {@code lastHeartbeat} in the Redis server's time. */
  public record NodeRecord(String nodeId, String address, long sessions, String policyVersion, Instant lastHeartbeat) {
  }

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(5);
  private static final Duration FORGET_AFTER = Duration.ofMinutes(1);

  private static final String NOW_MILLIS = "local t = redis.call('TIME')\n"
      + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";
  /** KEYS records, heartbeats; ARGV nodeId, record, forget-after ms → server time. */
  private static final RedisScript BEAT = new RedisScript(NOW_MILLIS
      + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
      + "redis.call('ZADD', KEYS[2], now, ARGV[1])\n"
      + "local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))\n"
      + "for _, id in ipairs(gone) do\n"
      + "  redis.call('HDEL', KEYS[1], id)\n"
      + "  redis.call('ZREM', KEYS[2], id)\n"
      + "end\n"
      + "return now\n", ScriptOutputType.INTEGER);
  /** KEYS records, heartbeats; ARGV liveness ms → {now, id, heard-at, record, id, heard-at, record...}. */
  private static final RedisScript LIVE = new RedisScript(NOW_MILLIS
      + "local seen = redis.call('ZRANGEBYSCORE', KEYS[2], now - tonumber(ARGV[1]), '+inf', 'WITHSCORES')\n"
      + "local out = {now}\n"
      + "for i = 1, #seen, 2 do\n"
      + "  out[#out + 1] = seen[i]\n"
      + "  out[#out + 1] = seen[i + 1]\n"
      + "  out[#out + 1] = redis.call('HGET', KEYS[1], seen[i]) or ''\n"
      + "end\n"
      + "return out\n", ScriptOutputType.MULTI);
  /** KEYS records, heartbeats; ARGV nodeId. */
  private static final RedisScript LEAVE = new RedisScript(""
      + "redis.call('HDEL', KEYS[1], ARGV[1])\n"
      + "return redis.call('ZREM', KEYS[2], ARGV[1])\n", ScriptOutputType.INTEGER);
  private static final String[] KEYS = {ClusterKeys.NODE_RECORDS, ClusterKeys.NODE_HEARTBEATS};

  private final RedisStore store;
  private final Supplier<NodeStatus> status;
  private final Duration liveness;
  private final ScheduledFuture<?> heartbeat;

  private ClusterNodes(RedisStore store, Supplier<NodeStatus> status, Duration interval, Duration liveness) {
    this.store = store;
    this.status = status;
    this.liveness = liveness;
    this.heartbeat = store.executor().scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Heartbeats every second; nodes count as live for 5 s after their last one. */
  public static ClusterNodes start(RedisStore store, Supplier<NodeStatus> status) {
    return start(store, status, DEFAULT_INTERVAL, DEFAULT_LIVENESS);
  }

  public static ClusterNodes start(RedisStore store, Supplier<NodeStatus> status, Duration interval, Duration liveness) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(status, "status");
    if (liveness.compareTo(interval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("liveness (" + liveness + ") must be at least two heartbeat intervals ("
          + interval + ")");
    }
    return new ClusterNodes(store, status, interval, liveness);
  }

  /** Writes this node's record now (also done every interval). @return the server time it was stamped with */
  public CompletableFuture<Instant> heartbeatNow() {
    NodeStatus now = status.get();
    String record = new JsonObject().put("address", now.address()).put("sessions", now.sessions())
        .put("policyVersion", now.policyVersion()).encode();
    return store.<Long>call(redis -> BEAT.run(redis, KEYS, RedisScript.bytes(store.nodeId()), RedisScript.bytes(record),
        RedisScript.bytes(FORGET_AFTER.toMillis()))).thenApply(Instant::ofEpochMilli);
  }

  /** The nodes heard from within the liveness window, ordered by node id. */
  public CompletableFuture<List<NodeRecord>> liveNodes() {
    return store.<List<Object>>call(redis -> LIVE.run(redis, KEYS, RedisScript.bytes(liveness.toMillis())))
        .thenApply(ClusterNodes::parse);
  }

  /** Whether the nodes listed run more than one policy version. */
  public static boolean policyVersionsDiffer(Collection<NodeRecord> nodes) {
    return nodes.stream().map(NodeRecord::policyVersion).distinct().count() > 1;
  }

  /** Stops heartbeating and removes this node's record (best effort: otherwise it ages out). */
  @Override
  public void close() {
    leave();
  }

  /** As {@link #close()}, answering when the record is removed (or the store did not answer). */
  public CompletableFuture<Void> leave() {
    heartbeat.cancel(false);
    return store.<Long>call(redis -> LEAVE.run(redis, KEYS, RedisScript.bytes(store.nodeId()))).thenApply(n -> null);
  }

  /** Stops heartbeating without a word, as a node that died: its record ages out after the liveness window. */
  void stopHeartbeats() {
    heartbeat.cancel(false);
  }

  private void beat() {
    if (store.health().isUp()) {
      heartbeatNow();
    }
  }

  private static List<NodeRecord> parse(List<Object> reply) {
    List<NodeRecord> nodes = new ArrayList<>();
    for (int i = 1; i + 2 < reply.size(); i += 3) {
      nodes.add(record(reply, i));
    }
    nodes.sort((x, y) -> x.nodeId().compareTo(y.nodeId()));
    return nodes;
  }

  private static NodeRecord record(List<Object> reply, int i) {
    String nodeId = text(reply.get(i));
    long heardAt = (long) Double.parseDouble(text(reply.get(i + 1)));
    String json = text(reply.get(i + 2));
    JsonObject record = json.isEmpty() ? new JsonObject() : new JsonObject(json);
    return new NodeRecord(nodeId, record.getString("address", ""), record.getLong("sessions", 0L),
        record.getString("policyVersion", ""), Instant.ofEpochMilli(heardAt));
  }

  private static String text(Object value) {
    return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
  }
}
