package io.wsgate.audit;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The last complete line of an audit file, read backwards from its end (a file may be 100 MiB; its
 * last line is all the writer needs to continue the chain).
 *
 * @param hash    SHA-256 of the last complete line; null when the file holds no complete line
 * @param seq     that line's {@code seq}; -1 when absent or unreadable
 * @param partial the file ends with bytes after its last newline (a torn write)
 */
record LastLine(String hash, long seq, boolean partial) {
  private static final int CHUNK = 64 << 10;
  private static final long MAX_LINE = 16L << 20;

  static LastLine read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        return new LastLine(null, -1, false);
      }
      long end = lastNewline(channel, size); // exclusive end of the last complete line
      boolean partial = end != size - 1;
      if (end < 0) {
        return new LastLine(null, -1, partial);
      }
      long start = lastNewline(channel, end) + 1;
      if (end - start > MAX_LINE) {
        throw new IOException(file + ": last line is longer than " + MAX_LINE + " bytes");
      }
      ByteBuffer line = ByteBuffer.allocate((int) (end - start));
      while (line.hasRemaining() && channel.read(line, start + line.position()) >= 0) {
        // read fully
      }
      byte[] bytes = line.array();
      return new LastLine(AuditChain.hash(bytes), seqOf(bytes), partial);
    }
  }

  /** Position of the last {@code \n} before {@code before}, or -1. */
  private static long lastNewline(FileChannel channel, long before) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    long pos = before;
    while (pos > 0) {
      if (before - pos > MAX_LINE) {
        throw new IOException("no line break in the last " + MAX_LINE + " bytes");
      }
      int n = (int) Math.min(CHUNK, pos);
      chunk.clear().limit(n);
      long from = pos - n;
      while (chunk.hasRemaining() && channel.read(chunk, from + chunk.position()) >= 0) {
        // read fully
      }
      for (int i = n - 1; i >= 0; i--) {
        if (chunk.get(i) == '\n') {
          return from + i;
        }
      }
      pos = from;
    }
    return -1;
  }

  private static long seqOf(byte[] line) {
    try {
      Object seq = new JsonObject(new String(line, StandardCharsets.UTF_8)).getValue("seq");
      return seq instanceof Number n ? n.longValue() : -1;
    } catch (DecodeException | ClassCastException e) {
      return -1;
    }
  }
}
