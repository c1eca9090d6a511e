package io.wsgate.policy;

import java.util.List;

/** A route's message rules, per direction, applied in order. */
public record MessageRules(List<MessageRule> toUpstream, List<MessageRule> toClient) {
  public static final MessageRules NONE = new MessageRules(List.of(), List.of());

  public MessageRules {
    toUpstream = List.copyOf(toUpstream);
    toClient = List.copyOf(toClient);
  }
}
