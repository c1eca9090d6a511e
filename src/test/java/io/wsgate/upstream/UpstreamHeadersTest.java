package io.wsgate.upstream;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamHeadersTest {
  @Test
  void forwardableMeansVisibleAsciiWithSpacesOnlyInside() {
    for (char c = 0; c < 0x200; c++) {
      String alone = String.valueOf(c);
      boolean visible = c > 0x20 && c < 0x7F;
      assertEquals(visible, UpstreamHeaders.forwardable(alone), "U+" + Integer.toHexString(c));
      boolean inner = visible || c == ' ' || c == '\t';
      assertEquals(inner, UpstreamHeaders.forwardable("a" + c + "b"), "inside: U+" + Integer.toHexString(c));
      assertEquals(visible, UpstreamHeaders.forwardable(c + "ab"), "first: U+" + Integer.toHexString(c));
      assertEquals(visible, UpstreamHeaders.forwardable("ab" + c), "last: U+" + Integer.toHexString(c));
    }
    assertTrue(UpstreamHeaders.forwardable(""), "an empty claim is an empty header");
  }

  @Test
  void unambiguousSubjectsHaveNoControlsAndNoSpaceAtEitherEnd() {
    for (String bad : List.of("", " ", " alice", "alice ", "\talice", "alice\u00a0", "\u3000alice", "al\u0000ice",
        "al\nice", "alice\u0085", "\u2028")) {
      assertFalse(UpstreamHeaders.unambiguous(bad), bad);
    }
    for (String good : List.of("alice", "alice smith", "名前", "a", "user@example.com", "😀")) {
      assertTrue(UpstreamHeaders.unambiguous(good), good);
    }
  }

  @Test
  void sendableChecksNamesAndValuesAsTheUpstreamClientWould() {
    assertTrue(UpstreamHeaders.sendable(MultiMap.caseInsensitiveMultiMap().add("x-a", "value with obs-text \u00e9")));
    assertFalse(UpstreamHeaders.sendable(MultiMap.caseInsensitiveMultiMap().add("x-a", " leading")));
    assertFalse(UpstreamHeaders.sendable(MultiMap.caseInsensitiveMultiMap().add("x-a", "del\u007f")));
    assertFalse(UpstreamHeaders.sendable(MultiMap.caseInsensitiveMultiMap().add("x-a", "cr\rlf")));
    assertFalse(UpstreamHeaders.sendable(MultiMap.caseInsensitiveMultiMap().add("bad name", "v")));
  }
}
