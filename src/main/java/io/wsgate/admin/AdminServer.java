package io.wsgate.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.wsgate.metrics.GatewayMeters;
import io.wsgate.Reason;
import io.wsgate.audit.AuditLog;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.AdminToken;
import io.wsgate.limits.RevocationListFull;
import io.wsgate.limits.SubjectId;
import io.wsgate.policy.PolicyFiles;
import io.wsgate.reload.PolicyReloader;
import io.wsgate.session.Session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The admin listener: a Vert.x Web router on its own address (loopback by default), separate from
 * the client listeners.
 *
 * <pre>
 * GET    /metrics                  Prometheus text (docs/metrics.md)
 * GET    /health                   200 {"status":"UP"} while the process runs
 * GET    /ready                    200, or 503 naming the failed check ({@link Readiness})
 * GET    /sessions?limit=&amp;offset=  live sessions, oldest first; limit 1..1000 (default 100)
 * DELETE /sessions/{id}            close one session with 1008 (404 if unknown)
 * POST   /subjects/{sub}/revoke    close the subject's sessions, refuse its tokens until a time (?issuer=)
 * DELETE /subjects/{sub}/revoke    lift a revocation early (?issuer=)
 * GET    /policy                   the policy in force: version, source files and their SHA-256, when loaded
 * GET    /cluster                  the fleet's live nodes (404 without a cluster section, 503 while its store is down)
 * POST   /policy/reload            reload the policy now; answers the outcome (200 ok, 422 failed, 409 refused)
 * </pre>
 *
 * Every request passes one guard first: a request carrying {@code Origin} (a browser) is refused;
 * with a token configured, {@code Authorization: Bearer <token>} must match (compared in constant
 * time); without one — only allowed on loopback — the {@code Host} must be a loopback name, so a
 * web page cannot reach the API through DNS rebinding. Session listings, kills, revocations and
 * refused requests are audited ({@code admin.action}); scrapes and probes are not.
 */
public final class AdminServer {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  static final Duration DEFAULT_REVOCATION = Duration.ofHours(1);
  static final Duration MAX_REVOCATION = Duration.ofDays(365);
  static final int MAX_BODY_BYTES = 4096;
  static final int MAX_SUBJECT_CHARS = 1024;
  private static final String JSON = "application/json; charset=utf-8";

  private final AdminOperations gateway;
  private final AuditLog audit;
  private final byte[] tokenDigest;
  private final Readiness readiness;
  private HttpServer server;

  private AdminServer(AdminOperations gateway, byte[] tokenDigest) {
    this.gateway = gateway;
    this.audit = gateway.audit();
    this.tokenDigest = tokenDigest;
    this.readiness = new Readiness(gateway);
  }

  /**
   * Reads the token (if any) off the event loop, then binds. Fails when the token cannot be read or
   * the address cannot be bound.
   */
  public static Future<AdminServer> start(Vertx vertx, AdminOperations gateway, AdminSettings settings) {
    Future<byte[]> digest = settings.tokenRequired()
        ? vertx.executeBlocking(() -> {
          byte[] token = AdminToken.read(settings);
          try {
            return sha256(token);
          } finally {
            Arrays.fill(token, (byte) 0);
          }
        }, false)
        : Future.succeededFuture(null);
    return digest.compose(d -> {
      AdminServer admin = new AdminServer(gateway, d);
      return admin.listen(vertx, settings).map(admin);
    });
  }

