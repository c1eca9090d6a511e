package io.wsgate.cli;

import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wsgate audit summary [--since T] [--until T] [--json] PATH...}: counts over audit records. */
@Command(name = "summary", mixinStandardHelpOptions = true,
    description = {"Count audit records by event type, by reason, sessions accepted by route, and list the most"
        + " frequent client IPs and subjects. File headers are not counted; the chain is not checked"
        + " (use 'audit verify')."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:summary printed", "1:a file cannot be read", "2:usage error"})
final class AuditSummaryCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH",
      description = "Audit files, or directories holding them.")
  List<Path> paths;

  @Option(names = "--since", paramLabel = "TIME", converter = TimeConverter.class,
      description = "Only records at or after TIME: RFC 3339 (2026-11-25T10:00:00Z) or a UTC day (2026-11-25).")
  Instant since;

  @Option(names = "--until", paramLabel = "TIME", converter = TimeConverter.class,
      description = "Only records before TIME (same forms as --since).")
  Instant until;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Option(names = "--top", paramLabel = "N", defaultValue = "10",
      description = "How many client IPs and subjects to list (default: ${DEFAULT-VALUE}).")
  int top;

  static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return AuditSummary.parseTime(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (top < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1, got " + top);
    }
    try {
      List<Path> files = AuditFileName.collect(paths);
      AuditSummary summary = AuditSummary.of(files, since, until, top);
      out.print(json ? summary.toJson().encodePrettily() + "\n" : summary.toText());
      return 0;
    } catch (IOException e) {
      err.println("audit summary: cannot read: " + e.getMessage());
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
