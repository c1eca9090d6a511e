package io.wsgate.reload;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgate.CompiledPolicy;
import io.wsgate.GatewayServices;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.PolicyException;
import io.wsgate.policy.PolicyLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Hot reload: watches the policy directory (polling file stamps, so it works on every
 * filesystem, containers' bind mounts included) and reloads on change or on request (SIGHUP).
 * A complete new snapshot is loaded, validated and compiled off the event loop and swapped in one
 * step; an invalid change keeps the running policy, logs every error and counts a failed reload.
 * Reloads never overlap; a change seen during a reload triggers one more afterwards.
 */
public final class PolicyReloader {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

  private final Vertx vertx;
  private final Path source;
  private final GatewayServices services;
  private final Function<GatewayPolicy, Future<CompiledPolicy>> compiler;
  private final ReloadListener listener;
  private String lastStamp;
  private long timer = -1;
  private boolean running;
  private String pendingTrigger;

  /** What the gateway does after each attempt: audit, count, re-check live sessions. */
  public interface ReloadListener {
    void reloaded(CompiledPolicy previous, CompiledPolicy next, String trigger);

    void failed(String trigger, String errors);
  }

  public PolicyReloader(Vertx vertx, Path source, GatewayServices services,
                        Function<GatewayPolicy, Future<CompiledPolicy>> compiler, ReloadListener listener) {
    this.vertx = vertx;
    this.source = source;
    this.services = services;
    this.compiler = compiler;
    this.listener = listener;
  }

  public Future<Void> start(long pollMs) {
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

  /** Reload now; safe from any thread (e.g. a signal handler). */
  public void reload(String trigger) {
    vertx.runOnContext(v -> begin(trigger));
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
    CompiledPolicy previous = services.current();
    vertx.executeBlocking(() -> PolicyLoader.load(source), false)
        .compose(compiler)
        .onComplete(ar -> finish(previous, trigger, ar));
  }

  private synchronized void finish(CompiledPolicy previous, String trigger, AsyncResult<CompiledPolicy> outcome) {
    if (outcome.succeeded()) {
      services.swap(outcome.result());
      LOG.info("Policy reloaded ({}): version {} -> {}", trigger, previous.policy().version(),
          outcome.result().policy().version());
      listener.reloaded(previous, outcome.result(), trigger);
    } else {
      Throwable cause = outcome.cause();
      String errors = cause instanceof PolicyException p ? p.getMessage() : String.valueOf(cause.getMessage());
      LOG.error("Policy reload ({}) failed, keeping version {}:\n{}", trigger, previous.policy().version(), errors);
      listener.failed(trigger, errors);
    }
    running = false;
    if (pendingTrigger != null) {
      String next = pendingTrigger;
      pendingTrigger = null;
      begin(next);
    }
  }

  private String stamp() throws IOException {
    return PolicyDirectoryStamp.of(Files.isDirectory(source) ? source : source.toAbsolutePath().getParent());
  }
}