  private Future<HttpServer> listen(Vertx vertx, AdminSettings settings) {
    Router router = Router.router(vertx);
    router.route().handler(this::guard);
    router.get("/health").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", GatewayMeters.contentType())
        .putHeader("cache-control", "no-store")
        .end(gateway.scrapeMetrics()));
    router.get("/sessions").handler(this::listSessions);
    router.delete("/sessions/:id").handler(this::killSession);
    router.post("/subjects/:sub/revoke").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::revokeSubject);
    router.delete("/subjects/:sub/revoke").handler(this::liftRevocation);
    router.get("/policy").handler(this::showPolicy);
    router.get("/cluster").handler(this::showCluster);
    router.post("/policy/reload").handler(this::reloadPolicy);
    router.errorHandler(404, ctx -> error(ctx, 404, "not found"));
    router.errorHandler(405, ctx -> error(ctx, 405, "method not allowed"));
    router.errorHandler(413, ctx -> error(ctx, 413, "body larger than " + MAX_BODY_BYTES + " bytes"));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal error"));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        .setIdleTimeout(60)
        .setMaxInitialLineLength(4096)
        .setMaxHeaderSize(8192)
        .setDecompressionSupported(false);
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen();
  }

  /** The bound port (the OS's choice when the policy said 0). */
  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }

  // --- the guard -------------------------------------------------------------------------------

  private void guard(RoutingContext ctx) {
    if (ctx.request().getHeader("origin") != null) {
      // Browsers send Origin on cross-origin requests (and on every POST/DELETE): the admin API is
      // for operators and scrapers, never for a web page the operator happens to have open.
      refuse(ctx, 403, "forbidden", "requests from browsers are not accepted");
      return;
    }
    if (tokenDigest == null) {
      HostAndPort authority = ctx.request().authority();
      if (authority != null && !AdminSettings.isLoopback(authority.host())) {
        // DNS rebinding: a name that resolves to 127.0.0.1 still arrives with its own Host.
        refuse(ctx, 403, "forbidden", "Host must be a loopback address");
        return;
      }
      ctx.next();
      return;
    }
    String presented = bearer(ctx.request().getHeader("authorization"));
    if (presented == null) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"wsgate-admin\"");
      refuse(ctx, 401, "unauthorized", "bearer token required");
      return;
    }
    // Both sides hashed first: equal lengths, so the comparison time says nothing about the token.
    if (!MessageDigest.isEqual(tokenDigest, sha256(presented.getBytes(StandardCharsets.UTF_8)))) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"wsgate-admin\", error=\"invalid_token\"");
      refuse(ctx, 401, "unauthorized", "invalid bearer token");
      return;
    }
    ctx.next();
  }

  /** The token of {@code Authorization: Bearer <token>} (RFC 6750 §2.1; the scheme is case-insensitive), or null. */
  static String bearer(String header) {
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  private void refuse(RoutingContext ctx, int status, String outcome, String message) {
    audit.adminAction("request", target(ctx.request().method() + " " + ctx.request().path()), remoteIp(ctx), outcome);
    error(ctx, status, message);
  }

  // --- endpoints -------------------------------------------------------------------------------

  private void ready(RoutingContext ctx) {
    Readiness.Report report = readiness.report();
    json(ctx, report.status(), report.body());
  }

  private void listSessions(RoutingContext ctx) {
    Integer limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    Integer offset = limit == null ? null : intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    if (limit == null || offset == null) {
      audit.adminAction("sessions.list", null, remoteIp(ctx), "bad_request");
      return;
    }
    record Row(Session session, long ageMs) {
    }
    List<Row> rows = new ArrayList<>();
    for (Session session : gateway.sessions()) {
      rows.add(new Row(session, session.ageMillis()));
    }
    // Oldest first, so paging is stable while new sessions arrive.
    rows.sort(Comparator.comparingLong(Row::ageMs).reversed().thenComparing(r -> r.session().id()));
    JsonArray page = new JsonArray();
    String node = gateway.node();
    for (int i = offset; i < rows.size() && i - offset < limit; i++) {
      Session s = rows.get(i).session();
      page.add(new JsonObject()
          .put("id", s.id())
          .put("node", node)
          .put("subject", s.subject())
          .put("issuer", s.issuer())
          .put("clientIp", s.clientIp())
          .put("route", s.route())
          .put("listener", s.listener())
          .put("upstream", s.upstreamLabel())
          .put("ageMs", rows.get(i).ageMs())
          .put("messagesToUpstream", s.messagesToUpstream())
          .put("bytesToUpstream", s.bytesToUpstream())
          .put("messagesToClient", s.messagesToClient())
          .put("bytesToClient", s.bytesToClient()));
    }
    audit.adminAction("sessions.list", null, remoteIp(ctx), "ok");
    json(ctx, 200, new JsonObject().put("total", rows.size()).put("offset", offset).put("limit", limit)
        .put("sessions", page));
  }

  private void killSession(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Session session = gateway.session(id);
    if (session == null) {
      audit.adminAction("session.kill", target(id), remoteIp(ctx), "not_found");
      error(ctx, 404, "no live session with this id");
      return;
    }
    session.close(Reason.SESSION_KILLED);
    audit.adminAction("session.kill", id, remoteIp(ctx), "ok");
    json(ctx, 200, new JsonObject().put("id", id).put("reason", Reason.SESSION_KILLED.tag())
        .put("closeCode", Reason.SESSION_KILLED.code()));
  }

  private void revokeSubject(RoutingContext ctx) {
    SubjectId subject = subjectOf(ctx, "subject.revoke");
    if (subject == null) {
      return;
    }
    Instant now = Instant.now();
    Instant until;
    try {
      until = revokedUntil(ctx, now);
    } catch (IllegalArgumentException e) {
      audit.adminAction("subject.revoke", target(subject.toString()), remoteIp(ctx), "bad_request");
      error(ctx, 400, e.getMessage());
      return;
    }
    gateway.revokeSubject(subject, until).onComplete(ar -> {
      if (ar.failed()) {
        boolean full = ar.cause() instanceof RevocationListFull;
        audit.adminAction("subject.revoke", target(subject.toString()), remoteIp(ctx), full ? "full" : "error");
        // 507: the request was understood, but there is no room to keep it (RFC 4918 §11.5).
        error(ctx, full ? 507 : 500, full ? ar.cause().getMessage() : "the revocation could not be stored");
        return;
      }
      AdminOperations.Revoked revoked = ar.result();
      audit.adminAction("subject.revoke", target(subject.toString()), remoteIp(ctx),
          revoked.sharedLater() ? "ok_shared_later" : "ok");
      JsonObject body = new JsonObject().put("subject", subject.subject()).put("issuer", subject.issuer())
          .put("until", until.toString()).put("sessionsClosed", revoked.sessionsClosed());
      if (revoked.sharedLater()) {
        // 202: in force on this node; the fleet's store gets it when it is reachable again.
        body.put("sharedLater", true);
      }
      json(ctx, revoked.sharedLater() ? 202 : 200, body);
    });
  }

  private void liftRevocation(RoutingContext ctx) {
    SubjectId subject = subjectOf(ctx, "subject.unrevoke");
    if (subject == null) {
      return;
    }
    gateway.liftRevocation(subject).onComplete(ar -> {
      if (ar.failed()) {
        audit.adminAction("subject.unrevoke", target(subject.toString()), remoteIp(ctx), "error");
        error(ctx, 500, "the change could not be stored");
      } else if (!ar.result()) {
        audit.adminAction("subject.unrevoke", target(subject.toString()), remoteIp(ctx), "not_found");
        error(ctx, 404, "this subject is not revoked");
      } else {
        audit.adminAction("subject.unrevoke", target(subject.toString()), remoteIp(ctx), "ok");
        json(ctx, 200, new JsonObject().put("subject", subject.subject()).put("issuer", subject.issuer())
            .put("revoked", false));
      }
    });
  }

  /**
   * The subject in the path, and its issuer: {@code ?issuer=<policy name>}, or {@code *} for every
   * issuer; it may be left out only when the policy trusts exactly one issuer. Answers 400 (audited)
   * and returns null otherwise.
   */
  private SubjectId subjectOf(RoutingContext ctx, String action) {
    String subject = ctx.pathParam("sub");
    if (subject == null || subject.isEmpty() || subject.length() > MAX_SUBJECT_CHARS) {
      audit.adminAction(action, null, remoteIp(ctx), "bad_request");
      error(ctx, 400, "the subject must be 1.." + MAX_SUBJECT_CHARS + " characters");
      return null;
    }
    List<String> issuers = gateway.policy().issuers();
    String issuer = ctx.request().getParam("issuer");
    if (issuer == null && issuers.size() == 1) {
      issuer = issuers.get(0);
    }
    if (issuer == null || !issuer.equals(SubjectId.ANY_ISSUER) && !issuers.contains(issuer)) {
      audit.adminAction(action, target(subject), remoteIp(ctx), "bad_request");
      error(ctx, 400, (issuer == null ? "name the issuer" : "unknown issuer \"" + target(issuer) + "\"")
          + ": ?issuer= one of " + issuers + ", or * for every issuer");
      return null;
    }
    return new SubjectId(issuer, subject);
  }

  /** {@code {"until": RFC 3339}} in the body, or {@code ?for=<duration>}, or one hour; in the future, at most a year. */
  private static Instant revokedUntil(RoutingContext ctx, Instant now) {
    String forParam = ctx.request().getParam("for");
    JsonObject body = null;
    if (ctx.body() != null && !ctx.body().isEmpty()) {
      try {
        body = ctx.body().asJsonObject();
      } catch (DecodeException | ClassCastException e) {
        throw new IllegalArgumentException("the body must be a JSON object such as {\"until\":\"2030-01-01T00:00:00Z\"}");
      }
      if (body == null) {
        throw new IllegalArgumentException("the body must be a JSON object such as {\"until\":\"2030-01-01T00:00:00Z\"}");
      }
      for (String key : body.fieldNames()) {
        if (!key.equals("until")) {
          throw new IllegalArgumentException("unknown field \"" + target(key) + "\" (expected until)");
        }
      }
    }
    Object untilValue = body == null ? null : body.getValue("until");
    if (untilValue != null && forParam != null) {
      throw new IllegalArgumentException("give until or for, not both");
    }
    Instant until;
    if (untilValue != null) {
      if (!(untilValue instanceof String text)) {
        throw new IllegalArgumentException("until must be an RFC 3339 date-time string");
      }
      try {
        until = OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("until must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z");
      }
    } else if (forParam != null) {
      Optional<Duration> d = AdminSettings.parseDuration(forParam);
      if (d.isEmpty() || d.get().isZero()) {
        throw new IllegalArgumentException("for must be a duration greater than 0 such as 10m, 1h or 2d");
      }
      if (d.get().compareTo(MAX_REVOCATION) > 0) {
        throw new IllegalArgumentException("for must be at most 365d");
      }
      until = now.plus(d.get());
    } else {
      until = now.plus(DEFAULT_REVOCATION);
    }
    if (!until.isAfter(now)) {
      throw new IllegalArgumentException("until must be in the future");
    }
    if (until.isAfter(now.plus(MAX_REVOCATION))) {
      throw new IllegalArgumentException("until must be at most 365 days ahead");
    }
    return until.truncatedTo(ChronoUnit.MILLIS);
  }

  private void showPolicy(RoutingContext ctx) {
    AdminOperations.PolicyInfo current = gateway.policy();
    JsonArray files = new JsonArray();
    for (PolicyFiles.Entry file : current.files()) {
      files.add(new JsonObject().put("field", file.field()).put("path", file.path().toString())
          .put("sha256", file.sha256()));
    }
    audit.adminAction("policy.show", null, remoteIp(ctx), "ok");
    json(ctx, 200, new JsonObject()
        .put("version", current.version())
        .put("source", current.source())
        .put("loadedAt", current.loadedAt().toString())
        .put("files", files));
  }

  private void showCluster(RoutingContext ctx) {
    AdminOperations.ClusterView cluster = gateway.cluster();
    if (cluster == null) {
      audit.adminAction("cluster.show", null, remoteIp(ctx), "not_found");
      error(ctx, 404, "this gateway is not part of a cluster (its policy has no cluster section)");
      return;
    }
    JsonObject body = new JsonObject().put("node", cluster.node()).put("store", cluster.storeUp() ? "up" : "down")
        .put("onStoreFailure", cluster.onStoreFailure());
    cluster.liveNodes().onComplete(ar -> {
      if (ar.failed()) {
        audit.adminAction("cluster.show", null, remoteIp(ctx), "unavailable");
        json(ctx, 503, body.put("error", "the cluster store does not answer"));
        return;
      }
      JsonArray nodes = new JsonArray();
      java.util.Set<String> versions = new java.util.TreeSet<>();
      for (AdminOperations.ClusterNode node : ar.result()) {
        versions.add(node.policyVersion());
        nodes.add(new JsonObject().put("nodeId", node.nodeId()).put("address", node.address())
            .put("sessions", node.sessions()).put("policyVersion", node.policyVersion())
            .put("lastHeartbeat", node.lastHeartbeat().toString()));
      }
      audit.adminAction("cluster.show", null, remoteIp(ctx), "ok");
      json(ctx, 200, body.put("policyVersions", new JsonArray(List.copyOf(versions)))
          .put("policyVersionsDiffer", versions.size() > 1).put("nodes", nodes));
    });
  }

  private void reloadPolicy(RoutingContext ctx) {
    gateway.reload("admin API").onComplete(ar -> {
      if (ar.failed()) {
        audit.adminAction("policy.reload", null, remoteIp(ctx), "unavailable");
        error(ctx, 503, "policy reloading is not running");
        return;
      }
      PolicyReloader.Result result = ar.result();
      audit.adminAction("policy.reload", result.keptOrNewVersion(), remoteIp(ctx), result.outcome().tag());
      JsonObject body = new JsonObject().put("outcome", result.outcome().tag()).put("version", result.keptOrNewVersion());
      int status = switch (result.outcome()) {
        case OK -> 200;
        case FAILED -> {
          body.put("errors", result.errors().size());
          yield 422;
        }
        case REFUSED -> {
          body.put("startupFields", new JsonArray(result.startupFields()));
          yield 409;
        }
      };
      json(ctx, status, body);
    });
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** The query parameter as an integer in {@code min..max}; null after answering 400. */
  private static Integer intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String text = ctx.request().getParam(name);
    if (text == null) {
      return dflt;
    }
    try {
      int value = Integer.parseInt(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    error(ctx, 400, name + " must be an integer " + min + ".." + max);
    return null;
  }

  private static String remoteIp(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }

  /** Caller-supplied text for the audit, bounded. */
  private static String target(String text) {
    return text == null || text.length() <= 256 ? text : text.substring(0, 256) + "...";
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status)
        .putHeader("content-type", JSON)
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }

  private static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
