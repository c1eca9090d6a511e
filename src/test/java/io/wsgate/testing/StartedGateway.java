package io.wsgate.testing;

import io.vertx.core.Future;
import io.wsgate.Gateway;
import io.wsgate.audit.AuditChain;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.StartupSettings;
import io.wsgate.policy.HmacSecrets;

import javax.crypto.Mac;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The one place tests start an in-JVM gateway ({@code GatewayStartsInOnePlaceTest} fails any other
 * call of {@code Gateway.start}), so that every wire test ends with the same checks.
 *
 * <p>When the policy has no audit section of its own ({@link AuditSettings#LOG_ONLY}), the gateway
 * writes hash-chained audit files to a temporary directory instead, still mirrored to the
 * {@code wsgate.audit} logger ({@link AuditCapture} keeps working), so there is a trail to verify.
 * {@link #close()} stops the gateway and then fails unless {@link GatewayInvariants} and
 * {@link AuditTrailInvariants} hold: no session left, every connection count back to zero, one
 * {@code session.closed} per {@code session.accepted}, and an intact hash chain. A gateway a test
 * never closes fails that test too ({@link UnclosedGatewayCheck}).
 *
 * <pre>{@code
 * try (StartedGateway started = StartedGateway.start(policy)) {
 *   int port = started.gateway().port();
 *   ...
 * } // stopped and checked here
 * }</pre>
 */
public final class StartedGateway implements AutoCloseable {
  /** Beyond the policy's own drain timeout, for the listeners, the Vert.x instance and the audit drain. */
  private static final Duration STOP_MARGIN = Duration.ofSeconds(15);
  private static final Set<StartedGateway> OPEN = ConcurrentHashMap.newKeySet();
  /** Relative to the project directory, where Maven runs the tests. */
  private static final Path TEMPORARY_TRAILS = Path.of("target", "test-audit");

  private final Gateway gateway;
  private final Duration drainTimeout;
  /** The files the audit goes to; null for a log-only trail. */
  private final Path auditDir;
  private final boolean temporaryAuditDir;
  private final Mac auditMac;
  private final String startedBy;
  private volatile String auditUnchecked;
  private boolean closed;

  private StartedGateway(Gateway gateway, GatewayPolicy policy, boolean temporaryAuditDir) {
    this.gateway = gateway;
    this.drainTimeout = policy.shutdown().longest();
    this.auditDir = policy.audit().dir();
    this.temporaryAuditDir = temporaryAuditDir;
    this.auditMac = mac(policy.audit());
    this.auditUnchecked = policy.audit().files() ? null : "the policy writes the audit to the log only";
    this.startedBy = caller();
  }

  /** The first listener's port. */
  public int port() {
    return gateway.port();
  }

  /** The port of the listener named {@code listener} ({@code listeners:}). */
  public int port(String listener) {
    return gateway.port(listener);
  }

  /** Starts the gateway; a log-only audit becomes files in a temporary directory. */
  public static StartedGateway start(GatewayPolicy policy) {
    if (!policy.audit().equals(AuditSettings.LOG_ONLY)) {
      return started(policy, false);
    }
    return started(withAudit(policy, temporaryTrail()), true);
  }

  /**
   * Starts the gateway exactly as the policy says even when it has no audit files (a test of the
   * log-only trail itself, or a benchmark): the sessions and counters are checked at close, the
   * audit trail is not.
   */
  public static StartedGateway startLogOnly(GatewayPolicy policy) {
    return started(policy, false);
  }

  /** A start that must fail: returns why; a gateway that starts after all is stopped and the test fails. */
  public static Throwable startFailure(GatewayPolicy policy) {
    Future<Gateway> attempt = Gateway.start(policy);
    attempt.onSuccess(unexpected -> unexpected.stop());
    return Await.failure(attempt);
  }

  private static StartedGateway started(GatewayPolicy policy, boolean temporaryAuditDir) {
    StartedGateway started = new StartedGateway(Await.result(Gateway.start(policy)), policy, temporaryAuditDir);
    OPEN.add(started);
    return started;
  }

  /** Same policy, another audit trail. */
  static GatewayPolicy withAudit(GatewayPolicy p, AuditSettings audit) {
    return p.withStartup(p.startup().withAudit(audit));
  }

  /**
   * As the log-only trail (never refuses traffic, mirrored to the log), but to files flushed every
   * 50 ms, under {@code target/test-audit} (the trail of a gateway that failed its checks is kept there).
   */
  private static AuditSettings temporaryTrail() {
    try {
      Path parent = Files.createDirectories(TEMPORARY_TRAILS);
      return new AuditSettings(Files.createTempDirectory(parent, "gateway-"), AuditSettings.DEFAULT_ROTATE_BYTES,
          AuditSettings.DEFAULT_QUEUE_SIZE, Duration.ofMillis(50), AuditSettings.OnFailure.FAIL_OPEN, null, null, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Mac mac(AuditSettings audit) {
    if (!audit.signed()) {
      return null;
    }
    byte[] key = HmacSecrets.read(audit.hmacKeySource());
    try {
      return AuditChain.mac(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The directory of the audit files (the policy's, or the temporary one); null for a log-only trail. */
  public Path auditDir() {
    return auditDir;
  }

  /**
   * For a test that damages the audit trail on purpose (deletes its directory, makes it unwritable,
   * fills the queue): the trail is not checked at close; the sessions and counters still are.
   */
  public void auditTrailBrokenOnPurpose(String why) {
    auditUnchecked = why;
  }

  /**
   * What must hold on a live gateway once every client has gone: waits up to {@code within} for
   * the sessions and counters to reach zero and the trail so far to balance, else fails with what
   * is still wrong.
   */
  public void awaitQuiescent(Duration within) {
    AtomicReference<List<String>> last = new AtomicReference<>();
    try {
      Await.until("a quiescent gateway", within, () -> {
        last.set(violations());
        return last.get().isEmpty();
      });
    } catch (AssertionError timedOut) {
      throw new AssertionError("still wrong " + within.toMillis() + " ms after the last client left: "
          + String.join("; ", last.get()));
    }
  }

  /** What is wrong right now: sessions or counts left, or an unbalanced or broken audit trail. */
  public List<String> violations() {
    List<String> out = new ArrayList<>(GatewayInvariants.violations(gateway.services()));
    if (auditUnchecked == null) {
      out.addAll(AuditTrailInvariants.violations(auditDir, auditMac));
    }
    return out;
  }

  /**
   * Stops the gateway (which closes live sessions with the policy's code and waits up to its drain
   * timeout), then fails unless every invariant holds. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    OPEN.remove(this);
    Await.result(gateway.stop(), drainTimeout.plus(STOP_MARGIN));
    List<String> violations = violations();
    if (!violations.isEmpty()) {
      throw new AssertionError("after the gateway's stop: " + String.join("; ", violations)
          + (auditDir == null ? "" : " (audit files kept in " + auditDir + ")"));
    }
    if (temporaryAuditDir) {
      deleteTree(auditDir);
    }
  }

  /** Gateways started and not closed yet, with where each was started ({@link UnclosedGatewayCheck}). */
  static Set<StartedGateway> open() {
    return Set.copyOf(OPEN);
  }

  String startedBy() {
    return startedBy;
  }

  /** The test that started the gateway: the first frame in a {@code *Test} or {@code *IT} class, else the caller. */
  private static String caller() {
    List<StackWalker.StackFrame> frames = StackWalker.getInstance().walk(s -> s
        .filter(f -> !f.getClassName().equals(StartedGateway.class.getName())
            && !f.getClassName().equals(GatewayHarness.class.getName()))
        .limit(30).toList());
    return frames.stream().filter(f -> f.getClassName().split("\\$")[0].matches(".*(Test|IT)")).findFirst()
        .or(() -> frames.stream().findFirst())
        .map(f -> f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber()).orElse("?");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
