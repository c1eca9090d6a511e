package io.wsgate.cli;

import io.wsgate.Gateway;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.PolicyException;
import io.wsgate.policy.PolicyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Start the gateway. With no options: wss://localhost:8443/chat from ./policies, "
        + "in front of the embedded demo upstream.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped cleanly (SIGTERM/SIGINT)", "1:invalid policy or could not start", "2:usage error"})
final class RunCommand implements Callable<Integer> {
  @Option(names = "--policies", paramLabel = "DIR", defaultValue = "policies",
      description = "Policy directory or gateway.yaml file (default: ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--listen", paramLabel = "PORT",
      description = "Override the first listener's port (listen.port, or listeners[0].port).")
  Integer listen;

  /** The command line's overrides of the policy, applied to every policy loaded, at start and on reload. */
  private UnaryOperator<GatewayPolicy> overrides() {
    Integer port = listen;
    return port == null ? UnaryOperator.identity() : p -> p.withStartup(p.startup().withPort(port));
  }

  static boolean keepsRunning(String[] args) {
    return List.of(args).contains("run") && !List.of(args).contains("--help") && !List.of(args).contains("-h");
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(policies) || Files.isDirectory(policies) && !Files.exists(policies.resolve(PolicyLoader.FILE_NAME))) {
      // wsgate has no built-in policy (a container image least of all): say what to do, not just
      // "not found". A missing directory (nothing mounted at all) reads as an empty one.
      Path file = policies.toString().matches(".*\\.ya?ml") ? policies : policies.resolve(PolicyLoader.FILE_NAME);
      System.err.println("wsgate: no policy at " + file.toAbsolutePath() + ". wsgate has no built-in policy:"
          + " give --policies a directory holding " + PolicyLoader.FILE_NAME + " (or the file itself);"
          + " in a container, mount it read-only there (docs/operations.md).");
      return 1;
    }
    GatewayPolicy policy;
    try {
      policy = PolicyLoader.load(policies);
    } catch (PolicyException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    policy = overrides().apply(policy);
    Gateway gateway;
    try {
      gateway = Gateway.start(policy).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("wsgate: could not start: " + cause.getMessage());
      return 1;
    }
    gateway.watchPolicy(1000, overrides());
    // SIGHUP reloads the policy, as nginx and HAProxy users expect.
    sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> gateway.reload("SIGHUP"));
    // SIGTERM and SIGINT drain and then exit 0 (1 if the stop failed). Left to the JVM's default
    // handling, the process would end with 128 + the signal number however clean the stop was.
    for (String name : List.of("TERM", "INT")) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> System.exit(stop(gateway) ? 0 : 1));
    }
    // Any other way the JVM ends (System.exit elsewhere, a signal not handled above) still drains.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(gateway), "wsgate-shutdown"));
    return 0;
  }

  /** Graceful stop, waiting at most the policy in force's readiness grace and drain timeout, plus 5 s; idempotent. */
  private static boolean stop(Gateway gateway) {
    long drainMs = gateway.services().current().policy().shutdown().longest().toMillis() + 5000;
    try {
      gateway.stop().toCompletionStage().toCompletableFuture().get(drainMs, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      System.err.println("wsgate: stop did not complete cleanly: " + e);
      return false;
    }
  }
}
