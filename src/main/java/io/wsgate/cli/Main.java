package io.wsgate.cli;

import io.wsgate.listener.ServerTls;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar wsgate.jar <command>}. Exit codes, for every command: 0 success, 1 failure
 * (invalid policy, could not start, check failed), 2 usage error.
 */
@Command(name = "wsgate", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Security-hardened WebSocket gateway.",
    subcommands = {RunCommand.class, PolicyCommand.class, AuditCommand.class, DevTokenCommand.class,
        DemoUpstreamCommand.class, HealthCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure (invalid policy, could not start, check failed)", "2:usage error"})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    ServerTls.refuseClientRenegotiation(); // before anything can run a server-side TLS handshake
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0 || !RunCommand.keepsRunning(args)) {
      System.exit(code);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
