package io.wsgate.filter;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import io.wsgate.Reason;

/**
 * The body of the text frame a client gets when a rule with action {@code drop} refuses its
 * message: {@code {"error":"<reason tag>","rule":"<rule name>"}}. Only policy-given values appear
 * in it (the reason's stable tag and the rule's name), never anything from the message or from a
 * validator's diagnostics.
 */
public final class DropNotice {
  private DropNotice() {
  }

  public static Buffer json(Reason reason, String ruleName) {
    // Tags are [a-z0-9_], so need no escaping; rule names are escaped per RFC 8259 §7.
    byte[] rule = JsonStringEncoder.getInstance().quoteAsUTF8(ruleName);
    String tag = reason.tag();
    return Buffer.buffer(32 + tag.length() + rule.length)
        .appendString("{\"error\":\"", "US-ASCII")
        .appendString(tag, "US-ASCII")
        .appendString("\",\"rule\":\"", "US-ASCII")
        .appendBytes(rule)
        .appendString("\"}", "US-ASCII");
  }
}
