package io.wsgate.filter;

import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertMonitored;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.binary;
import static io.wsgate.filter.Pipelines.check;
import static io.wsgate.filter.Pipelines.text;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Mode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatternFilterTest {
  private static MessagePipeline deny(Action action, Mode mode, String... patterns) {
    return Pipelines.of(new MessageRule.Patterns("deny", List.of(patterns), action, mode));
  }

  @Test
  void messageContainingADeniedPatternIsRefusedOthersPass() {
    MessagePipeline pipeline = deny(Action.DROP, Mode.ENFORCE, "<script", "(?i)drop\\s+table", "\\bpassword=\\S+");

    assertClean(check(pipeline, text("{\"text\":\"hello world\"}")));
    assertClean(check(pipeline, text("tables are dropped")));
    assertRefused(check(pipeline, text("x<script>alert(1)</script>")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertRefused(check(pipeline, text("please DROP   TABLE users")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertRefused(check(pipeline, text("login password=hunter2")), Reason.PATTERN_DENIED, "deny", Action.DROP);
  }

  @Test
  void flagsStayScopedToTheirOwnPattern() {
    // (?i) on the first pattern must not make the second case-insensitive once they are joined.
    MessagePipeline pipeline = deny(Action.DROP, Mode.ENFORCE, "(?i)secret", "TOKEN");

    assertRefused(check(pipeline, text("SeCrEt")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertRefused(check(pipeline, text("a TOKEN")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertClean(check(pipeline, text("a token")));
  }

  @Test
  void anchorsApplyToEachPatternAlone() {
    MessagePipeline pipeline = deny(Action.DROP, Mode.ENFORCE, "^ping$", "^admin:");

    assertRefused(check(pipeline, text("ping")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertRefused(check(pipeline, text("admin: hi")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertClean(check(pipeline, text("ping pong")));
    assertClean(check(pipeline, text("hi admin:")));
  }

  @Test
  void binaryMessagesAreMatchedOnTheirUtf8DecodingWithReplacement() {
    MessagePipeline pipeline = deny(Action.CLOSE, Mode.ENFORCE, "evil", "\\x{FFFD}{3}");

    byte[] evil = "..evil..".getBytes(StandardCharsets.UTF_8);
    assertRefused(check(pipeline, binary(evil)), Reason.PATTERN_DENIED, "deny", Action.CLOSE);
    assertClean(check(pipeline, binary((byte) 1, (byte) 2, (byte) 3)));
    // Three malformed bytes decode to three U+FFFD and can be matched as such.
    assertRefused(check(pipeline, binary((byte) 0xff, (byte) 0xfe, (byte) 0xff)), Reason.PATTERN_DENIED, "deny",
        Action.CLOSE);
  }

  @Test
  void theLiteralShortcutDecidesAsTheFullMatch() {
    // Each pattern starts with a literal, so most messages are decided by a byte search alone.
    MessagePipeline pipeline = deny(Action.DROP, Mode.ENFORCE, "(?i)<script", "évil", "\\x{1F600}x");

    assertClean(check(pipeline, text("{\"text\":\"a < b, no tags\"}")));
    assertRefused(check(pipeline, text("x <ScRiPt>")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertRefused(check(pipeline, text("très évil")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertClean(check(pipeline, text("tres evil")));
    assertRefused(check(pipeline, text("\uD83D\uDE00x")), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertRefused(check(pipeline, binary("..<SCRIPT".getBytes(StandardCharsets.UTF_8))), Reason.PATTERN_DENIED,
        "deny", Action.DROP);
  }

  @Test
  void aLiteralWithTheReplacementCharacterIsNotSearchedAsBytes() {
    // 0xFF decodes to U+FFFD: the bytes never hold EF BF BD, yet the decoded text matches.
    MessagePipeline pipeline = deny(Action.DROP, Mode.ENFORCE, "\\x{FFFD}x");

    assertRefused(check(pipeline, binary((byte) 0xFF, (byte) 'x')), Reason.PATTERN_DENIED, "deny", Action.DROP);
    assertClean(check(pipeline, binary((byte) 'x', (byte) 'x')));
  }

  /**
   * A correctness guard, not a benchmark: a deny pattern must not hand attackers a CPU lever.
   * With java.util.regex, {@code (a+)+$} against fifty thousand 'a' and a '!' backtracks: since
   * JDK 9 memoisation keeps one attempt from being exponential, but find() still retries it from
   * every start position; on JDK 17.0.15 {@code java.util.regex.Pattern.compile("(a+)+$")
   * .matcher(input).find()} took about 60 s here (1 000 a's: 0.2 s; 10 000: 3.3 s), and on JDK 8
   * it is exponential and never finishes. RE2/J simulates the automaton in one pass: tens of
   * milliseconds.
   */
  @Test
  void catastrophicBacktrackingInputCompletesQuickly() {
    MessagePipeline pipeline = deny(Action.DROP, Mode.ENFORCE, "(a+)+$");
    String hostile = "a".repeat(50_000) + "!";

    Decision decision = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> check(pipeline, text(hostile)));
    assertClean(decision);
    assertRefused(check(pipeline, text("aaaa")), Reason.PATTERN_DENIED, "deny", Action.DROP);
  }

  @Test
  void invalidPatternFailsTheBuildNamingRuleAndPattern() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> deny(Action.DROP, Mode.ENFORCE, "fine", "(unclosed"));
    assertTrue(e.getMessage().contains("deny") && e.getMessage().contains("(unclosed"), e.getMessage());

    // Backreferences need backtracking: RE2 does not have them.
    assertThrows(IllegalArgumentException.class, () -> deny(Action.DROP, Mode.ENFORCE, "(a)\\1"));
  }

  @Test
  void monitorModePassesButReportsTheHit() {
    MessagePipeline pipeline = deny(Action.CLOSE, Mode.MONITOR, "evil");

    assertMonitored(check(pipeline, text("evil")), Reason.PATTERN_DENIED, "deny", Action.CLOSE);
  }
}
