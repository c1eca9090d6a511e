package io.wsgate.filter;

import io.wsgate.Reason;
import io.wsgate.policy.MessageRule;

/**
 * Message count and/or byte rate, per connection or per subject; refuses with
 * {@link Reason#MESSAGE_RATE_LIMITED} when either bucket is short. The message bucket is checked
 * first; a message refused by the byte bucket has still used its message token.
 */
final class RateFilter implements MessageFilter {
  private final Limit messages;
  private final Limit bytes;

  RateFilter(MessageRule.RateLimit rule, PipelineSlots slots) {
    if (rule.messages() == null && rule.bytes() == null) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': a rate limit needs messages or bytes");
    }
    this.messages = rule.messages() == null ? null : Limit.of(rule.messages(), rule.scope(), slots, "messages");
    this.bytes = rule.bytes() == null ? null : Limit.of(rule.bytes(), rule.scope(), slots, "bytes");
  }

  @Override
  public Reason reason() {
    return Reason.MESSAGE_RATE_LIMITED;
  }

  @Override
  public boolean accepts(Message message, SessionFilterState state, String subject) {
    if (messages != null && !messages.tryConsume(state, subject, 1)) {
      return false;
    }
    int length = message.length();
    // Bucket4j takes only positive amounts; an empty message costs no bytes.
    return bytes == null || length == 0 || bytes.tryConsume(state, subject, length);
  }

  @Override
  public boolean countsControlMessages() {
    return true;
  }
}
