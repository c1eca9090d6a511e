package io.wsgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wsgate audit <subcommand>}: read the hash-chained audit files (docs/audit.md). */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Check, count, read and report on the audit files (audit-YYYY-MM-DD[.N].jsonl); make a checkpoint signing key.",
    subcommands = {AuditVerifyCommand.class, AuditSummaryCommand.class, AuditTailCommand.class,
        AuditReportCommand.class, AuditKeygenCommand.class})
final class AuditCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
