package io.wsgate.attack;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsgate.testing.Await;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attacker's key server: a real HTTP endpoint on 127.0.0.1 serving the attacker's public key,
 * for tokens whose {@code jku} or {@code x5u} header points at it. It counts requests; the gateway
 * must never make one.
 */
final class KeyTrap {
  final AtomicInteger requests = new AtomicInteger();
  private final HttpServer server;

  KeyTrap(Vertx vertx, RSAKey attackerKey) {
    String body = new JWKSet(attackerKey).toPublicJWKSet().toString();
    server = vertx.createHttpServer().requestHandler(request -> {
      requests.incrementAndGet();
      request.response().putHeader("content-type", "application/json").end(body);
    });
    Await.result(server.listen(0, "127.0.0.1"));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + path);
  }
}
