package io.wsgate.listener;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.HttpServer;
import io.wsgate.policy.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * Watches the certificate and key files and, when either changes (renewal, rotation), loads them
 * into every running listener without a restart. Live sessions keep their TLS session; new
 * handshakes get the new certificate. A broken renewal is logged and the old certificate kept.
 */
public final class CertificateReloader {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  private final Vertx vertx;
  private final Tls tls;
  private final Supplier<List<HttpServer>> servers;
  private String lastSeen;
  private long timer = -1;

  public CertificateReloader(Vertx vertx, Tls tls, Supplier<List<HttpServer>> servers) {
    this.vertx = vertx;
    this.tls = tls;
    this.servers = servers;
  }

  public Future<Void> start(long intervalMs) {
    return stamp().map(s -> {
      lastSeen = s;
      timer = vertx.setPeriodic(intervalMs, id -> check());
      return null;
    });
  }

  public void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    stamp().onSuccess(now -> {
      if (!now.equals(lastSeen)) {
        lastSeen = now;
        reload();
      }
    });
  }

  private void reload() {
    List<Future<Boolean>> updates = servers.get().stream()
        .map(server -> server.updateSSLOptions(ServerTls.sslOptions(tls), true))
        .toList();
    Future.all(updates).onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("TLS certificate reloaded from {}", tls.cert());
      } else {
        LOG.error("TLS certificate reload failed, keeping the previous one: {}", ar.cause().getMessage());
      }
    });
  }

  private Future<String> stamp() {
    Future<FileProps> cert = vertx.fileSystem().props(tls.cert().toString());
    Future<FileProps> key = vertx.fileSystem().props(tls.key().toString());
    return Future.all(cert, key).map(v -> cert.result().lastModifiedTime() + ":" + cert.result().size() + "/"
        + key.result().lastModifiedTime() + ":" + key.result().size());
  }
}
