package io.wsgate.cluster;

import io.wsgate.policy.StoreEndpoint;
import io.wsgate.testing.Await;
import io.wsgate.testing.RedisServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Test helper: "nodes" of a fleet, each a store with its own node id and connection, on one real Redis. */
final class ClusterStores implements AutoCloseable {
  private final List<AutoCloseable> opened = new ArrayList<>();
  final RedisServer redis;

  ClusterStores() throws Exception {
    this.redis = RedisServer.start();
    opened.add(redis);
  }

  /** A connected store for node {@code nodeId} (50 ms calls, a probe every 100 ms). */
  RedisStore node(String nodeId) {
    return node(nodeId, StoreSettings.defaults(StoreEndpoint.parse(redis.uri()), nodeId).callTimeout());
  }

  /** A node whose calls may take up to {@code callTimeout} before it falls back to its own state. */
  RedisStore node(String nodeId, Duration callTimeout) {
    RedisStore store = RedisStore.open(StoreSettings.defaults(StoreEndpoint.parse(redis.uri()), nodeId)
        .withProbeInterval(Duration.ofMillis(100)).withCallTimeout(callTimeout));
    opened.add(store);
    Await.until(nodeId + " connected", store.health()::isUp);
    return store;
  }

  <T extends AutoCloseable> T closeLater(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @Override
  public void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
