package io.wsgate.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.stream.Stream;

/**
 * What the watcher compares between polls: names, sizes, modification times and content checksums
 * of the files in the policy directory that can be policy inputs. Hidden files, editor swap and
 * backup files, temporaries and logs are left out: a log written next to gateway.yaml would
 * otherwise trigger a reload whose own log line triggers the next, forever.
 */
final class PolicyDirectoryStamp {
  private static final long CHECKSUMMED_BYTES = 1 << 20;

  private PolicyDirectoryStamp() {
  }

  static String of(Path dir) throws IOException {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(Files::isRegularFile).filter(PolicyDirectoryStamp::watched).sorted().forEach(file -> {
        try {
          long size = Files.size(file);
          CRC32 crc = new CRC32();
          if (size <= CHECKSUMMED_BYTES) {
            crc.update(Files.readAllBytes(file));
          }
          out.append(file.getFileName()).append(':').append(size).append(':')
              .append(Files.getLastModifiedTime(file).toMillis()).append(':').append(crc.getValue()).append('\n');
        } catch (IOException e) {
          out.append(file.getFileName()).append(":?\n");
        }
      });
    }
    return out.toString();
  }

  static boolean watched(Path file) {
    String name = file.getFileName().toString();
    return !(name.startsWith(".") || name.endsWith("~") || name.endsWith(".swp") || name.endsWith(".swx")
        || name.endsWith(".tmp") || name.endsWith(".log"));
  }
}
