package io.wsgate.cli;

import io.wsgate.audit.AuditChain;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditVerifier;
import io.wsgate.audit.CheckpointKeys;
import io.wsgate.audit.CheckpointLog;
import io.wsgate.policy.Ed25519Keys;
import io.wsgate.policy.HmacSecrets;
import io.wsgate.policy.KeySource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
 * with the key, every record's HMAC; with {@code --checkpoints}, that the files still hold every
 * line the checkpoints sealed and do not end before the last one; reports the first broken line.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check the hash chain of audit files across rotations, in order; with the HMAC key, also every"
        + " record's hmac; with --checkpoints, also that no sealed line was changed or cut from the end.",
        "Prints 'OK ...' when intact, or the first broken line as 'file:line: message' on stderr"
        + " (hash mismatch, truncated line, previous file missing or out of order, hmac mismatch, missing, ...)."},
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

  @Option(names = "--checkpoints", paramLabel = "DIR",
      description = "Directory of the checkpoints-YYYY-MM-DD.jsonl files (the policy's audit.checkpointDir; by default"
          + " 'checkpoints' in the audit directory), best a copy kept off the gateway's machine.")
  Path checkpointDir;

  @Option(names = "--checkpoint-public-key", paramLabel = "FILE",
      description = "The Ed25519 public key (PEM) of the policy's audit.checkpointKeyFile, to check the checkpoints'"
          + " signatures. HMAC-signed checkpoints are checked with the HMAC key.")
  Path checkpointPublicKey;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (keyFile != null && keyEnv != null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--hmac-key-file and --hmac-key-env are exclusive (choose one)");
    }
    if (checkpointPublicKey != null && checkpointDir == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint-public-key needs --checkpoints");
    }
    try {
      Mac mac = null;
      Mac checkpointMac = null;
      if (keyFile != null || keyEnv != null) {
        byte[] key = HmacSecrets.read(new KeySource(null, null, null, null, null, keyFile, keyEnv));
        try {
          if (key.length == 0) {
            err.println("audit verify: the HMAC key is empty");
            return 1;
          }
          mac = AuditChain.mac(key);
          checkpointMac = AuditChain.mac(key);
        } finally {
          Arrays.fill(key, (byte) 0);
        }
      }
      List<Path> files = AuditFileName.collect(paths);
      if (files.isEmpty()) {
        err.println("audit verify: no audit files (audit-YYYY-MM-DD[.N].jsonl) in " + paths);
        return 1;
      }
      CheckpointLog checkpoints = null;
      if (checkpointDir != null) {
        checkpoints = CheckpointLog.read(checkpointDir, new CheckpointKeys(checkpointMac,
            checkpointPublicKey == null ? null : Ed25519Keys.readPublic(checkpointPublicKey)));
      }
      // Directories stand for the whole trail; files named one by one may be a chosen part of it.
      boolean wholeTrail = paths.stream().allMatch(Files::isDirectory);
      AuditVerifier.Result result = AuditVerifier.verify(files, mac, checkpoints, wholeTrail);
      result.notes().forEach(out::println);
      if (!result.intact()) {
        err.println(result.problem());
        return 1;
      }
      out.println("OK " + result.files() + (result.files() == 1 ? " file, " : " files, ") + result.records()
          + " records (seq " + result.firstSeq() + ".." + result.lastSeq() + "): chain intact"
          + (mac == null ? " (HMACs not checked: no key given)" : ", every HMAC valid")
          + (checkpoints == null ? "" : "; " + result.sealed() + (result.sealed() == 1 ? " checkpoint" : " checkpoints")
              + " matched, the last " + result.lastSeal()
              + (checkpoints.signed() ? ", every signature valid" : " (signatures not checked: no key given)")));
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
