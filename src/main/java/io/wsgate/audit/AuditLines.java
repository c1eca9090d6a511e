package io.wsgate.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads an audit file line by line as exact bytes, so a reader hashes what the writer hashed. */
final class AuditLines implements Closeable {
  static final int MAX_LINE = 16 << 20;

  /**
   * One line.
   *
   * @param bytes      the line without its {@code \n}
   * @param terminated false for bytes after the file's last newline (a torn or truncated write)
   */
  record Line(byte[] bytes, boolean terminated) {
    /** The line as text; null when it is not valid UTF-8. */
    String text() {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        return null;
      }
    }
  }

  private final InputStream in;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

  AuditLines(Path file) throws IOException {
    this.in = new BufferedInputStream(Files.newInputStream(file), 64 << 10);
  }

  /** The next line, or null at the end of the file. */
  Line next() throws IOException {
    line.reset();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return new Line(line.toByteArray(), true);
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("a line is longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    return line.size() == 0 ? null : new Line(line.toByteArray(), false);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
