package io.wsgate.cluster;

import io.wsgate.policy.StoreEndpoint;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wsgate.testing.Await;
import io.wsgate.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's connection against a real redis-server: bounded calls, health transitions, reconnection, AUTH. */
class RedisStoreIT {
  private static final Duration BOUND = Duration.ofMillis(50);
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void callsAnswerAndHealthIsUpOnceConnected() throws Exception {
    RedisServer redis = redis(null);
    RedisStore store = store(redis, StoreSecret.NONE);
    Await.until("store up", store.health()::isUp);
    assertEquals("PONG", get(store.call(r -> r.ping())));
    get(store.call(r -> r.set("k", "v".getBytes(StandardCharsets.UTF_8))));
    assertEquals("v", new String(get(store.call(r -> r.get("k"))), StandardCharsets.UTF_8));
  }

  @Test
  void aStoppedRedisFailsCallsWithinTheBoundGoesDownAndComesBackUpWhenRestarted() throws Exception {
    RedisServer redis = redis(null);
    RedisStore store = store(redis, StoreSecret.NONE);
    List<StoreHealth.State> transitions = new CopyOnWriteArrayList<>();
    store.health().onChange((state, cause) -> transitions.add(state));
    Await.until("store up", store.health()::isUp);

    redis.stop();
    Await.until("store down after the connection is lost", () -> !store.health().isUp());
    long started = System.nanoTime();
    Throwable failure = failure(store.call(r -> r.ping()));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertInstanceOf(StoreUnavailableException.class, failure);
    assertTrue(tookMillis <= BOUND.toMillis() + 40, "a call to a stopped store took " + tookMillis + " ms");

    redis.restart();
    Await.until("store up again after Redis restarted", Duration.ofSeconds(10), store.health()::isUp);
    assertEquals("PONG", get(store.call(r -> r.ping())));
    assertEquals(List.of(StoreHealth.State.DOWN, StoreHealth.State.UP), transitions.subList(transitions.size() - 2,
        transitions.size()));
  }

  @Test
  void aHungRedisTimesCallsOutAtTheBoundThenFailsFastAndRecoversWhenItAnswersAgain() throws Exception {
    RedisServer redis = redis(null);
    RedisStore store = store(redis, StoreSecret.NONE);
    Await.until("store up", store.health()::isUp);

    redis.freeze();
    try {
      for (int i = 0; i < 3; i++) {
        long started = System.nanoTime();
        Throwable failure = failure(store.call(r -> r.ping()));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        if (i == 0 || store.health().isUp()) {
          assertTrue(failure.getMessage().contains("no answer within 50 ms") || !store.health().isUp(), failure.toString());
        }
        assertTrue(tookMillis <= BOUND.toMillis() + 40, "call " + i + " to a hung store took " + tookMillis + " ms");
      }
      Await.until("store down after calls in a row timed out", () -> !store.health().isUp());
      long started = System.nanoTime();
      assertInstanceOf(StoreUnavailableException.class, failure(store.call(r -> r.ping())));
      assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(20), "a call while down fails at once");
    } finally {
      redis.thaw();
    }
    Await.until("store up again once Redis answers", Duration.ofSeconds(10), store.health()::isUp);
    assertEquals("PONG", get(store.call(r -> r.ping())));
  }

  @Test
  void opensWhileRedisIsAwayAndConnectsWhenItArrives() throws Exception {
    RedisServer redis = redis(null);
    redis.stop();
    RedisStore store = store(redis, StoreSecret.NONE);
    assertFalse(store.health().isUp());
    assertInstanceOf(StoreUnavailableException.class, failure(store.call(r -> r.ping())));
    redis.restart();
    Await.until("connected once Redis started", Duration.ofSeconds(10), store.health()::isUp);
    assertEquals("PONG", get(store.call(r -> r.ping())));
  }

  @Test
  void authenticatesWithThePasswordAndNeverLogsIt() throws Exception {
    String password = "pw-" + Long.toHexString(System.nanoTime());
    RedisServer redis = redis(password);
    Logger logger = (Logger) LoggerFactory.getLogger(RedisStore.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      RedisStore good = store(redis, StoreSecret.of(null, password.toCharArray()));
      Await.until("authenticated store up", good.health()::isUp);
      assertEquals("PONG", get(good.call(r -> r.ping())));

      RedisStore bad = store(redis, StoreSecret.of(null, "wrong".toCharArray()));
      Await.until("refused store logged its failure", () -> logs.list.stream()
          .anyMatch(e -> e.getFormattedMessage().contains("cannot connect")));
      assertFalse(bad.health().isUp());
      assertTrue(bad.health().cause().contains("cannot connect"), bad.health().cause());
    } finally {
      logger.detachAppender(logs);
    }
    assertFalse(logs.list.isEmpty());
    for (ILoggingEvent event : logs.list) {
      assertFalse(event.getFormattedMessage().contains(password), event.getFormattedMessage());
    }
  }

  @Test
  void usesFewThreads() throws Exception {
    RedisServer redis = redis(null);
    RedisStore store = store(redis, StoreSecret.NONE);
    Await.until("store up", store.health()::isUp);
    get(store.call(r -> r.ping()));
    List<String> lettuce = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith("lettuce")).toList();
    assertTrue(lettuce.size() <= 3, "Lettuce threads: " + lettuce);
  }

  @Test
  void refusesCredentialsInTheUriAndRedactsWhatItPrints() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StoreEndpoint.parse("redis://user:secret@127.0.0.1:6379"));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
    assertEquals("redis://127.0.0.1:6380/0", StoreEndpoint.parse("redis://127.0.0.1:6380").redacted());
    StoreEndpoint sentinel = StoreEndpoint.parse("redis-sentinel://10.0.0.5:26379,10.0.0.6:26380#main");
    assertEquals(StoreEndpoint.Kind.SENTINEL, sentinel.kind());
    assertEquals("main", sentinel.uris().get(0).getSentinelMasterId());
    assertEquals(2, sentinel.uris().get(0).getSentinels().size(), "Lettuce is given both Sentinels");
    assertEquals("redis-sentinel://10.0.0.5:26379,10.0.0.6:26380#main", sentinel.redacted());
    StoreEndpoint cluster = StoreEndpoint.parse("redis-cluster://10.0.0.5:7000,10.0.0.6:7001");
    assertEquals(StoreEndpoint.Kind.CLUSTER, cluster.kind());
    assertEquals(2, cluster.uris().size());
    assertThrows(IllegalArgumentException.class, () -> StoreEndpoint.parse("http://127.0.0.1:6379"));
    assertThrows(IllegalArgumentException.class, () -> StoreEndpoint.parse("redis-sentinel://10.0.0.5:26379"));
  }

  private RedisServer redis(String password) throws Exception {
    RedisServer redis = RedisServer.start(password);
    toClose.add(redis);
    return redis;
  }

  private RedisStore store(RedisServer redis, StoreSecret secret) {
    RedisStore store = RedisStore.open(StoreSettings.defaults(StoreEndpoint.parse(redis.uri()), "gw-test")
        .withSecret(secret).withCallTimeout(BOUND).withProbeInterval(Duration.ofMillis(100)));
    toClose.add(store);
    return store;
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
