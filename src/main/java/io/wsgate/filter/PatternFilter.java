package io.wsgate.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.wsgate.Reason;
import io.wsgate.policy.MessageRule;

import java.util.StringJoiner;

/**
 * Refuses a message whose text contains a match of any deny pattern, with
 * {@link Reason#PATTERN_DENIED}. Patterns are RE2/J: matching is linear in the input for every
 * pattern, so no message can make the gateway backtrack for seconds (java.util.regex can). The
 * patterns are joined into one alternation at build time, so the text is scanned once, not once
 * per pattern. Binary messages are matched on their bytes decoded as UTF-8, U+FFFD replacing
 * malformed sequences.
 */
final class PatternFilter implements MessageFilter {
  private final Pattern any;

  PatternFilter(MessageRule.Patterns rule) {
    if (rule.deny().isEmpty()) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': no deny patterns");
    }
    StringJoiner alternation = new StringJoiner("|");
    for (String deny : rule.deny()) {
      try {
        Pattern.compile(deny);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("rule '" + rule.name() + "': pattern " + deny + " is not valid RE2 syntax: "
            + e.getDescription(), e);
      }
      // Each in its own group: flags such as (?i) stay scoped to their pattern.
      alternation.add("(?:" + deny + ")");
    }
    this.any = Pattern.compile(alternation.toString());
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
    return !any.matcher(message.text()).find();
  }
}
