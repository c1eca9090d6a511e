package io.wsgate;

import io.wsgate.limits.Revocations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.audit.AuditLog;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.listener.ServerTls;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.Tls;
import io.wsgate.token.KeySources;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What {@code policy check} adds to loading: it builds everything {@code run} builds from a policy
 * before it listens, with the same code, so that the two agree. The TLS certificate and key are read
 * and matched ({@link ServerTls#problem}); token verifiers load every local key; message pipelines
 * compile their patterns and schemas; shared limiters are created. It writes no file: missing
 * development material ({@code devCertificate}, {@code generateDevKey}) is reported as a note of
 * what {@code run} would generate. It fetches no JWKS: {@code run} does not wait for one either
 * (handshakes get 503 until the keys arrive), so an unreachable identity provider is not a verdict
 * on the policy. For the same reason it does not connect to the {@code cluster} store: the section's
 * form, password source and bounds are checked when the policy is loaded, and a note says so.
 *
 * <pre>{@code
 * Preflight.Report report = Preflight.check(PolicyLoader.load(dir));
 * report.errors().forEach(System.err::println);
 * }</pre>
 */
public final class Preflight {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** What the check found: errors make {@code run} fail; notes are what {@code run} would do. */
  public record Report(List<String> errors, List<String> notes) {
    public Report {
      errors = List.copyOf(errors);
      notes = List.copyOf(notes);
    }

    public boolean ok() {
      return errors.isEmpty();
    }
  }

  private Preflight() {
  }

  /** Blocking; uses a Vert.x instance of its own and closes it. */
  public static Report check(GatewayPolicy policy) {
    List<String> errors = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    DevMaterial.missing(policy).forEach(pending -> notes.add(pending.toString()));
    Vertx vertx = Vertx.vertx();
    AuditLog audit = new AuditLog(new GatewayMetrics());
    Revocations revocations = new Revocations();
    GatewayServices services = new GatewayServices(audit, KeySources.offline(vertx), revocations,
        new io.wsgate.limits.LocalRateLimitBackend(), new io.wsgate.limits.LocalRevocationUpdates(vertx, revocations));
    if (policy.cluster().enabled()) {
      notes.add("cluster.redis: " + policy.cluster().redis().redacted() + " not contacted (policy check does not"
          + " connect; run applies cluster.onStoreFailure until Redis answers)");
    }
    if (policy.audit().dir() != null) {
      try {
        Revocations.load(policy.audit().dir().resolve(Gateway.REVOCATIONS_FILE));
      } catch (java.io.IOException e) {
        errors.add("audit.dir: " + e.getMessage());
      }
    }
    try {
      for (io.wsgate.policy.NamedListener listener : policy.startup().listeners()) {
        Tls tls = listener.listen().tls();
        boolean pendingCertificate = tls != null && tls.devCertificate() && !Files.exists(tls.cert())
            && !Files.exists(tls.key());
        if (tls != null && !pendingCertificate) {
          String field = policy.startup().field(listener) + ".tls";
          tlsProblem(vertx, tls).ifPresent(problem -> errors.add(field + ": " + problem));
        }
      }
      if (DevMaterial.missing(policy).stream().noneMatch(p -> p.field().startsWith("issuers."))) {
        compile(vertx, policy, services).ifPresent(errors::add);
      } else {
        notes.add("token verifiers not built: an issuer key is still to be generated");
      }
    } finally {
      await(services.keySources().close());
      await(vertx.close());
      await(audit.close());
    }
    return new Report(errors, notes);
  }

  /** The listener's TLS material as {@code run} loads it; also what {@code run} checks before it listens. */
  static Optional<String> tlsProblem(Vertx vertx, Tls tls) {
    return ServerTls.problem(vertx, tls);
  }

  private static Optional<String> compile(Vertx vertx, GatewayPolicy policy, GatewayServices services) {
    try {
      await(CompiledPolicy.compile(vertx, policy, 0, services));
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw new IllegalStateException(cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("not built within " + TIMEOUT.toSeconds() + " s");
    }
  }
}
