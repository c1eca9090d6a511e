package io.wsgate.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.FileNotFoundException;
import java.util.List;

/**
 * Compiles the JSON Schemas of {@code schema:} message rules the one way both the loader (to
 * refuse a bad schema at load time) and the schema filter (to build its validator) do it: networknt
 * json-schema-validator, draft 2020-12 unless the schema's {@code $schema} names another draft,
 * checked against its meta-schema, and never fetching a remote {@code $ref} (a schema must be
 * self-contained; a remote reference is a load error).
 *
 * <pre>{@code
 * Schema schema = JsonSchemas.compile(rule.schemaJson()); // once per policy snapshot
 * boolean ok = schema.validate(jsonNode).isEmpty();       // per message
 * }</pre>
 */
public final class JsonSchemas {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonSchemas() {
  }

  /** @throws IllegalArgumentException naming the problem: not JSON, not a schema, unresolvable reference */
  public static Schema compile(String schemaJson) {
    JsonNode node = parse(schemaJson);
    if (!node.isObject() && !node.isBoolean()) {
      throw new IllegalArgumentException("a JSON Schema is an object or a boolean, got " + node.getNodeType()
          .toString().toLowerCase(java.util.Locale.ROOT));
    }
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    String dialect = node.path("$schema").isTextual() ? node.get("$schema").asText()
        : SpecificationVersion.DRAFT_2020_12.getDialectId();
    try {
      List<Error> errors = registry.getSchema(SchemaLocation.of(dialect)).validate(node);
      if (!errors.isEmpty()) {
        throw new IllegalArgumentException("not a valid JSON Schema: " + errors.get(0));
      }
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException("unknown $schema " + NodeReader.quote(dialect)
          + " (use draft 2020-12, 2019-09, 7, 6 or 4)");
    }
    try {
      Schema schema = registry.getSchema(node);
      schema.initializeValidators();
      return schema;
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof FileNotFoundException missing) {
          throw new IllegalArgumentException("cannot resolve " + NodeReader.quote(missing.getMessage())
              + " (references are never fetched: put the referenced schema under $defs)");
        }
      }
      throw new IllegalArgumentException("not a valid JSON Schema: " + e.getMessage());
    }
  }

  private static JsonNode parse(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("is empty (expected a JSON Schema)");
      }
      return node;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage()
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    }
  }
}
