package io.wsgate.cli;

import io.wsgate.Preflight;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.PolicyError;
import io.wsgate.policy.PolicyException;
import io.wsgate.policy.PolicyLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wsgate policy check [DIR|FILE]}: loads a policy exactly as {@code run} would (files,
 * keys, secrets and schemas included), builds what {@code run} builds from it before listening
 * ({@link Preflight}), and reports every problem, without starting, writing or fetching anything.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Validate a policy exactly as 'run' loads it: syntax, every field, referenced files, issuer keys,"
        + " HMAC secrets, JSON Schemas and deny patterns; then build what 'run' builds before it listens: the TLS"
        + " certificate and key (the key must match), the token verifiers and the message rules.",
        "Prints 'OK <file> (version <v>, N routes, M issuers)', or every problem as"
        + " 'file:line:col: field: message' on stderr.",
        "Writes nothing: development files 'run' would generate are listed as 'note: ... would generate ...'."
        + " Fetches no JWKS."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the policy is valid", "1:the policy has errors", "2:usage error"})
final class PolicyCheckCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR|FILE", defaultValue = "policies",
      description = "Policy directory (holding " + PolicyLoader.FILE_NAME + ") or file (default: ${DEFAULT-VALUE}).")
  Path policies;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path file = Files.isDirectory(policies) ? policies.resolve(PolicyLoader.FILE_NAME) : policies;
    try {
      GatewayPolicy policy = PolicyLoader.load(policies);
      Preflight.Report report = Preflight.check(policy);
      report.notes().forEach(note -> out.println("note: " + note));
      if (!report.ok()) {
        out.flush();
        report.errors().forEach(error -> err.println(file + ": " + error));
        err.flush();
        return 1;
      }
      int routes = policy.routes().size();
      int issuers = policy.security().issuers().size();
      out.println("OK " + file + " (version " + policy.version() + ", " + routes + " routes, " + issuers + " issuers)");
      out.flush();
      return 0;
    } catch (PolicyException e) {
      for (PolicyError error : e.errors()) {
        err.println(error);
      }
      err.flush();
      return 1;
    }
  }
}
