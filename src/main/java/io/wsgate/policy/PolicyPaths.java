package io.wsgate.policy;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Resolves the file paths a policy names, relative to the policy file's directory, and checks them. */
final class PolicyPaths {
  private final Path baseDir;

  PolicyPaths(Path baseDir) {
    this.baseDir = baseDir.toAbsolutePath().normalize();
  }

  /** The absolute, normalized path in {@code key}; null when absent or invalid (reported). */
  Path resolve(MappingReader m, String key) {
    String text = m.string(key, null);
    if (text == null) {
      return null;
    }
    if (text.isEmpty()) {
      m.error(key, "must not be empty");
      return null;
    }
    try {
      return baseDir.resolve(text).normalize();
    } catch (InvalidPathException e) {
      m.error(key, "invalid path " + NodeReader.quote(text));
      return null;
    }
  }

  /** Reports unless {@code file} is an existing, readable regular file. */
  static boolean checkReadable(MappingReader m, String key, Path file) {
    String problem = !Files.exists(file) ? "file not found: "
        : !Files.isRegularFile(file) ? "not a regular file: "
        : !Files.isReadable(file) ? "file not readable: " : null;
    if (problem != null) {
      m.error(key, problem + file);
    }
    return problem == null;
  }
}
