package io.wsgate.cluster;

import io.wsgate.policy.StoreEndpoint;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.EventExecutorGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gateway's one connection to the cluster store (Redis standalone, behind Sentinel, or a Redis
 * Cluster), shared by buckets, leases, revocations and node records. Asynchronous only: every
 * {@link #call} answers a {@link CompletableFuture} that completes within its timeout (50 ms by
 * default), with the answer or a {@link StoreUnavailableException}; nothing here ever blocks a
 * caller's thread.
 *
 * <p>Opening never fails because Redis is away: the store keeps trying to connect (and, once
 * connected, Lettuce reconnects by itself) while {@link #health()} says {@code DOWN} and calls fail
 * at once. While disconnected, Lettuce refuses commands instead of queueing them, so an outage
 * builds no backlog. A PING every {@code probeInterval} notices a store that hangs without
 * disconnecting, and brings the health back {@code UP} when it answers again.
 *
 * <p>Threads: Lettuce's, kept small ({@code ioThreads} I/O threads, one computation thread that also
 * runs this package's timers). Futures complete on those threads: a Vert.x caller returns to its
 * context with {@code Future.fromCompletionStage(stage, context)}.
 *
 * <pre>{@code
 * RedisStore store = RedisStore.open(StoreSettings.defaults(StoreEndpoint.parse("redis://127.0.0.1:6379"), "gw-a")
 *     .withSecret(StoreSecret.fromEnv(null, "WSGATE_REDIS_PASSWORD", System.getenv())));
 * store.health().onChange((state, cause) -> log.warn("cluster store {}: {}", state, cause));
 * store.call(redis -> redis.get("wsgate:example"))
 *     .whenComplete((value, failure) -> { ... failure is a StoreUnavailableException: apply onStoreFailure ... });
 * // at shutdown, off the event loop:
 * store.close();
 * }</pre>
 */
public final class RedisStore implements AutoCloseable {
  /** Keys are text, values bytes: the codec Bucket4j's Lettuce backend needs, shared by everything else. */
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

  private final StoreSettings settings;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final List<RedisURI> uris;
  private final StoreHealth health;
  private final Executor timeouts;
  private final CompletableFuture<StatefulConnection<String, byte[]>> connected = new CompletableFuture<>();
  private final RedisConnectionStateListener watch = new ConnectionWatch();
  private final ScheduledFuture<?> probe;
  private volatile StatefulConnection<String, byte[]> connection;
  private volatile RedisClusterAsyncCommands<String, byte[]> commands;
  private volatile boolean closed;

  private RedisStore(StoreSettings settings) {
    this.settings = settings;
    this.health = new StoreHealth(settings.failuresBeforeDown());
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(settings.ioThreads())
        .computationThreadPoolSize(1)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(20), settings.maxReconnectDelay(), 2, TimeUnit.MILLISECONDS))
        .build();
    this.uris = withCredentials(settings.endpoint().uris(), settings.secret());
    this.client = newClient(settings, resources, uris);
    this.timeouts = CompletableFuture.delayedExecutor(settings.callTimeout().toNanos(), TimeUnit.NANOSECONDS,
        Runnable::run);
    long probeMillis = settings.probeInterval().toMillis();
    this.probe = executor().scheduleWithFixedDelay(this::probe, probeMillis, probeMillis, TimeUnit.MILLISECONDS);
  }

  /** Starts connecting and returns at once; see {@link #connected()} and {@link #health()}. */
  public static RedisStore open(StoreSettings settings) {
    RedisStore store = new RedisStore(settings);
    log.info("cluster store {} as node {} ({}), calls bounded at {} ms", settings.endpoint().redacted(),
        settings.nodeId(), settings.secret(), settings.callTimeout().toMillis());
    store.connect(1);
    return store;
  }

  public StoreSettings settings() {
    return settings;
  }

  public String nodeId() {
    return settings.nodeId();
  }

  public StoreHealth health() {
    return health;
  }

  /** Completes when the first connection is made (never fails: the store retries until closed). */
  public CompletionStage<Void> connected() {
    return connected.thenApply(c -> null);
  }

  /** The shared connection once made, else null; Bucket4j's proxy manager is built on it. */
  StatefulConnection<String, byte[]> connection() {
    return connection;
  }

  /** Runs this package's timers (renewals, heartbeats): Lettuce's computation thread. Tasks must not block. */
  EventExecutorGroup executor() {
    return resources.eventExecutorGroup();
  }

  /** {@link #call(Function, Duration)} with the configured call timeout. */
  public <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, byte[]>, ? extends CompletionStage<T>> command) {
    return call(command, settings.callTimeout());
  }

  /**
   * Sends {@code command} and answers within {@code timeout}: with Redis's answer, with the error
   * Redis answered (a {@link RedisCommandExecutionException}: Redis is up, the command was wrong),
   * or with a {@link StoreUnavailableException} (down, not connected, no answer in time). While the
   * store is down, fails at once without sending anything.
   */
  public <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, byte[]>, ? extends CompletionStage<T>> command,
      Duration timeout) {
    if (!health.isUp()) {
      return CompletableFuture.failedFuture(new StoreUnavailableException("cluster store down: " + health.cause()));
    }
    return send(command, timeout);
  }

  /** A dedicated pub/sub connection (subscribers cannot share the command connection). */
  <V> CompletionStage<StatefulRedisPubSubConnection<String, V>> openPubSub(RedisCodec<String, V> codec) {
    if (client instanceof RedisClusterClient cluster) {
      return cluster.connectPubSubAsync(codec).thenApply(c -> (StatefulRedisPubSubConnection<String, V>) c);
    }
    return ((RedisClient) client).connectPubSubAsync(codec, uris.get(0)).toCompletableFuture();
  }

  /** Stops probing and closes the connection and Lettuce's threads. Blocking (up to about a second): not on an event loop. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    probe.cancel(false);
    StatefulConnection<String, byte[]> current = connection;
    try {
      if (current != null) {
        current.closeAsync().get(1, TimeUnit.SECONDS);
      }
      client.shutdownAsync(0, 1, TimeUnit.SECONDS).get(2, TimeUnit.SECONDS);
      resources.shutdown(0, 1, TimeUnit.SECONDS).get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("cluster store: closing took too long ({})", e.toString());
    }
    health.lost("closed");
  }

  private <T> CompletableFuture<T> send(Function<RedisClusterAsyncCommands<String, byte[]>, ? extends CompletionStage<T>> command,
      Duration timeout) {
    RedisClusterAsyncCommands<String, byte[]> redis = commands;
    if (redis == null) {
      return CompletableFuture.failedFuture(new StoreUnavailableException("cluster store not connected yet"));
    }
    CompletableFuture<T> answer = new CompletableFuture<>();
    CompletionStage<T> sent;
    try {
      sent = command.apply(redis);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(classify(e, answer));
    }
    sent.whenComplete((value, failure) -> {
      if (failure == null) {
        if (answer.complete(value)) {
          health.succeeded();
        }
      } else {
        answer.completeExceptionally(classify(failure, answer));
      }
    });
    Executor delay = timeout.equals(settings.callTimeout()) ? timeouts
        : CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS, Runnable::run);
    delay.execute(() -> {
      if (answer.completeExceptionally(new StoreUnavailableException("cluster store: no answer within "
          + timeout.toMillis() + " ms"))) {
        health.failed("no answer within " + timeout.toMillis() + " ms");
      }
    });
    return answer;
  }

  /** Redis's own error answers mean it is up; anything else means it is not reachable. */
  private Throwable classify(Throwable failure, CompletableFuture<?> answer) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RedisCommandExecutionException) {
      health.succeeded();
      return cause;
    }
    if (!answer.isDone()) {
      health.failed(describe(cause));
    }
    return cause instanceof StoreUnavailableException ? cause
        : new StoreUnavailableException("cluster store: " + describe(cause), cause);
  }

  private void probe() {
    if (closed || commands == null) {
      return;
    }
    send(redis -> redis.ping(), settings.callTimeout());
  }

  private void connect(int attempt) {
    if (closed) {
      return;
    }
    connectMain().whenComplete((conn, failure) -> {
      if (failure != null) {
        health.lost("cannot connect: " + describe(failure));
        if (attempt == 1 || attempt % 30 == 0) {
          log.warn("cluster store {}: cannot connect ({}), retrying", settings.endpoint().redacted(), describe(failure));
        }
        long delay = Math.min(settings.maxReconnectDelay().toMillis(), 20L << Math.min(attempt, 10));
        executor().schedule(() -> connect(attempt + 1), delay, TimeUnit.MILLISECONDS);
        return;
      }
      if (closed) {
        conn.closeAsync();
        return;
      }
      conn.addListener(watch);
      commands = conn instanceof StatefulRedisClusterConnection<String, byte[]> cluster ? cluster.async()
          : ((StatefulRedisConnection<String, byte[]>) conn).async();
      connection = conn;
      log.info("cluster store {}: connected", settings.endpoint().redacted());
      health.succeeded();
      connected.complete(conn);
    });
  }

  private CompletableFuture<? extends StatefulConnection<String, byte[]>> connectMain() {
    try {
      if (client instanceof RedisClusterClient cluster) {
        return cluster.connectAsync(CODEC);
      }
      return ((RedisClient) client).connectAsync(CODEC, uris.get(0)).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static AbstractRedisClient newClient(StoreSettings settings, ClientResources resources, List<RedisURI> uris) {
    SocketOptions socket = SocketOptions.builder()
        .connectTimeout(settings.commandTimeout())
        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable().idle(Duration.ofSeconds(5))
            .interval(Duration.ofSeconds(1)).count(3).build())
        .build();
    TimeoutOptions timeouts = TimeoutOptions.builder().fixedTimeout(settings.commandTimeout()).build();
    if (settings.endpoint().kind() == StoreEndpoint.Kind.CLUSTER) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      cluster.setOptions(ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .requestQueueSize(10_000)
          .socketOptions(socket)
          .timeoutOptions(timeouts)
          .build());
      return cluster;
    }
    RedisClient single = RedisClient.create(resources);
    single.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(10_000)
        .socketOptions(socket)
        .timeoutOptions(timeouts)
        .build());
    return single;
  }

  private static List<RedisURI> withCredentials(List<RedisURI> uris, StoreSecret secret) {
    List<RedisURI> result = new ArrayList<>();
    for (RedisURI uri : uris) {
      if (secret.present()) {
        // A provider, not setPassword: the URI's toString and toURI never hold the secret.
        uri.setCredentialsProvider(RedisCredentialsProvider.from(() -> RedisCredentials.just(secret.user(),
            secret.password())));
      }
      result.add(uri);
    }
    return result;
  }

  /** The failure's type and message; Lettuce's messages name hosts and commands, never credentials. */
  static String describe(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String text = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == cause ? text : text + " (" + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
  }

  /** Notices the shared connection going away (the socket closed) and coming back (Lettuce reconnected). */
  private final class ConnectionWatch implements RedisConnectionStateListener {
    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
      if (!closed) {
        log.warn("cluster store {}: connection lost, reconnecting", settings.endpoint().redacted());
        health.lost("connection lost");
      }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
      if (!closed) {
        log.info("cluster store {}: reconnected", settings.endpoint().redacted());
        probe();
      }
    }
  }
}
