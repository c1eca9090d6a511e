package io.wsgate.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;

import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JWKS caches, kept across policy snapshots: a reload whose issuer has the same name and the
 * same key source ({@code jwksUrl}, {@code refresh}, {@code minRefetch}, {@code fetchTimeout})
 * gets the same {@link JwksKeySource}, with its keys, its refresh timer and its fetch counters, so a
 * reload costs no refetch and no window without keys. An issuer whose key source changed starts a
 * new cache; one a reload removed is closed by {@link #retainOnly}. One per gateway; thread-safe.
 *
 * <pre>{@code
 * KeySources sources = KeySources.live(vertx, Clock.systemUTC());
 * TokenVerifier.create(vertx, issuers, sources);           // per snapshot
 * sources.retainOnly(newPolicy.security().issuers());     // after a swap
 * sources.close();                                        // on stop
 * }</pre>
 */
public final class KeySources {
  private record Key(String issuerName, KeySource keys) {
  }

  private final Vertx vertx;
  private final Clock clock;
  private final boolean fetch;
  private final Map<Key, JwksKeySource> sources = new HashMap<>();
  private HttpClient client;

  private KeySources(Vertx vertx, Clock clock, boolean fetch) {
    this.vertx = vertx;
    this.clock = clock;
    this.fetch = fetch;
  }

  /** Sources that fetch: the first fetch when created, then on their refresh timer and on demand. */
  public static KeySources live(Vertx vertx, Clock clock) {
    return new KeySources(vertx, clock, true);
  }

  /**
   * Sources that never fetch ({@code policy check}): the policy is checked as {@code run} builds it,
   * without depending on (or calling) the identity provider. A token verified against them would be
   * refused for want of keys.
   */
  public static KeySources offline(Vertx vertx) {
    return new KeySources(vertx, Clock.systemUTC(), false);
  }

  /** The issuer's JWKS source: the one already kept for the same definition, or a new, started one. */
  synchronized JwksKeySource source(Issuer issuer) {
    Key key = new Key(issuer.name(), issuer.keys());
    JwksKeySource existing = sources.get(key);
    if (existing != null) {
      return existing;
    }
    KeySource keys = issuer.keys();
    JwksKeySource created = new JwksKeySource(vertx, client(), issuer.name(), keys.jwksUrl(), keys.jwksRefresh(),
        keys.jwksMinRefetch(), keys.jwksFetchTimeout(), clock);
    sources.put(key, created);
    if (fetch) {
      created.start();
    }
    return created;
  }

  /** Closes the sources of issuers no longer defined (or defined differently) in {@code issuers}. */
  public synchronized void retainOnly(List<Issuer> issuers) {
    Set<Key> kept = new HashSet<>();
    for (Issuer issuer : issuers) {
      kept.add(new Key(issuer.name(), issuer.keys()));
    }
    sources.entrySet().removeIf(entry -> {
      if (kept.contains(entry.getKey())) {
        return false;
      }
      entry.getValue().close();
      return true;
    });
  }

  /** Issuers with a JWKS cache now (tests). */
  synchronized int size() {
    return sources.size();
  }

  /** Stops every refresh timer and closes the HTTP client; verifications already waiting finish. */
  public Future<Void> close() {
    HttpClient closing;
    synchronized (this) {
      sources.values().forEach(JwksKeySource::close);
      sources.clear();
      closing = client;
      client = null;
    }
    return closing == null ? Future.succeededFuture() : closing.close();
  }

  private HttpClient client() {
    if (client == null) {
      client = vertx.createHttpClient(new HttpClientOptions()
          .setName("wsgate-jwks")
          .setTrustAll(false) // https: the JVM trust store, host name verified
          .setVerifyHost(true)
          .setConnectTimeout((int) JwksKeySource.CONNECT_TIMEOUT_MS), new PoolOptions().setHttp1MaxSize(2));
    }
    return client;
  }
}
