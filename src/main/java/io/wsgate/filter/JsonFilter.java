package io.wsgate.filter;

import io.wsgate.Reason;
import io.wsgate.policy.MessageRule;

/**
 * The message must be acceptable JSON (see {@link JsonReader}: strict, no duplicate keys, nothing
 * after the value) nested at most {@code maxDepth} containers deep ({@code {"a":[1]}} is depth 2,
 * a bare scalar depth 0); otherwise {@link Reason#INVALID_JSON}.
 */
final class JsonFilter implements MessageFilter {
  private final int maxDepth;
  private final JsonReader reader;
  private final boolean readerEnforcesDepth;

  JsonFilter(MessageRule.Json rule, JsonReader reader) {
    if (rule.maxDepth() < 1) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': maxDepth must be at least 1, was "
          + rule.maxDepth());
    }
    this.maxDepth = rule.maxDepth();
    this.reader = reader;
    // The reader stops at the deepest limit among the pipeline's JSON rules; only a rule stricter
    // than that needs to measure the tree.
    this.readerEnforcesDepth = maxDepth >= reader.maxDepth();
  }

  @Override
  public Reason reason() {
    return Reason.INVALID_JSON;
  }

  @Override
  public boolean inspectsContent() {
    return true;
  }

  @Override
  public boolean accepts(Message message, SessionFilterState state, String subject) {
    if (!message.isJson(reader)) {
      return false;
    }
    return readerEnforcesDepth || message.jsonDepth() <= maxDepth;
  }
}
