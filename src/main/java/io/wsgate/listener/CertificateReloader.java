package io.wsgate.listener;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import io.wsgate.policy.Route;
import io.wsgate.policy.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps the listeners serving the policy's certificates without a restart: it watches every
 * certificate and key file and, when one changes (renewal, rotation), loads the whole set again;
 * a reload that changes the list ({@link #serve}) loads the new set before the new routes are in
 * force. Live sessions keep their TLS session; new handshakes get the new certificates. A broken
 * renewal is logged and the old set kept: that includes a key that does not belong to its
 * certificate ({@link KeyPairCheck}), which TLS libraries load without complaint and which would
 * fail every handshake after it. It also keeps the listeners asking for client certificates exactly
 * when the policy has a {@code clientCert} route ({@link ClientCertRequest}): a reload that adds the
 * first one (or changes a CA) updates the running listeners before that route is in force.
 */
public final class CertificateReloader {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  private final Vertx vertx;
  private final Supplier<List<HttpServer>> servers;
  /** Where the listener's TLS is written in the policy, for messages ({@code listen.tls}, {@code listeners[1].tls}). */
  private final String field;
  private final String listener;
  // guarded by this: what the listeners serve, and the files' stamp when they were read
  private Tls serving;
  private ClientCertRequest asking;
  private String lastSeen;
  private long timer = -1;

  /**
   * @param routes   the routes the listener was started with: whether it asks for client certificates
   * @param listener the listener's name: only the routes reachable through it count
   * @param field    where the listener's TLS is written in the policy, for messages
   */
  public CertificateReloader(Vertx vertx, Tls tls, List<Route> routes, String listener,
                             Supplier<List<HttpServer>> servers, String field) {
    this.vertx = vertx;
    this.serving = tls;
    this.listener = listener;
    this.asking = ClientCertRequest.of(routes, listener);
    this.servers = servers;
    this.field = field;
  }

  public Future<Void> start(long intervalMs) {
    Tls tls = current();
    return vertx.executeBlocking(() -> stamp(tls), false).map(s -> {
      synchronized (this) {
        lastSeen = s;
      }
      timer = vertx.setPeriodic(intervalMs, id -> check());
      return null;
    });
  }

  public void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Serves {@code next} from now on, when its certificate list differs from the one served: read and
   * checked off the event loop, then loaded into every listener.
   *
   * @return fails, naming the files and why, when a pair cannot be served; the old set is then kept
   */
  public Future<Void> serve(Tls next, List<Route> routes) {
    ClientCertRequest nextAsking = ClientCertRequest.of(routes, listener);
    boolean sameAsking;
    synchronized (this) {
      sameAsking = nextAsking.equals(asking);
    }
    if (next.certificates().equals(current().certificates()) && sameAsking) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> new Loaded(stamp(next),
                ServerTls.sslOptions(ServerTls.keyManager(next), nextAsking)), false)
        .recover(failure -> Future.failedFuture(new IllegalStateException(field + ": " + failure.getMessage())))
        .compose(loaded -> {
          synchronized (this) {
            serving = next;
            asking = nextAsking;
            lastSeen = loaded.stamp();
          }
          return update(loaded.options()).onSuccess(v -> LOG.info("TLS certificates now served: {}{}", files(next),
              nextAsking.requested() ? " (client certificates requested)" : ""));
        });
  }

  private record Loaded(String stamp, ServerSSLOptions options) {
  }

  private synchronized Tls current() {
    return serving;
  }

  private synchronized ClientCertRequest asking() {
    return asking;
  }

  private void check() {
    Tls tls = current();
    vertx.executeBlocking(() -> stamp(tls), false).onSuccess(now -> {
      synchronized (this) {
        if (tls != serving || now.equals(lastSeen)) {
          return;
        }
        lastSeen = now;
      }
      reload(tls);
    });
  }

  private void reload(Tls tls) {
    ClientCertRequest clientCerts = asking();
    vertx.executeBlocking(() -> ServerTls.sslOptions(ServerTls.keyManager(tls), clientCerts), false).onComplete(read -> {
      if (read.failed()) {
        LOG.error("TLS certificate reload refused, keeping the previous certificates: {}", read.cause().getMessage());
        return;
      }
      synchronized (this) {
        if (tls != serving || clientCerts != asking) {
          return; // a policy reload changed the list meanwhile, and loaded its own
        }
      }
      update(read.result()).onComplete(ar -> {
        if (ar.succeeded()) {
          LOG.info("TLS certificates reloaded: {}", files(tls));
        } else {
          LOG.error("TLS certificate reload failed, keeping the previous ones: {}", ar.cause().getMessage());
        }
      });
    });
  }

  private Future<Void> update(ServerSSLOptions options) {
    return Future.all(servers.get().stream().map(server -> server.updateSSLOptions(options, true)).toList())
        .mapEmpty();
  }

  /** Each file's modification time and size: a change to any of them is a renewal. Blocking. */
  private static String stamp(Tls tls) throws IOException {
    StringBuilder out = new StringBuilder();
    for (Tls.Pair pair : tls.certificates()) {
      for (Path file : List.of(pair.cert(), pair.key())) {
        out.append(file).append('@').append(Files.getLastModifiedTime(file).toMillis()).append(':')
            .append(Files.size(file)).append('\n');
      }
    }
    return out.toString();
  }

  private static String files(Tls tls) {
    return String.join(", ", tls.certificates().stream().map(p -> p.cert().toString()).toList());
  }
}
