package io.wsgate.cli;

import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wsgate audit tail [-f] [-n N] PATH}: the last records as readable lines; with {@code -f},
 * keeps printing new ones, following rotation when PATH is a directory.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Print the last audit records as readable lines: time, #seq, event, then the other fields.",
        "Values a client chose (paths, subjects) are quoted and escaped when they are not plain ASCII."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed (or followed until interrupted)", "1:no audit file, or it cannot be read",
        "2:usage error"})
final class AuditTailCommand implements Callable<Integer> {
  private static final long POLL_MS = 250;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH",
      description = "An audit file, or a directory (its newest audit file; with -f, each newer one in turn).")
  Path path;

  @Option(names = {"-f", "--follow"}, description = "Keep printing records as they are written.")
  boolean follow;

  @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "20",
      description = "How many of the last records to print first (default: ${DEFAULT-VALUE}).")
  int lines;

  /** Tests stop a follow with this. */
  BooleanSupplier keepFollowing = () -> !Thread.currentThread().isInterrupted();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (lines < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--lines must not be negative, got " + lines);
    }
    try {
      boolean dir = Files.isDirectory(path);
      Path file = dir ? newest(path) : path;
      if (file == null) {
        err.println("audit tail: no audit files (audit-YYYY-MM-DD[.N].jsonl) in " + path);
        return 1;
      }
      Reader reader = new Reader(file);
      Deque<String> last = new ArrayDeque<>();
      reader.newLines(line -> {
        last.addLast(line);
        if (last.size() > lines) {
          last.removeFirst();
        }
      });
      last.forEach(line -> out.println(render(line)));
      out.flush();
      while (follow && keepFollowing.getAsBoolean()) {
        int fresh = reader.newLines(line -> out.println(render(line)));
        out.flush();
        if (dir && fresh == 0) {
          Path newest = newest(path);
          if (newest != null && !newest.equals(reader.file)) {
            reader = new Reader(newest);
            continue;
          }
        }
        Thread.sleep(POLL_MS);
      }
      return 0;
    } catch (IOException e) {
      err.println("audit tail: cannot read: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static Path newest(Path dir) throws IOException {
    List<Path> files = AuditFileName.collect(List.of(dir));
    return files.isEmpty() ? null : files.get(files.size() - 1);
  }

  private static String render(String line) {
    try {
      return AuditFormat.human(new JsonObject(line));
    } catch (RuntimeException e) {
      return "(not an audit record: " + AuditFormat.safe(line.length() > 200 ? line.substring(0, 200) + "..." : line)
          + ")";
    }
  }

  /** Reads the complete lines added to a file since the last call. */
  private static final class Reader {
    final Path file;
    private long position;

    Reader(Path file) {
      this.file = file;
    }

    /** @return how many lines were passed to {@code sink} */
    int newLines(Consumer<String> sink) throws IOException {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        long size = channel.size();
        if (size < position) {
          position = 0; // replaced by a shorter file: start over
        }
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        int count = 0;
        ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
        long pos = position;
        while (pos < size) {
          chunk.clear();
          int n = channel.read(chunk, pos);
          if (n <= 0) {
            break;
          }
          for (int i = 0; i < n; i++) {
            byte b = chunk.get(i);
            if (b == '\n') {
              sink.accept(pending.toString(StandardCharsets.UTF_8));
              count++;
              pending.reset();
              position = pos + i + 1;
            } else {
              pending.write(b);
            }
          }
          pos += n;
        }
        return count;
      }
    }
  }
}
