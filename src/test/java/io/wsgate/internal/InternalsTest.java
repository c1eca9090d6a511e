package io.wsgate.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Framework internals stay in this package, and what they rely on is still there: a Vert.x or Netty
 * upgrade that moves it fails here, not as a warning in some log.
 */
class InternalsTest {
  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Path THIS_PACKAGE = MAIN.resolve(Path.of("io", "wsgate", "internal"));
  /** Vert.x's internal and implementation packages, and reflection into private state. */
  private static final Pattern INTERNAL = Pattern.compile(
      "import\\s+io\\.vertx\\.core\\.(internal|impl|http\\.impl|net\\.impl)\\.|getDeclaredField|setAccessible\\s*\\(");

  @Test
  void onlyThisPackageReachesPastPublicApis() throws IOException {
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(MAIN)) {
      offenders = files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(THIS_PACKAGE))
          .filter(InternalsTest::reachesInside).toList();
    }
    assertEquals(List.of(), offenders, "move the use of framework internals into io.wsgate.internal");
  }

  @Test
  void theFrameDecoderStateTheUtf8CheckReadsIsStillThere() {
    assertTrue(InFrameUtf8Check.decoderStateReadable(),
        "Netty's WebSocket08FrameDecoder no longer has config/state/fragmentedFramesCount/receivedClosingHandshake");
  }

  @Test
  void theRe2PrefixThePatternFilterReadsIsStillThere() {
    assertTrue(Re2Internals.prefixReadable(), "RE2/J no longer has Pattern.re2() and RE2.prefix");
    assertEquals("<", Re2Internals.literalPrefix(com.google.re2j.Pattern.compile("(?:(?i)<script)")));
    assertEquals("", Re2Internals.literalPrefix(com.google.re2j.Pattern.compile("(?i)javascript:")));
  }

  private static boolean reachesInside(Path file) {
    try {
      return INTERNAL.matcher(Files.readString(file)).find();
    } catch (IOException e) {
      throw new AssertionError(file + ": " + e, e);
    }
  }

  @Test
  void theTransportAllocatorIsNettysDefaultAndReportsItsMemory() {
    io.netty.buffer.ByteBufAllocator allocator = VertxInternals.transportAllocator();
    assertTrue(allocator == io.netty.buffer.ByteBufAllocator.DEFAULT
        || io.netty.buffer.ByteBufAllocator.DEFAULT instanceof io.netty.buffer.UnpooledByteBufAllocator, "" + allocator);
    assertTrue(allocator instanceof io.netty.buffer.ByteBufAllocatorMetricProvider, "its memory can be read: " + allocator);
  }
}
