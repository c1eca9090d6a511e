package io.wsgate.filter;

import static io.wsgate.filter.Pipelines.assertClean;
import static io.wsgate.filter.Pipelines.assertMonitored;
import static io.wsgate.filter.Pipelines.assertRefused;
import static io.wsgate.filter.Pipelines.check;
import static io.wsgate.filter.Pipelines.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Mode;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SchemaFilterTest {
  private static final String CHAT_SCHEMA = """
      {
        "type": "object",
        "required": ["type", "text"],
        "additionalProperties": false,
        "properties": {
          "type": {"const": "chat"},
          "text": {"type": "string", "maxLength": 20},
          "room": {"type": "string", "pattern": "^[a-z]+$"}
        }
      }
      """;

  private static MessageRule.Schema schema(String name, String json, Action action, Mode mode) {
    return new MessageRule.Schema(name, Path.of("schemas/" + name + ".json"), json, action, mode);
  }

  @Test
  void validMessagePassesInvalidOnesAreRefused() {
    MessagePipeline pipeline = Pipelines.of(schema("chat", CHAT_SCHEMA, Action.DROP, Mode.ENFORCE));

    assertClean(check(pipeline, text("{\"type\":\"chat\",\"text\":\"hello\"}")));
    assertClean(check(pipeline, text("{\"type\":\"chat\",\"text\":\"hello\",\"room\":\"lobby\"}")));

    for (String bad : new String[] {
        "{\"type\":\"chat\"}",
        "{\"type\":\"chat\",\"text\":42}",
        "{\"type\":\"chat\",\"text\":\"" + "x".repeat(21) + "\"}",
        "{\"type\":\"chat\",\"text\":\"hi\",\"admin\":true}",
        "{\"type\":\"chat\",\"text\":\"hi\",\"room\":\"Lobby!\"}",
        "[]",
        "not json at all"}) {
      assertRefused(check(pipeline, text(bad)), Reason.SCHEMA_VIOLATION, "chat", Action.DROP);
    }
  }

  @Test
  void dropNoticeCarriesNoValidatorDiagnostics() {
    MessagePipeline pipeline = Pipelines.of(schema("chat", CHAT_SCHEMA, Action.DROP, Mode.ENFORCE));

    Decision decision = check(pipeline, text("{\"type\":\"chat\",\"text\":\"hi\",\"secretField\":1}"));

    String notice = decision.dropNotice().toString();
    assertEquals("{\"error\":\"schema_violation\",\"rule\":\"chat\"}", notice);
    assertFalse(decision.toString().contains("secretField"));
  }

  @Test
  void schemaPatternsRunOnRe2SoAHostileValueCannotStallTheEventLoop() {
    String schema = "{\"properties\": {\"name\": {\"type\": \"string\", \"pattern\": \"^(a+)+$\"}}}";
    MessagePipeline pipeline = Pipelines.of(schema("names", schema, Action.CLOSE, Mode.ENFORCE));
    Message hostile = text("{\"name\":\"" + "a".repeat(50_000) + "!\"}");

    Decision decision = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> check(pipeline, hostile));
    assertRefused(decision, Reason.SCHEMA_VIOLATION, "names", Action.CLOSE);
  }

  @Test
  void olderDraftNamedBySchemaKeywordIsHonoured() {
    String draft7 = "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
        + "\"properties\":{\"n\":{\"type\":\"integer\",\"exclusiveMaximum\":10}}}";
    MessagePipeline pipeline = Pipelines.of(schema("d7", draft7, Action.DROP, Mode.ENFORCE));

    assertClean(check(pipeline, text("{\"n\":9}")));
    assertRefused(check(pipeline, text("{\"n\":10}")), Reason.SCHEMA_VIOLATION, "d7", Action.DROP);
  }

  @Test
  void binaryMessageIsValidatedByItsBytes() {
    MessagePipeline pipeline = Pipelines.of(schema("chat", CHAT_SCHEMA, Action.DROP, Mode.ENFORCE));

    assertClean(check(pipeline, Message.binary(Buffer.buffer("{\"type\":\"chat\",\"text\":\"b\"}"))));
  }

  @Test
  void schemaThatDoesNotCompileFailsTheBuildNamingTheRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pipelines.of(schema("broken", "{\"type\": ", Action.DROP, Mode.ENFORCE)));
    assertTrue(e.getMessage().contains("broken"), e.getMessage());
  }

  @Test
  void remoteReferencesAreNeverFetched() throws Exception {
    // A real server that would answer with a schema accepting everything, and counts requests.
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      String remote = "{\"$ref\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/open.json\"}";
      try {
        MessagePipeline pipeline = Pipelines.of(schema("remote", remote, Action.DROP, Mode.ENFORCE));
        // Unresolvable at build was not fatal: then it must not validate anything either.
        assertRefused(check(pipeline, text("{}")), Reason.SCHEMA_VIOLATION, "remote", Action.DROP);
      } catch (IllegalArgumentException refusedAtBuild) {
        assertTrue(refusedAtBuild.getMessage().contains("remote"), refusedAtBuild.getMessage());
      }
      assertEquals(0, requests.get(), "the schema server was contacted");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void monitorModePassesButReportsTheHit() {
    MessagePipeline pipeline = Pipelines.of(schema("chat", CHAT_SCHEMA, Action.CLOSE, Mode.MONITOR));

    assertMonitored(check(pipeline, text("{}")), Reason.SCHEMA_VIOLATION, "chat", Action.CLOSE);
  }
}
