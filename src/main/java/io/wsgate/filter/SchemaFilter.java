package io.wsgate.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.wsgate.Reason;
import io.wsgate.policy.MessageRule;

/**
 * The message must be JSON valid against the rule's JSON Schema (draft 2020-12 unless the schema
 * names another with {@code $schema}); otherwise {@link Reason#SCHEMA_VIOLATION}. The schema is
 * compiled once, here: remote {@code $ref}s are never fetched, and {@code pattern} keywords run
 * on RE2/J (linear time) instead of java.util.regex. Validation is fail-fast and boolean, so no
 * error message is ever built, let alone sent.
 */
final class SchemaFilter implements MessageFilter {
  /** Validation recurses over the document: deeper documents are refused before it starts. */
  static final int MAX_DEPTH = 256;

  private final Schema schema;
  private final JsonReader reader;
  private final boolean mustMeasureDepth;

  SchemaFilter(MessageRule.Schema rule, JsonReader reader) {
    this.reader = reader;
    this.mustMeasureDepth = reader.maxDepth() > MAX_DEPTH;
    if (rule.schemaJson() == null || rule.schemaJson().isBlank()) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': schema is empty");
    }
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
        .schemaRegistryConfig(SchemaRegistryConfig.builder()
            .regularExpressionFactory(Re2RegularExpressionFactory.INSTANCE)
            .build())
        .schemaLoader(loader -> loader.fetchRemoteResources(false)));
    try {
      Schema compiled = registry.getSchema(rule.schemaJson(), InputFormat.JSON);
      // Resolve every $ref and build every validator now, not lazily on an event loop.
      compiled.initializeValidators();
      this.schema = compiled;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': schema " + rule.file() + " does not compile: "
          + e.getMessage(), e);
    }
  }

  @Override
  public Reason reason() {
    return Reason.SCHEMA_VIOLATION;
  }

  @Override
  public boolean inspectsContent() {
    return true;
  }

  @Override
  public boolean accepts(Message message, SessionFilterState state, String subject) {
    JsonNode json = message.json(reader);
    if (json == null || mustMeasureDepth && message.jsonDepth() > MAX_DEPTH) {
      return false;
    }
    try {
      return Boolean.TRUE.equals(schema.validate(json, OutputFormat.BOOLEAN));
    } catch (RuntimeException e) {
      // A validator that cannot decide does not let the message through.
      return false;
    }
  }
}
