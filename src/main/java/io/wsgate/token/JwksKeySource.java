package io.wsgate.token;

import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One issuer's JWKS endpoint: the last good {@link KeySet}, refreshed in the background every
 * {@code jwksRefresh}, and refetched on demand (a {@code kid} it does not know, or no keys yet) at
 * most once per {@code jwksMinRefetch}. Concurrent callers share one in-flight fetch. A failed
 * fetch (down, not 200, too large, not a JWK Set, no usable key) keeps the last good keys.
 *
 * <p>State is one volatile reference plus a small lock around the in-flight fetch and the
 * on-demand clock; nothing here blocks. Memory is bounded: one key set of at most
 * {@link KeySet#MAX_KEYS} keys, a response of at most {@link #MAX_RESPONSE_BYTES}.
 */
final class JwksKeySource {
  private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);
  static final int MAX_RESPONSE_BYTES = 1 << 20;
  static final long CONNECT_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final Context context;
  private final HttpClient client;
  private final String issuerName;
  private final URI url;
  private final long refreshMillis;
  private final long minRefetchMillis;
  private final long fetchTimeoutMillis;
  private final Clock clock;
  private final AtomicLong fetches = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile KeySet keys;
  // guarded by this
  private Future<KeySet> inFlight;
  private boolean onDemandEver;
  private long lastOnDemandMillis;
  private long timerId = -1;
  private boolean closed;

  JwksKeySource(Vertx vertx, HttpClient client, String issuerName, URI url, Duration refresh, Duration minRefetch,
                Duration fetchTimeout, Clock clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.issuerName = issuerName;
    this.url = url;
    this.refreshMillis = refresh.toMillis();
    this.minRefetchMillis = minRefetch.toMillis();
    this.fetchTimeoutMillis = fetchTimeout.toMillis();
    this.clock = clock;
  }

  /** First fetch now, then every {@code jwksRefresh}. */
  void start() {
    fetch(false);
    long id = vertx.setPeriodic(refreshMillis, t -> fetch(false));
    boolean cancel;
    synchronized (this) {
      cancel = closed;
      timerId = id;
    }
    if (cancel) {
      vertx.cancelTimer(id);
    }
  }

  /** The last good keys, or null if no fetch has succeeded yet. */
  KeySet current() {
    return keys;
  }

  /**
   * Keys after an on-demand refetch: joins the fetch in flight, or starts one unless one was
   * started on demand less than {@code jwksMinRefetch} ago. Succeeds with the last good keys
   * whenever there are any (even if this fetch failed or was not allowed); fails with
   * {@link io.wsgate.Reason#TOKEN_KEYS_UNAVAILABLE} only if no fetch ever succeeded. The future
   * completes on the thread that completed the fetch.
   */
  Future<KeySet> refetch() {
    Future<KeySet> fetch = fetch(true);
    if (fetch == null) {
      return lastGood();
    }
    return fetch.transform(ar -> lastGood());
  }

  private Future<KeySet> lastGood() {
    KeySet k = keys;
    return k != null ? Future.succeededFuture(k) : Future.failedFuture(TokenRejection.keysUnavailable(issuerName));
  }

  /** The fetch in flight, a new one, or null when closed or (on demand) rate limited. */
  private Future<KeySet> fetch(boolean onDemand) {
    Promise<KeySet> promise;
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      if (closed) {
        return null;
      }
      if (onDemand) {
        long now = clock.millis();
        if (onDemandEver && now - lastOnDemandMillis < minRefetchMillis) {
          return null;
        }
        onDemandEver = true;
        lastOnDemandMillis = now;
      }
      promise = Promise.promise();
      inFlight = promise.future();
    }
    request().onComplete(ar -> {
      fetches.incrementAndGet();
      if (ar.succeeded()) {
        keys = ar.result();
      } else {
        failures.incrementAndGet();
        // Scheme, host, port and path only: user info or a query string may carry a credential.
        LOG.warn("JWKS fetch for issuer {} from {}://{}{}{} failed: {}{}", issuerName, url.getScheme(), url.getHost(),
            url.getPort() > 0 ? ":" + url.getPort() : "", url.getPath(), ar.cause().getMessage(),
            keys != null ? "; keeping the last good keys" : "; no keys yet");
      }
      synchronized (this) {
        inFlight = null;
      }
      promise.handle(ar);
    });
    return promise.future();
  }

  private Future<KeySet> request() {
    Promise<Buffer> body = Promise.promise();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    // One deadline for the whole fetch: an idle timeout alone would let a slow drip of bytes go on forever.
    long deadline = vertx.setTimer(fetchTimeoutMillis, t -> {
      if (body.tryFail(new FetchFailure("no complete response within " + fetchTimeoutMillis + " ms"))) {
        HttpClientRequest req = sent.get();
        if (req != null) {
          req.reset();
        }
      }
    });
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(url.toString())
        .setFollowRedirects(false)
        .setConnectTimeout(Math.min(CONNECT_TIMEOUT_MS, fetchTimeoutMillis))
        .setIdleTimeout(fetchTimeoutMillis)
        .putHeader(HttpHeaders.ACCEPT, "application/jwk-set+json, application/json");
    // Issued from the source's own context: the response then reaches read() on that event loop
    // before any of its body, so no chunk arrives ahead of the handlers. (From another thread the
    // callbacks are queued, and a small response can be complete before they run.)
    context.runOnContext(v -> client.request(options)
        .compose(req -> {
          sent.set(req);
          return req.send();
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            body.tryFail(new FetchFailure(describe(ar.cause())));
          } else {
            read(ar.result(), body);
          }
        }));
    return body.future()
        .andThen(ar -> vertx.cancelTimer(deadline))
        .compose(JwksKeySource::parse);
  }

  /** Collects the body up to {@link #MAX_RESPONSE_BYTES}; anything else fails {@code body}. */
  private static void read(HttpClientResponse response, Promise<Buffer> body) {
    // Set first: resetting the stream below reports an error to this handler, which must not go unhandled.
    response.exceptionHandler(e -> body.tryFail(new FetchFailure(describe(e))));
    if (response.statusCode() != 200) {
      fail(response, body, "HTTP " + response.statusCode());
      return;
    }
    String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && (!declared.matches("[0-9]{1,12}") || Long.parseLong(declared) > MAX_RESPONSE_BYTES)) {
      fail(response, body, "declared length " + declared + " over " + MAX_RESPONSE_BYTES + " bytes");
      return;
    }
    Buffer collected = Buffer.buffer();
    response.handler(chunk -> {
      if (collected.length() + chunk.length() > MAX_RESPONSE_BYTES) {
        fail(response, body, "response over " + MAX_RESPONSE_BYTES + " bytes");
        return;
      }
      collected.appendBuffer(chunk);
    });
    response.endHandler(v -> body.tryComplete(collected));
  }

  private static void fail(HttpClientResponse response, Promise<Buffer> body, String why) {
    if (body.tryFail(new FetchFailure(why))) {
      response.request().reset(); // stop reading: the connection is closed, not drained
    }
  }

  private static Future<KeySet> parse(Buffer body) {
    try {
      return Future.succeededFuture(KeySet.lenient(JWKSet.parse(body.toString(StandardCharsets.UTF_8)).getKeys()));
    } catch (ParseException e) {
      return Future.failedFuture(new FetchFailure("response is not a JWK Set"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new FetchFailure(e.getMessage()));
    } catch (RuntimeException e) {
      return Future.failedFuture(new FetchFailure("response is not a JWK Set"));
    }
  }

  private static String describe(Throwable e) {
    return e instanceof FetchFailure ? e.getMessage()
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  long fetches() {
    return fetches.get();
  }

  long failures() {
    return failures.get();
  }

  synchronized long timerId() {
    return timerId;
  }

  /** Cancels the refresh timer; a fetch in flight completes but starts nothing new. */
  void close() {
    long id;
    synchronized (this) {
      closed = true;
      id = timerId;
    }
    if (id >= 0) {
      vertx.cancelTimer(id);
    }
  }

  /** A fetch that did not produce keys; the message is for the log (no key material, no stack trace). */
  static final class FetchFailure extends RuntimeException {
    FetchFailure(String message) {
      super(message, null, false, false);
    }
  }
}
