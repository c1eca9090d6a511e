package io.wsgate.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes generated key material: the file appears complete or not at all (written and synced
 * beside the target, then linked into place), is owner-only from its first byte, and an existing
 * file is never replaced (if another process created it first, that one is kept).
 */
public final class PrivateFiles {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private PrivateFiles() {
  }

  /**
   * @param posixPermissions the final permissions, e.g. {@code rw-------} for a key
   * @return true if this call created the file, false if it already existed
   */
  public static boolean createNew(Path target, byte[] content, String posixPermissions) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = POSIX
        ? Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      if (POSIX) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(posixPermissions));
      }
      try {
        Files.createLink(target, temp); // atomic, and fails instead of replacing an existing file
      } catch (UnsupportedOperationException e) {
        Files.move(temp, target); // no hard links here: still refuses to replace
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
