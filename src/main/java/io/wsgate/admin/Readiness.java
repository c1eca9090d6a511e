package io.wsgate.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What {@code GET /ready} answers, on the admin listener and the probes listener alike: each check
 * {@code UP} or {@code DOWN}, 200 when all are up, else 503 naming the failed ones.
 *
 * <pre>{@code
 * {"status":"DOWN","checks":{"policy":"UP","listeners":"UP","audit":"UP","shutdown":"DOWN"},"failed":["shutdown"]}
 * }</pre>
 */
public final class Readiness {
  private final Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
  private final AdminOperations gateway;

  /** The gateway's checks: a policy in force, client listeners accepting, audit writable, no stop begun. */
  public Readiness(AdminOperations gateway) {
    this.gateway = gateway;
    checks.put("policy", () -> gateway.policy() != null);
    checks.put("listeners", gateway::listening);
    checks.put("audit", () -> gateway.audit().status().writable());
    // DOWN from the first moment of a stop, readiness grace included, while upgrades are still accepted.
    checks.put("shutdown", () -> !gateway.stopping());
  }

  /** The answer: its HTTP status (200 or 503) and JSON body. */
  public record Report(int status, JsonObject body) {
  }

  public Report report() {
    JsonObject states = new JsonObject();
    JsonArray failed = new JsonArray();
    checks.forEach((name, up) -> {
      boolean isUp = up.getAsBoolean();
      states.put(name, isUp ? "UP" : "DOWN");
      if (!isUp) {
        failed.add(name);
      }
    });
    JsonObject body = new JsonObject().put("status", failed.isEmpty() ? "UP" : "DOWN").put("checks", states);
    if (gateway.audit().settings().syslog() != null) {
      // Shown, not a check: the files hold every record while the syslog copy is away.
      body.put("auditSyslog", gateway.audit().metrics().syslogConnected() ? "UP" : "DOWN");
    }
    if (!failed.isEmpty()) {
      body.put("failed", failed);
    }
    return new Report(failed.isEmpty() ? 200 : 503, body);
  }
}
