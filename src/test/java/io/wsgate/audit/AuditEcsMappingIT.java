package io.wsgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.AdminSettings;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The audit → Elastic Common Schema mapping (docs/siem/ecs-mapping.json) is the one the docs table
 * shows and the one the Vector and Filebeat examples apply, and it maps every field of every
 * record a running gateway writes (and of every event docs/audit.md lists) to a valid-looking name.
 */
class AuditEcsMappingIT {
  private static final Path MAPPING = Path.of("docs/siem/ecs-mapping.json");
  private static final Path DOC = Path.of("docs/audit.md");
  private static final Path VECTOR = Path.of("docs/siem/vector.yaml");
  private static final Path FILEBEAT = Path.of("docs/siem/filebeat.yml");
  private static final Pattern NAME = Pattern.compile("@timestamp|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
  /** The ECS 8 fields the mapping uses outside wsgate.*, as the ECS field reference spells them. */
  private static final Set<String> ECS = Set.of("@timestamp", "observer.name", "event.action", "event.reason",
      "http.request.id", "source.ip", "user.id", "url.path", "user_agent.original", "http.response.status_code",
      "rule.name", "source.bytes", "destination.bytes", "error.message", "url.domain", "tls.client.server_name");
  private static final Pattern VRL = Pattern.compile("^\\s*\\.(?:\"(@timestamp)\"|([a-z_.]+)) = .*del\\(r\\.(\\w+)\\)");
  private static final Pattern DOC_ROW = Pattern.compile("^\\| `([^`]+)` \\| `([^`]+)` \\|");

  @TempDir
  Path tmp;

  private static Map<String, String> mapping() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    new JsonObject(Files.readString(MAPPING)).forEach(e -> out.put(e.getKey(), (String) e.getValue()));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws Exception {
    return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, String... keys) {
    Object n = node;
    for (String k : keys) {
      n = ((Map<String, Object>) n).get(k);
    }
    return (T) n;
  }

  @Test
  void theDocsTableAndBothShippersApplyExactlyTheMapping() throws Exception {
    Map<String, String> mapping = mapping();

    String doc = Files.readString(DOC);
    String table = doc.substring(doc.indexOf("<!-- ecs-mapping:start -->"), doc.indexOf("<!-- ecs-mapping:end -->"));
    Map<String, String> documented = new LinkedHashMap<>();
    table.lines().map(DOC_ROW::matcher).filter(Matcher::find).forEach(m -> documented.put(m.group(1), m.group(2)));
    assertEquals(mapping, documented, "docs/audit.md's table");

    Map<String, Object> vector = yaml(VECTOR);
    List<String> include = at(vector, "sources", "wsgate_audit", "include");
    assertTrue(include.get(0).endsWith("/audit-*.jsonl"), include.toString());
    String source = at(vector, "transforms", "wsgate_ecs", "source");
    assertTrue(source.contains(".event.original = raw"), "the line as written is kept");
    Map<String, String> vrl = new HashMap<>();
    source.lines().map(VRL::matcher).filter(Matcher::find)
        .forEach(m -> vrl.put(m.group(3), m.group(1) != null ? m.group(1) : m.group(2)));
    assertEquals(mapping, vrl, "vector.yaml's remap");

    Map<String, Object> filebeat = yaml(FILEBEAT);
    List<Map<String, Object>> inputs = at(filebeat, "filebeat.inputs");
    assertTrue(((List<String>) inputs.get(0).get("paths")).get(0).endsWith("/audit-*.jsonl"));
    Map<String, String> renamed = new HashMap<>();
    boolean keptOriginal = false;
    for (Map<String, Object> processor : (List<Map<String, Object>>) filebeat.get("processors")) {
      if (processor.containsKey("decode_json_fields")) {
        assertEquals("wsgate_record", at(processor, "decode_json_fields", "target"));
      }
      if (processor.containsKey("timestamp")) {
        String field = at(processor, "timestamp", "field");
        renamed.put(field.substring("wsgate_record.".length()), "@timestamp");
      }
      if (processor.containsKey("rename")) {
        for (Map<String, String> r : (List<Map<String, String>>) at(processor, "rename", "fields")) {
          if (r.get("from").startsWith("wsgate_record.")) {
            renamed.put(r.get("from").substring("wsgate_record.".length()), r.get("to"));
          }
          keptOriginal |= r.get("from").equals("message") && r.get("to").equals("event.original");
        }
      }
    }
    assertEquals(mapping, renamed, "filebeat.yml's processors");
    assertTrue(keptOriginal, "the line as written is kept");
  }

  @Test
  void everyDocumentedFieldIsMappedToAValidName() throws Exception {
    Map<String, String> mapping = mapping();
    String doc = Files.readString(DOC);
    Set<String> fields = new TreeSet<>();
    for (String line : doc.substring(doc.indexOf("\n## Records"), doc.indexOf("\n## The chain")).lines().toList()) {
      String[] cells = line.split("\\|");
      if (line.startsWith("|") && cells.length > 2) {
        Matcher m = Pattern.compile("`([^`]+)`").matcher(cells[1]);
        while (m.find()) {
          fields.add(m.group(1));
        }
      }
    }
    assertTrue(fields.size() > 40, "the event tables were read: " + fields);
    assertEquals(fields, new TreeSet<>(mapping.keySet()), "every field docs/audit.md lists, and no other");
    for (String target : mapping.values()) {
      assertTrue(NAME.matcher(target).matches(), target);
      assertTrue(target.startsWith("wsgate.") || ECS.contains(target), target + " is neither ECS nor wsgate.*");
    }
    for (String kept : List.of("seq", "prev", "hmac")) {
      assertTrue(mapping.get(kept).startsWith("wsgate."), kept + " is kept verbatim under wsgate.*");
    }
  }

  @Test
  void realRecordsFromARunningGatewayAreMappedFieldByField() throws Exception {
    Path dir = tmp.resolve("audit");
    RouteSecurity appOnly = new RouteSecurity(null, new OriginRules(List.of("https://app.example.com"), false, false,
        Mode.ENFORCE), Auth.ANONYMOUS, MessageRules.NONE);
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .route("/app", upstream.url("/")).security(appOnly)
             .admin(new AdminSettings(true, "127.0.0.1", 0, null, null)).auditTo(dir).build())) {
      WebSocket ws = Await.result(harness.connect(harness.options("/chat").addHeader("User-Agent", "ecs-test/1")));
      ws.writeTextMessage("hello");
      for (String path : List.of("/nowhere", "/app")) {
        Throwable refused = Await.failure(harness.connect(harness.options(path).addHeader("Origin", "https://x.test")));
        assertInstanceOf(UpgradeRejectedException.class, refused);
      }
      assertEquals(200, new AdminClient(harness.gateway.adminPort()).get("/sessions").status());
      Await.result(ws.close());
    }
    Map<String, String> mapping = mapping();
    Set<String> events = new TreeSet<>();
    List<JsonObject> records = new ArrayList<>();
    for (Path file : AuditFileName.collect(List.of(dir))) {
      Files.readAllLines(file).forEach(line -> records.add(new JsonObject(line)));
    }
    for (JsonObject record : records) {
      events.add(record.getString("event"));
      Map<String, Object> ecs = new HashMap<>();
      for (Map.Entry<String, Object> field : record) {
        String target = mapping.get(field.getKey());
        assertTrue(target != null, "unmapped field " + field.getKey() + " in " + record.encode());
        assertEquals(null, ecs.put(target, field.getValue()), "two fields of one record map to " + target);
      }
      assertEquals(record.size(), ecs.size());
      assertEquals(record.getValue("seq"), ecs.get("wsgate.seq"));
      assertEquals(record.getString("prev"), ecs.get("wsgate.prev"));
    }
    assertTrue(events.containsAll(Set.of("audit.file_start", "session.accepted", "handshake.rejected",
        "session.closed", "admin.action")), events.toString());
  }
}
