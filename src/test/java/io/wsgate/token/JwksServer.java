package io.wsgate.token;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.wsgate.testing.Await;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real JWKS endpoint on 127.0.0.1, port chosen by the OS. It counts every request and can serve
 * keys, an arbitrary body and status, hold responses until released, or be stopped.
 */
final class JwksServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private final List<HttpServerRequest> held = new ArrayList<>();
  private volatile String body = "{\"keys\":[]}";
  private volatile int status = 200;
  private volatile boolean hold;
  private volatile boolean chunked;

  private JwksServer(Vertx vertx) {
    this.server = vertx.createHttpServer().requestHandler(this::handle);
  }

  static JwksServer start(Vertx vertx) {
    JwksServer s = new JwksServer(vertx);
    Await.result(s.server.listen(0, "127.0.0.1"));
    return s;
  }

  private void handle(HttpServerRequest request) {
    requests.incrementAndGet();
    synchronized (held) {
      if (hold) {
        held.add(request);
        return;
      }
    }
    respond(request);
  }

  private void respond(HttpServerRequest request) {
    var response = request.response().setStatusCode(status).putHeader("content-type", "application/json");
    if (chunked) {
      // no Content-Length: the client must stop reading by itself
      response.setChunked(true);
      String b = body;
      for (int i = 0; i < b.length(); i += 65536) {
        response.write(b.substring(i, Math.min(b.length(), i + 65536)));
      }
      response.end();
    } else {
      response.end(body);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json");
  }

  int requests() {
    return requests.get();
  }

  JwksServer serve(JWK... keys) {
    this.body = new JWKSet(Arrays.asList(keys)).toPublicJWKSet().toString();
    this.status = 200;
    this.chunked = false;
    return this;
  }

  JwksServer respond(int status, String body) {
    this.status = status;
    this.body = body;
    this.chunked = false;
    return this;
  }

  JwksServer respondChunked(String body) {
    respond(200, body);
    this.chunked = true;
    return this;
  }

  void hold() {
    synchronized (held) {
      hold = true;
    }
  }

  void release() {
    List<HttpServerRequest> waiting;
    synchronized (held) {
      hold = false;
      waiting = new ArrayList<>(held);
      held.clear();
    }
    waiting.forEach(this::respond);
  }

  /** The endpoint goes down: the port refuses connections. */
  void stop() {
    Await.result(server.close());
  }

  @Override
  public void close() {
    server.close();
  }
}
