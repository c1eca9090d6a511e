package io.wsgate.cli;

import io.wsgate.demo.PrivateFiles;
import io.wsgate.policy.Ed25519Keys;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;

/**
 * {@code wsgate audit keygen --out FILE}: a new Ed25519 key pair for signing audit checkpoints,
 * the private key owner-only for {@code audit.checkpointKeyFile}, the public key beside it for
 * {@code audit verify --checkpoint-public-key}. Never replaces a file; prints only the paths.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = {"Write a new Ed25519 key pair that signs audit checkpoints: FILE (PKCS#8 PEM, owner-only) for the"
        + " policy's audit.checkpointKeyFile, and FILE.pub for 'audit verify --checkpoint-public-key'.",
        "The same as: openssl genpkey -algorithm ed25519 -out FILE && openssl pkey -in FILE -pubout -out FILE.pub"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:both files written", "1:a file exists already, or cannot be written", "2:usage error"})
final class AuditKeygenCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where the private key goes; the public key goes to FILE.pub.")
  Path out;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path pub = out.resolveSibling(out.getFileName() + ".pub");
    try {
      for (Path file : new Path[] {out, pub}) {
        if (Files.exists(file)) {
          err.println("audit keygen: " + file + " exists already: not replaced");
          return 1;
        }
      }
      KeyPair pair = Ed25519Keys.generate();
      if (!PrivateFiles.createNew(out, Ed25519Keys.pem(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII),
          "rw-------")) {
        err.println("audit keygen: " + out + " exists already: not replaced");
        return 1;
      }
      if (!PrivateFiles.createNew(pub, Ed25519Keys.pem(pair.getPublic()).getBytes(StandardCharsets.US_ASCII),
          "rw-r--r--")) {
        err.println("audit keygen: " + pub + " exists already: not replaced");
        return 1;
      }
      stdout.println("wrote " + out + " (audit.checkpointKeyFile) and " + pub + " (audit verify"
          + " --checkpoint-public-key)");
      return 0;
    } catch (IOException e) {
      err.println("audit keygen: " + e);
      return 1;
    } finally {
      stdout.flush();
      err.flush();
    }
  }
}
