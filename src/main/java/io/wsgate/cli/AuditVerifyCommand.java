package io.wsgate.cli;

import io.wsgate.audit.AuditChain;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.policy.HmacSecrets;
import io.wsgate.policy.KeySource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import javax.crypto.Mac;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wsgate audit verify PATH...}: checks the hash chain across rotated files in order and,
 * with the key, every record's HMAC; reports the first broken line.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check the hash chain of audit files across rotations, in order; with the HMAC key, also every"
        + " record's hmac.",
        "Prints 'OK ...' when intact, or the first broken line as 'file:line: message' on stderr"
        + " (hash mismatch, truncated line, previous file missing or out of order, hmac mismatch, ...)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the chain is intact", "1:a record is broken or missing, or a file cannot be read",
        "2:usage error"})
final class AuditVerifyCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH",
      description = "Audit files, or directories holding them (every audit-*.jsonl inside).")
  List<Path> paths;

  @Option(names = "--hmac-key-file", paramLabel = "FILE",
      description = "File holding the audit HMAC key (the policy's audit.hmacKeyFile).")
  Path keyFile;

  @Option(names = "--hmac-key-env", paramLabel = "NAME",
      description = "Environment variable holding the audit HMAC key (the policy's audit.hmacKeyEnv).")
  String keyEnv;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (keyFile != null && keyEnv != null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--hmac-key-file and --hmac-key-env are exclusive (choose one)");
    }
    try {
      Mac mac = null;
      if (keyFile != null || keyEnv != null) {
        byte[] key = HmacSecrets.read(new KeySource(null, null, null, null, null, keyFile, keyEnv));
        try {
          if (key.length == 0) {
            err.println("audit verify: the HMAC key is empty");
            return 1;
          }
          mac = AuditChain.mac(key);
        } finally {
          Arrays.fill(key, (byte) 0);
        }
      }
      List<Path> files = AuditFileName.collect(paths);
      if (files.isEmpty()) {
        err.println("audit verify: no audit files (audit-YYYY-MM-DD[.N].jsonl) in " + paths);
        return 1;
      }
      AuditVerifier.Result result = AuditVerifier.verify(files, mac);
      result.notes().forEach(out::println);
      if (!result.intact()) {
        err.println(result.problem());
        return 1;
      }
      out.println("OK " + result.files() + (result.files() == 1 ? " file, " : " files, ") + result.records()
          + " records (seq " + result.firstSeq() + ".." + result.lastSeq() + "): chain intact"
          + (mac == null ? " (HMACs not checked: no key given)" : ", every HMAC valid"));
      return 0;
    } catch (IllegalStateException | IOException e) {
      err.println("audit verify: " + e.getMessage());
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
