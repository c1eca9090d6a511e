package io.wsgate.filter;

import io.wsgate.Reason;
import io.wsgate.policy.MessageRule;

/** Refuses a whole message longer than {@code maxBytes} with {@link Reason#MESSAGE_TOO_BIG}. */
final class SizeFilter implements MessageFilter {
  private final int maxBytes;

  SizeFilter(MessageRule.Size rule) {
    if (rule.maxBytes() < 0) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': maxBytes must not be negative, was "
          + rule.maxBytes());
    }
    this.maxBytes = rule.maxBytes();
  }

  @Override
  public Reason reason() {
    return Reason.MESSAGE_TOO_BIG;
  }

  @Override
  public boolean accepts(Message message, SessionFilterState state, String subject) {
    return message.length() <= maxBytes;
  }

  @Override
  public boolean countsControlMessages() {
    return true;
  }
}
