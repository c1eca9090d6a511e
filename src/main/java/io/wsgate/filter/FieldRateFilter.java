package io.wsgate.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.wsgate.Reason;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Rate;

import java.util.HashMap;
import java.util.Map;

/**
 * A message rate per value of one top-level JSON string field, e.g. {@code type: chat} 2/s and
 * {@code type: typing} 5/s, each value with its own bucket (per connection or per subject). A
 * message whose field is missing, not a string, or has a value without its own limit, and a
 * message that is not a JSON object at all, counts against {@code other}; with no {@code other}
 * it passes. Refuses with {@link Reason#MESSAGE_RATE_LIMITED}.
 */
final class FieldRateFilter implements MessageFilter {
  private final String field;
  private final JsonReader reader;
  private final Map<String, Limit> byValue;
  private final Limit other;

  FieldRateFilter(MessageRule.FieldRate rule, JsonReader reader, PipelineSlots slots) {
    if (rule.field() == null || rule.field().isEmpty()) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': field must not be empty");
    }
    this.field = rule.field();
    this.reader = reader;
    Map<String, Limit> limits = new HashMap<>();
    for (Map.Entry<String, Rate> entry : rule.limits().entrySet()) {
      limits.put(entry.getKey(), Limit.of(entry.getValue(), rule.scope(), slots,
          rule.field() + "=" + entry.getKey()));
    }
    this.byValue = Map.copyOf(limits);
    this.other = rule.other() == null ? null : Limit.of(rule.other(), rule.scope(), slots, rule.field() + " other");
  }

  @Override
  public Reason reason() {
    return Reason.MESSAGE_RATE_LIMITED;
  }

  @Override
  public boolean inspectsContent() {
    return true;
  }

  @Override
  public boolean accepts(Message message, SessionFilterState state, String subject) {
    Limit limit = other;
    JsonNode json = message.json(reader);
    if (json != null && json.isObject()) {
      JsonNode value = json.get(field);
      if (value != null && value.isTextual()) {
        Limit own = byValue.get(value.textValue());
        if (own != null) {
          limit = own;
        }
      }
    }
    return limit == null || limit.tryConsume(state, subject, 1);
  }
}
