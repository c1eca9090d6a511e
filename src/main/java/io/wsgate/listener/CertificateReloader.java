package io.wsgate.listener;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import io.wsgate.policy.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Watches the certificate and key files and, when either changes (renewal, rotation), loads them
 * into every running listener without a restart. Live sessions keep their TLS session; new
 * handshakes get the new certificate. A broken renewal is logged and the old certificate kept:
 * that includes a key that does not belong to the certificate ({@link KeyPairCheck}), which TLS
 * libraries load without complaint and which would fail every handshake after it.
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
    // The bytes checked are the bytes loaded: a file replaced again in between cannot slip through.
    vertx.executeBlocking(this::readMatchingPair, false).onComplete(read -> {
      if (read.failed()) {
        LOG.error("TLS certificate reload refused, keeping the previous certificate: {} / {}: {}", tls.cert(), tls.key(),
            read.cause().getMessage());
        return;
      }
      List<Future<Boolean>> updates = servers.get().stream()
          .map(server -> server.updateSSLOptions(read.result(), true))
          .toList();
      Future.all(updates).onComplete(ar -> {
        if (ar.succeeded()) {
          LOG.info("TLS certificate reloaded from {}", tls.cert());
        } else {
          LOG.error("TLS certificate reload failed, keeping the previous one: {}", ar.cause().getMessage());
        }
      });
    });
  }

  private ServerSSLOptions readMatchingPair() throws IOException {
    byte[] cert = Files.readAllBytes(tls.cert());
    byte[] key = Files.readAllBytes(tls.key());
    Optional<String> problem = KeyPairCheck.problem(cert, key);
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
    return ServerTls.sslOptions(Buffer.buffer(cert), Buffer.buffer(key));
  }

  private Future<String> stamp() {
    Future<FileProps> cert = vertx.fileSystem().props(tls.cert().toString());
    Future<FileProps> key = vertx.fileSystem().props(tls.key().toString());
    return Future.all(cert, key).map(v -> cert.result().lastModifiedTime() + ":" + cert.result().size() + "/"
        + key.result().lastModifiedTime() + ":" + key.result().size());
  }
}
