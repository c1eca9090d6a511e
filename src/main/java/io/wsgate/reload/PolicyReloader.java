package io.wsgate.reload;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.wsgate.CompiledPolicy;
import io.wsgate.GatewayServices;
import io.wsgate.metrics.ReloadOutcome;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.PolicyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Hot reload, on request (SIGHUP, the admin API) and, unless the policy says {@code reload.watch:
 * false}, when the policy directory changes (polling file stamps, so it works on every filesystem,
 * containers' bind mounts included). A complete new snapshot is loaded, validated and compiled off
 * the event loop and swapped in one step. It is applied whole or not at all: an invalid policy
 * ({@link ReloadOutcome#FAILED}) or one that changes settings fixed at start
 * ({@link ReloadOutcome#REFUSED}, checked before anything is built) keeps the running policy, logs
 * why, and is audited and counted. Reloads never overlap; requests made during one are answered by
 * one more reload afterwards.
 */
public final class PolicyReloader {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

  private final Vertx vertx;
  private final Path source;
  private final GatewayServices services;
  private final Callable<GatewayPolicy> loader;
  private final Function<GatewayPolicy, Future<CompiledPolicy>> compiler;
  private final ReloadListener listener;
  private String lastStamp;
  private long timer = -1;
  // guarded by this
  private boolean running;
  private String pendingTrigger;
  private final List<Promise<Result>> waiting = new ArrayList<>();

  /** What one reload did. */
  public record Result(ReloadOutcome outcome, String trigger, String keptOrNewVersion, List<String> errors,
                       List<String> startupFields) {
    public Result {
      errors = List.copyOf(errors);
      startupFields = List.copyOf(startupFields);
    }
  }

  /** What the gateway does after each attempt: audit, count, re-check live sessions. */
  public interface ReloadListener {
    void reloaded(CompiledPolicy previous, CompiledPolicy next, String trigger);

    void failed(String trigger, String errors);

    /** The new policy changes settings fixed at start: {@code fields} names them. */
    void refused(String trigger, String refusedVersion, List<String> fields);
  }

  /**
   * @param loader   reads and validates the policy as the gateway was started with it (command-line
   *                 overrides applied); blocking, run on a worker thread
   */
  public PolicyReloader(Vertx vertx, Path source, GatewayServices services, Callable<GatewayPolicy> loader,
                        Function<GatewayPolicy, Future<CompiledPolicy>> compiler, ReloadListener listener) {
    this.vertx = vertx;
    this.source = source;
    this.services = services;
    this.loader = loader;
    this.compiler = compiler;
    this.listener = listener;
  }

  /** Starts watching the directory every {@code pollMs} when {@code watch}; otherwise only requests reload. */
  public Future<Void> start(long pollMs, boolean watch) {
    if (!watch) {
      LOG.info("Policy file watching is off (reload.watch: false): reload with SIGHUP or POST /policy/reload");
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(this::stamp).map(stamp -> {
      lastStamp = stamp;
      timer = vertx.setPeriodic(pollMs, id -> poll());
      return null;
    });
  }

  public void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  /** Reload now; safe from any thread (e.g. a signal handler). @return what the reload that serves this request did */
  public Future<Result> reload(String trigger) {
    Promise<Result> result = Promise.promise();
    synchronized (this) {
      waiting.add(result);
    }
    vertx.runOnContext(v -> begin(trigger));
    return result.future();
  }

  private void poll() {
    vertx.executeBlocking(this::stamp).onSuccess(stamp -> {
      if (!stamp.equals(lastStamp)) {
        lastStamp = stamp;
        begin("file change");
      }
    });
  }

  private synchronized void begin(String trigger) {
    if (running) {
      pendingTrigger = trigger;
      return;
    }
    running = true;
    List<Promise<Result>> answering = List.copyOf(waiting);
    waiting.clear();
    CompiledPolicy previous = services.current();
    vertx.executeBlocking(loader, false).onComplete(loaded -> {
      if (loaded.failed()) {
        finish(answering, failed(previous, trigger, loaded.cause()));
        return;
      }
      GatewayPolicy next = loaded.result();
      List<String> fields = previous.policy().startup().differences(next.startup());
      if (!fields.isEmpty()) {
        LOG.error("Policy reload ({}) refused, keeping version {}: version {} changes settings fixed at start: {}"
            + " (restart to apply them)", trigger, previous.policy().version(), next.version(), String.join(", ", fields));
        listener.refused(trigger, next.version(), fields);
        finish(answering, new Result(ReloadOutcome.REFUSED, trigger, previous.policy().version(), List.of(), fields));
        return;
      }
      compiler.apply(next).onComplete(compiled -> {
        if (compiled.failed()) {
          finish(answering, failed(previous, trigger, compiled.cause()));
          return;
        }
        services.swap(compiled.result());
        LOG.info("Policy reloaded ({}): version {} -> {}", trigger, previous.policy().version(), next.version());
        listener.reloaded(previous, compiled.result(), trigger);
        finish(answering, new Result(ReloadOutcome.OK, trigger, next.version(), List.of(), List.of()));
      });
    });
  }

  private Result failed(CompiledPolicy previous, String trigger, Throwable cause) {
    String errors = cause instanceof PolicyException p ? p.getMessage() : String.valueOf(cause.getMessage());
    LOG.error("Policy reload ({}) failed, keeping version {}:\n{}", trigger, previous.policy().version(), errors);
    listener.failed(trigger, errors);
    return new Result(ReloadOutcome.FAILED, trigger, previous.policy().version(), errors.lines().toList(), List.of());
  }

  private void finish(List<Promise<Result>> answering, Result result) {
    answering.forEach(p -> p.tryComplete(result));
    String next;
    synchronized (this) {
      running = false;
      next = pendingTrigger;
      pendingTrigger = null;
    }
    if (next != null) {
      begin(next);
    }
  }

  private String stamp() throws IOException {
    return PolicyDirectoryStamp.of(Files.isDirectory(source) ? source : source.toAbsolutePath().getParent());
  }
}
