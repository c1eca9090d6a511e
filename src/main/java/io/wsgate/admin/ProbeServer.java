package io.wsgate.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.ProbeSettings;

/**
 * The probes listener: plain HTTP, no token, and nothing but
 *
 * <pre>
 * GET /health   200 {"status":"UP"} while the process runs (liveness)
 * GET /ready    200, or 503 naming the failed check (the admin listener's {@link Readiness})
 * </pre>
 *
 * HEAD is answered as GET without a body (RFC 9110 §9.3.2); another method gets 405 with
 * {@code Allow: GET, HEAD}, another path 404. Nothing here reads or changes state, so it needs no
 * credentials: it is what a kubelet, a load balancer or a container {@code HEALTHCHECK} can reach.
 * Probes are not audited.
 */
public final class ProbeServer {
  private static final String JSON = "application/json; charset=utf-8";
  private static final JsonObject UP = new JsonObject().put("status", "UP");

  private final Readiness readiness;
  private HttpServer server;

  private ProbeServer(Readiness readiness) {
    this.readiness = readiness;
  }

  /** Binds; fails when the address cannot be bound. */
  public static Future<ProbeServer> start(Vertx vertx, Readiness readiness, ProbeSettings settings) {
    ProbeServer probes = new ProbeServer(readiness);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        .setIdleTimeout(60)
        .setMaxInitialLineLength(1024)
        .setMaxHeaderSize(8192)
        .setDecompressionSupported(false);
    probes.server = vertx.createHttpServer(options).requestHandler(probes::handle);
    return probes.server.listen().map(probes);
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    boolean known = "/health".equals(path) || "/ready".equals(path);
    if (!known) {
      answer(request, 404, new JsonObject().put("error", "not found"));
      return;
    }
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      request.response().putHeader("allow", "GET, HEAD");
      answer(request, 405, new JsonObject().put("error", "method not allowed"));
      return;
    }
    if ("/health".equals(path)) {
      answer(request, 200, UP);
    } else {
      Readiness.Report report = readiness.report();
      answer(request, report.status(), report.body());
    }
  }

  private static void answer(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status)
        .putHeader("content-type", JSON)
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }

  /** The bound port (the OS's choice when the policy said 0). */
  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }
}
