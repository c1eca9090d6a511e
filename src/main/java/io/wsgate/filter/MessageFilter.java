package io.wsgate.filter;

import io.wsgate.Reason;

/**
 * One message rule, compiled: everything it needs (patterns, schema, bucket specs, lookup tables)
 * is built in its constructor, so {@link #accepts} only reads final fields and the message. The
 * pipeline, not the filter, applies the rule's name, action and mode.
 */
sealed interface MessageFilter
    permits TypeFilter, SizeFilter, RateFilter, FieldRateFilter, JsonFilter, SchemaFilter, PatternFilter {

  /** The reason reported when this filter refuses a message. */
  Reason reason();

  /**
   * True if the message may go on. Runs on the session's event loop; never blocks, never throws
   * for any message content. Rate filters consume tokens even when a later rule refuses.
   */
  boolean accepts(Message message, SessionFilterState state, String subject);

  /**
   * True if this rule also applies to the gateway's own control messages (re-authentication), which
   * the application's rules on content and type were not written for: a size or a rate limit
   * counts every message the client sends, whatever it is.
   */
  default boolean countsControlMessages() {
    return false;
  }

  /** True if this filter reads the payload (as text or JSON), not just its type and length. */
  default boolean inspectsContent() {
    return false;
  }
}
