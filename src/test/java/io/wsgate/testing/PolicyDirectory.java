package io.wsgate.testing;

import io.wsgate.policy.PolicyLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Edits a watched policy directory the way an editor or a config manager does. */
public final class PolicyDirectory {
  private PolicyDirectory() {
  }

  /**
   * Replaces {@code gateway.yaml} in {@code dir} in one step, so a reload never reads half a file. The
   * scratch file is written beside the directory, where the watcher does not look.
   */
  public static void replace(Path dir, String yaml) throws IOException {
    Path scratch = Files.createTempFile(dir.toAbsolutePath().getParent(), "gateway", ".yaml");
    Files.writeString(scratch, yaml);
    Files.move(scratch, dir.resolve(PolicyLoader.FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
