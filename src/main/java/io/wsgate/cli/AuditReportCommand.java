package io.wsgate.cli;

import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditReport;
import io.wsgate.audit.AuditSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wsgate audit report PATH... --html FILE}: the review page, drawn from exactly what
 * {@code audit summary --json} and {@code audit verify} print for the same files.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write one self-contained HTML page (no network) for reviewers: refusals by reason over time, top"
        + " client IPs, subjects and origins, sessions per route, and the 'audit verify' result. Its numbers are"
        + " those of 'audit summary --json' on the same files."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:page written, chain intact", "1:page written but the chain is broken, or a file cannot be"
        + " read or written", "2:usage error"})
final class AuditReportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Audit files, or directories holding them.")
  List<Path> paths;

  @Option(names = "--html", required = true, paramLabel = "FILE", description = "Where to write the page.")
  Path html;

  @Option(names = "--since", paramLabel = "TIME", converter = AuditSummaryCommand.TimeConverter.class,
      description = "Only count records at or after TIME (as for 'audit summary').")
  Instant since;

  @Option(names = "--until", paramLabel = "TIME", converter = AuditSummaryCommand.TimeConverter.class,
      description = "Only count records before TIME.")
  Instant until;

  @Option(names = "--top", paramLabel = "N", defaultValue = "10",
      description = "How many client IPs, subjects and origins to list (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--hmac-key-file", paramLabel = "FILE", description = "As for 'audit verify'.")
  Path keyFile;

  @Option(names = "--hmac-key-env", paramLabel = "NAME", description = "As for 'audit verify'.")
  String keyEnv;

  @Option(names = "--checkpoints", paramLabel = "DIR", description = "As for 'audit verify'.")
  Path checkpointDir;

  @Option(names = "--checkpoint-public-key", paramLabel = "FILE", description = "As for 'audit verify'.")
  Path checkpointPublicKey;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (top < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1, got " + top);
    }
    try {
      AuditSummary summary = AuditSummary.of(AuditFileName.collect(paths), since, until, top);
      StringWriter verifyText = new StringWriter();
      int verified = new CommandLine(new AuditVerifyCommand()).setOut(new PrintWriter(verifyText))
          .setErr(new PrintWriter(verifyText)).execute(verifyArgs());
      if (verified == 2) {
        err.print(verifyText);
        return 2;
      }
      List<String> lines = verifyText.toString().lines().toList();
      Files.writeString(html, AuditReport.html(summary.toJson(), verified == 0, lines), StandardCharsets.UTF_8);
      out.println("wrote " + html + ": " + summary.records() + " records; audit verify: "
          + (verified == 0 ? "chain intact" : "BROKEN"));
      return verified == 0 ? 0 : 1;
    } catch (IOException e) {
      err.println("audit report: " + e.getMessage());
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The same verification as {@code audit verify} with these options: one implementation, one wording. */
  private String[] verifyArgs() {
    List<String> args = new ArrayList<>();
    if (keyFile != null) {
      args.addAll(List.of("--hmac-key-file", keyFile.toString()));
    }
    if (keyEnv != null) {
      args.addAll(List.of("--hmac-key-env", keyEnv));
    }
    if (checkpointDir != null) {
      args.addAll(List.of("--checkpoints", checkpointDir.toString()));
    }
    if (checkpointPublicKey != null) {
      args.addAll(List.of("--checkpoint-public-key", checkpointPublicKey.toString()));
    }
    paths.forEach(p -> args.add(p.toString()));
    return args.toArray(String[]::new);
  }
}
