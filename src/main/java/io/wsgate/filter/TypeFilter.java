package io.wsgate.filter;

import io.wsgate.Reason;
import io.wsgate.policy.MessageRule;

/** Allows text and/or binary messages; refuses the other kind with {@link Reason#MESSAGE_TYPE_DENIED}. */
final class TypeFilter implements MessageFilter {
  private final boolean text;
  private final boolean binary;

  TypeFilter(MessageRule.Types rule) {
    this.text = rule.text();
    this.binary = rule.binary();
  }

  @Override
  public Reason reason() {
    return Reason.MESSAGE_TYPE_DENIED;
  }

  @Override
  public boolean accepts(Message message, SessionFilterState state, String subject) {
    return message.isText() ? text : binary;
  }
}
