package io.wsgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wsgate policy <subcommand>}: work with policy files without starting the gateway. */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = "Work with policy files without starting the gateway.",
    subcommands = {PolicyCheckCommand.class})
final class PolicyCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
