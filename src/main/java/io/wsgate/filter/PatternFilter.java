package io.wsgate.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.wsgate.Reason;
import io.wsgate.internal.Re2Internals;
import io.wsgate.policy.MessageRule;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Refuses a message whose text contains a match of any deny pattern, with
 * {@link Reason#PATTERN_DENIED}. Patterns are RE2/J: matching is linear in the input for every
 * pattern, so no message can make the gateway backtrack for seconds (java.util.regex can). The
 * patterns are joined into one alternation at build time, so the text is scanned once, not once
 * per pattern. Binary messages are matched on their bytes decoded as UTF-8, U+FFFD replacing
 * malformed sequences.
 *
 * <p>When every pattern starts with a literal (RE2/J's own required prefix, such as {@code <} for
 * {@code (?i)<script}), a message whose bytes contain none of those literals cannot match and
 * passes without being decoded or matched: the usual message is searched for one byte, in place.
 */
final class PatternFilter implements MessageFilter {
  private final Pattern any;
  /** The UTF-8 literals one of which every match starts with; null when some pattern has none. */
  private final byte[][] prefixes;

  PatternFilter(MessageRule.Patterns rule) {
    if (rule.deny().isEmpty()) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': no deny patterns");
    }
    StringJoiner alternation = new StringJoiner("|");
    List<byte[]> literals = new ArrayList<>();
    for (String deny : rule.deny()) {
      // Each in its own group: flags such as (?i) stay scoped to their pattern.
      String branch = "(?:" + deny + ")";
      try {
        Pattern.compile(deny);
        literals.add(prefixOf(Pattern.compile(branch)));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("rule '" + rule.name() + "': pattern " + deny + " is not valid RE2 syntax: "
            + e.getDescription(), e);
      }
      alternation.add(branch);
    }
    this.any = Pattern.compile(alternation.toString());
    this.prefixes = literals.contains(null) ? null : literals.toArray(new byte[0][]);
  }

  /**
   * The UTF-8 bytes of the pattern's required prefix, or null. A prefix with U+FFFD or a lone
   * surrogate is not used: in a binary message such a character may come from bytes that are not
   * its encoding, so searching the bytes could miss a match of the decoded text.
   */
  private static byte[] prefixOf(Pattern pattern) {
    String prefix = Re2Internals.literalPrefix(pattern);
    if (prefix.isEmpty() || prefix.indexOf('\uFFFD') >= 0) {
      return null;
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < prefix.length() && Character.isLowSurrogate(prefix.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return null;
      }
    }
    return prefix.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Reason reason() {
    return Reason.PATTERN_DENIED;
  }

  @Override
  public boolean inspectsContent() {
    return true;
  }

  @Override
  public boolean accepts(Message message, SessionFilterState state, String subject) {
    if (prefixes != null && !containsAny(message, prefixes)) {
      return true;
    }
    return !any.matcher(message.chars()).find();
  }

  private static boolean containsAny(Message message, byte[][] literals) {
    for (byte[] literal : literals) {
      if (message.contains(literal)) {
        return true;
      }
    }
    return false;
  }
}
