package io.wsgate.listener;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The path check on generated inputs: every spelling of a dot segment and of an encoded separator, everywhere. */
class UpgradeRequestValidatorTest {
  /** One dot: literal, or percent-encoded in either case. */
  private static final List<String> DOT = List.of(".", "%2e", "%2E");
  /** Where a segment can sit in a path. */
  private static final List<String> PLACES = List.of("/S", "/S/", "/S/b", "/a/S", "/a/S/", "/a/S/b", "/a/b/S",
      "/a/S;x/b", "/a/S;/b");

  private static List<String> dotSegments() {
    List<String> segments = new ArrayList<>(DOT);
    for (String first : DOT) {
      for (String second : DOT) {
        segments.add(first + second);
      }
    }
    return segments;
  }

  @Test
  void everySpellingOfADotSegmentAnywhereIsRefused() {
    List<String> segments = dotSegments();
    assertEquals(12, segments.size());
    for (String segment : segments) {
      for (String place : PLACES) {
        String path = place.replace("S", segment);
        assertFalse(UpgradeRequestValidator.normalizedPath(path), path);
      }
    }
  }

  @Test
  void dotsThatAreNotAWholeSegmentAreNames() {
    for (String first : DOT) {
      for (String second : DOT) {
        for (String third : DOT) {
          String three = first + second + third;
          for (String name : List.of(three, "x" + first, first + "x", "x" + first + second, first + second + "x",
              first + "x" + second)) {
            for (String place : PLACES) {
              String path = place.replace("S", name);
              assertTrue(UpgradeRequestValidator.normalizedPath(path), path);
            }
          }
        }
      }
    }
  }

  @Test
  void encodedSlashesAndBackslashesAndRawBackslashesAreRefusedAnywhere() {
    for (String separator : List.of("%2f", "%2F", "%5c", "%5C", "\\")) {
      for (String path : List.of("/S", "/aSb", "/a/S", "/a/Sb", "/aS/b", "/a/bS", "/S..Spriv")) {
        String candidate = path.replace("S", separator);
        assertFalse(UpgradeRequestValidator.normalizedPath(candidate), candidate);
      }
    }
  }

  @Test
  void everyOtherPercentEncodingIsLeftToTheUpstream() {
    String hex = "0123456789abcdefABCDEF";
    for (char high : hex.toCharArray()) {
      for (char low : hex.toCharArray()) {
        String code = ("" + high + low).toLowerCase(java.util.Locale.ROOT);
        String path = "/a/x%" + high + low + "y";
        boolean separator = code.equals("2f") || code.equals("5c");
        assertEquals(!separator, UpgradeRequestValidator.normalizedPath(path), path);
      }
    }
  }

  @Test
  void ordinaryPathsPass() {
    for (String path : List.of("/", "/chat", "/chat/", "/a//b", "/pub/.well-known/x", "/a/...", "/a/%", "/a/%2",
        "/a/%2g", "/a/%25%32%65", "/a/%252e%252e", "/a;x=1/b", "/a/;/b", "/a/%e2%82%ac")) {
      assertTrue(UpgradeRequestValidator.normalizedPath(path), path);
    }
  }
}
