package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** {@code policies/gateway.schema.json}, the editor schema, agrees with the shipped policy and with the loader. */
class GatewaySchemaTest extends PolicyTestSupport {
  private static final Path SCHEMA_FILE = Path.of("policies/gateway.schema.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode yaml(String text) {
    Object doc = new Load(LoadSettings.builder().setSchema(new CoreSchema()).build()).loadFromString(text);
    return JSON.valueToTree(doc);
  }

  private static Schema schema() throws Exception {
    return JsonSchemas.compile(Files.readString(SCHEMA_FILE)); // also checks it against the 2020-12 meta-schema
  }

  static List<String> violations(String yamlText) throws Exception {
    return schema().validate(yaml(yamlText)).stream().map(Error::toString).toList();
  }

  @Test
  void theShippedPolicyValidatesAndPointsEditorsAtTheSchema() throws Exception {
    String text = Files.readString(Path.of("policies/gateway.yaml"));
    assertTrue(text.startsWith("# yaml-language-server: $schema=gateway.schema.json\n"), "first line");
    assertEquals(List.of(), violations(text));
  }

  @Test
  void aPolicyUsingEveryKeyValidatesAndLoads() throws Exception {
    Files.writeString(dir.resolve("chat.schema.json"), "{\"type\": \"object\"}");
    Files.writeString(dir.resolve("secret"), "x".repeat(64));
    io.wsgate.testing.NamedCerts.create(dir, "ca", "backend.test");
    Files.move(dir.resolve("ca.crt"), dir.resolve("ca.pem"));
    io.wsgate.testing.NamedCerts.create(dir, "client", "gateway.test");
    Files.writeString(dir.resolve("admin.token"), "0123456789abcdef0123456789abcdef");
    Files.writeString(dir.resolve("checkpoint.key"), Ed25519Keys.pem(Ed25519Keys.generate().getPrivate()));
    String everything = """
        listen:
          host: 127.0.0.1
          port: 0
          plain: true
          clients: { allow: [0.0.0.0/0, "::/0"], deny: [10.6.0.0/16], trustedProxies: [127.0.0.1], proxyProtocol: false, mode: enforce }
        issuers:
          idp:
            issuer: https://idp.example.com/
            audiences: [wsgate]
            algorithms: [RS256, ES256]
            keys: { jwksUrl: https://idp.example.com/jwks.json, refresh: 10m, minRefetch: 30s, fetchTimeout: 5s }
            clockSkew: 30s
            maxTokenBytes: 8KiB
            requiredClaims: [sub, exp, tenant]
          dev:
            issuer: https://wsgate.local/dev
            audiences: [wsgate]
            algorithms: [ES256]
            keys: { jwkFile: dev.jwk.json, generateDevKey: true }
          hmac:
            issuer: internal
            audiences: [wsgate]
            algorithms: [HS256, HS512]
            keys: { hmacSecretFile: secret }
        connections:
          perIp: { handshakes: 10/s, burst: 20, max: 100 }
          perSubject: { max: 20 }
          global: { handshakes: 1000/s, burst: 2000 }
          trackedKeys: 100000
          mode: monitor
        reload: { recheckSessions: true }
        routes:
          - path: /chat
            match: prefix
            upstreams: [demo, ws://10.0.0.5:9000/socket]
            forwardHeaders: [user-agent]
            upstreamCooldown: 10s
            upstreamCa: ca.pem
            balance: hash
            hashOn: subject
            healthCheck: { type: http, path: /healthz, interval: 5s, timeout: 1s, healthyAfter: 2, unhealthyAfter: 3 }
            clients: { allow: [10.0.0.0/8], deny: [], mode: enforce }
            origins: { allow: ["https://app.example.com", "https://*.example.com"], allowMissing: false, allowNull: false, mode: enforce }
            auth:
              issuers: [idp, dev]
              tokenFrom: [authorization, subprotocol, "cookie:session", "query:access_token"]
              scopes: [chat]
              roles: [member]
              claims: { tenant: acme }
              subjectHeader: x-wsgate-subject
              forwardClaims: { tenant: x-wsgate-tenant }
              reauth: true
              mode: enforce
            messages:
              toUpstream:
                - { name: text-only, types: [text], action: close }
                - { name: size, maxBytes: 4KiB, action: drop, mode: monitor }
                - { name: rate, rate: { messages: 20/s, burst: 40, bytes: 64KiB/s, per: connection }, action: drop }
                - { name: by-type, rateByField: { field: type, limits: { chat: 5/s, typing: 20/s }, other: 50/s, per: subject }, action: drop }
                - { name: json, json: { maxDepth: 16 }, action: close }
                - { name: schema, schema: chat.schema.json, action: drop }
                - { name: no-script, denyPatterns: ["(?i)<script"], action: drop }
              toClient:
                - { json: ~, action: close }
          - path: /backend
            upstreams: ["wss://10.0.0.7:9443/"]
            upstreamTls: { ca: ca.pem, cert: client.crt, key: client.key, serverName: backend.test }
            origins: { allow: ["*"] }
            auth: { anonymous: true }
          - path: /public
            upstreams: [demo]
            balance: leastConnections
            slowStart: 30s
            origins: { allow: ["*"] }
            auth: { anonymous: true, mode: monitor }
        limits: { maxMessageBytes: 64KiB, idleTimeout: 5m, maxLifetime: 24h, maxConnections: 10000, handshakeTimeout: 10s, upstreamConnectTimeout: 5s, pingInterval: 30s, maxControlFramesPerSecond: 20, controlFrameBurst: 50, freeFragments: 128, minAverageFragmentBytes: 64 }
        shutdown: { closeCode: 1012, drainWindow: 5s, drainTimeout: 30s, readinessGrace: 5s }
        dev: { demoPage: false }
        admin: { enabled: true, host: 0.0.0.0, port: 0, tokenFile: admin.token }
        audit: { dir: audit, rotateBytes: 100MiB, queueSize: 65536, flushInterval: 1s, onFailure: failClosed, hmacKeyFile: secret, console: false, nodeId: gw-1, checkpointDir: seals, checkpointInterval: 30s, checkpointKeyFile: checkpoint.key, checkpointLog: true }
        cluster: { redis: "redis://10.0.0.9:6379", user: wsgate, passwordFile: secret, nodeId: gw-1, onStoreFailure: failClosed, storeTimeout: 50ms, leaseTtl: 15s, syncPeriod: 100ms }
        probes: { host: 0.0.0.0, port: 8081 }
        """;
    assertEquals(List.of(), violations(everything));
    GatewayPolicy p = load(everything);
    assertEquals(3, p.security().issuers().size());
    assertEquals(abs("admin.token"), p.admin().tokenFile());
    assertEquals(List.of(), violations(everything.replace("tokenFile: admin.token", "tokenEnv: ADMIN_TOKEN")));
    assertEquals(7, p.routes().get(0).security().messages().toUpstream().size());
    assertEquals("gw-1", p.cluster().nodeId());
    assertEquals(new ProbeSettings(true, "0.0.0.0", 8081), p.startup().probes());
    assertEquals(java.time.Duration.ofSeconds(5), p.shutdown().readinessGrace());
    assertEquals(Balancing.HashKey.SUBJECT, p.routes().get(0).balancing().hashOn());
    assertEquals(new UpstreamTls(abs("ca.pem"), abs("client.crt"), abs("client.key"), "backend.test"),
        p.routes().get(1).upstreamTls());
    assertEquals(java.time.Duration.ofSeconds(30), p.routes().get(2).balancing().slowStart());
    assertEquals(List.of(), violations(everything.replace("passwordFile: secret", "passwordEnv: REDIS_PASSWORD")));
  }

  @Test
  void brokenPoliciesFailTheSchema() throws Exception {
    String route = "routes:\n  - path: /chat\n    upstreams: [demo]\n    origins: { allow: ['*'] }\n";
    String listen = "listen:\n  plain: true\n  clients: { allow: [0.0.0.0/0] }\n";
    assertEquals(List.of(), violations(listen + route + "    auth: { anonymous: true }\n"), "the baseline is valid");

    assertViolation(listen + route + "    auth: { anonymous: true }\nlsiten: {}\n", "lsiten");
    assertViolation("listen:\n  plain: true\n" + route + "    auth: { anonymous: true }\n", "clients");
    assertViolation(listen + route + "    auth: { anonymous: true, issuers: [dev] }\n", "/routes/0/auth");
    assertViolation(listen + route + "    auth: { scopes: [chat] }\n", "issuers");
    assertViolation(listen + "issuers:\n  dev: { issuer: x, audiences: [a], algorithms: [none], keys: { jwksUrl: https://x/ } }\n"
        + route + "    auth: { issuers: [dev] }\n", "/issuers/dev/algorithms/0");
    assertViolation(listen + "issuers:\n  dev: { issuer: x, audiences: [a], algorithms: [RS256], keys: { jwksUrl: https://x/,"
        + " pemFile: k.pem } }\n" + route + "    auth: { issuers: [dev] }\n", "/issuers/dev/keys");
    assertViolation(listen + route + "    auth: { anonymous: true }\n    messages:\n      toUpstream:\n"
        + "        - { types: [text], maxBytes: 1KiB, action: drop }\n", "/routes/0/messages/toUpstream/0");
    assertViolation(listen + route + "    auth: { anonymous: true }\n    messages:\n      toUpstream:\n"
        + "        - { rate: { messages: 20/sec }, action: drop }\n", "/routes/0/messages/toUpstream/0/rate/messages");
    assertViolation(listen + route + "    auth: { anonymous: true }\n    balance: hash\n", "hashOn");
    assertViolation(listen + route + "    auth: { anonymous: true }\n    hashOn: clientIp\n", "/routes/0");
    assertViolation(listen + route + "    auth: { anonymous: true }\n    healthCheck: { type: tcp }\n",
        "/routes/0/healthCheck/type");
    assertViolation(listen + route + "    auth: { anonymous: true }\nlimits: { idleTimeout: 5 minutes }\n",
        "/limits/idleTimeout");
    assertViolation("listen:\n  clients: { allow: [] }\n" + route + "    auth: { anonymous: true }\n", "tls");
    assertViolation(listen + route + "    auth: { anonymous: true }\nadmin: { tokenFile: a, tokenEnv: B }\n", "/admin");
    assertViolation(listen + route + "    auth: { anonymous: true }\nadmin: { port: 90000 }\n", "/admin/port");
    assertViolation(listen + route + "    auth: { anonymous: true }\naudit: { console: true }\n", "dir");
    assertViolation(listen + route + "    auth: { anonymous: true }\nprobes: { port: -1 }\n", "/probes/port");
    assertViolation(listen + route + "    auth: { anonymous: true }\nprobes: { path: /healthz }\n", "path");
    assertViolation(listen + route + "    auth: { anonymous: true }\nshutdown: { readinessGrace: 5 }\n",
        "/shutdown/readinessGrace");
    assertViolation(listen + route + "    auth: { anonymous: true }\naudit: { dir: a, onFailure: block }\n",
        "/audit/onFailure");
    assertViolation(listen + route + "    auth: { anonymous: true }\naudit: { dir: a, hmacKeyFile: k, hmacKeyEnv: K }\n",
        "/audit");
    assertViolation(listen + route + "    auth: { anonymous: true }\naudit: { dir: a, nodeId: \"gw 1\" }\n",
        "/audit/nodeId");
    assertViolation(listen + route + "    auth: { anonymous: true }\ncluster: { nodeId: gw-a }\n", "redis");
    assertViolation(listen + route + "    auth: { anonymous: true }\ncluster: { redis: \"redis://u:p@h:6379\" }\n",
        "/cluster/redis");
    assertViolation(listen + route + "    auth: { anonymous: true }\ncluster: { redis: \"redis://h:6379\", onStoreFailure: block }\n",
        "/cluster/onStoreFailure");
    assertViolation(listen + route + "    auth: { anonymous: true }\ncluster: { redis: \"redis://h:6379\", passwordEnv: A, passwordFile: b }\n",
        "/cluster");
  }

  @Test
  void upstreamTlsMistakesFailTheSchema() throws Exception {
    String head = "listen:\n  plain: true\n  clients: { allow: [0.0.0.0/0] }\nroutes:\n  - path: /chat\n"
        + "    upstreams: [\"wss://10.0.0.7:9443/\"]\n    origins: { allow: ['*'] }\n    auth: { anonymous: true }\n";
    assertEquals(List.of(), violations(head + "    upstreamTls: { cert: c.crt, key: c.key, serverName: b.test }\n"));
    assertViolation(head + "    upstreamTls: { cert: c.crt }\n", "key");
    assertViolation(head + "    upstreamTls: { key: c.key }\n", "cert");
    assertViolation(head + "    upstreamTls: {}\n", "/routes/0/upstreamTls");
    assertViolation(head + "    upstreamTls: { serverName: \"*.b.test\" }\n", "/routes/0/upstreamTls/serverName");
    assertViolation(head + "    upstreamTls: { trustAll: true }\n", "trustAll");
    assertEquals(List.of(), violations(head + "    upstreamTls: { ca: ca.pem }\n"));
    assertEquals(List.of(), violations(head + "    upstreamCa: ca.pem\n"));
    assertViolation(head + "    upstreamCa: ca.pem\n    upstreamTls: { ca: ca.pem }\n", "/routes/0"); // not both
  }

  @Test
  void listenersValidateAndTheSchemaCatchesTheirMistakes() throws Exception {
    String route = "routes:\n  - path: /chat\n    upstreams: [demo]\n    origins: { allow: ['*'] }\n"
        + "    auth: { anonymous: true }\n";
    String two = "listeners:\n"
        + "  - { name: public, port: 8443, tls: { cert: a.crt, key: a.key, engine: jdk }, clients: { allow: [0.0.0.0/0] } }\n"
        + "  - name: internal\n    host: 10.0.0.5\n    port: 8080\n    plain: true\n"
        + "    clients: { allow: [10.0.0.0/8], trustedProxies: [10.0.0.10], proxyProtocol: false, mode: enforce }\n";
    assertEquals(List.of(), violations(two + route + "    listeners: [internal]\n"));
    assertViolation(two + "listen:\n  plain: true\n  clients: { allow: [] }\n" + route, "one and only one");
    assertViolation(route, "one and only one");
    assertViolation("listeners: []\n" + route, "/listeners");
    assertViolation("listeners:\n  - { plain: true, clients: { allow: [] } }\n" + route, "name");
    assertViolation("listeners:\n  - { name: Public, plain: true, clients: { allow: [] } }\n" + route,
        "/listeners/0/name");
    assertViolation("listeners:\n  - { name: a, clients: { allow: [] } }\n" + route, "tls");
    assertViolation("listeners:\n  - { name: a, plain: true, clients: { allow: [] }, port: 70000 }\n" + route,
        "/listeners/0/port");
    assertViolation(two + route + "    listeners: []\n", "/routes/0/listeners");
    assertViolation(two + route + "    listeners: [internal, internal]\n", "/routes/0/listeners");
  }

  private static void assertViolation(String yamlText, String mentioned) throws Exception {
    List<String> errors = violations(yamlText);
    assertTrue(errors.stream().anyMatch(e -> e.contains(mentioned)), () -> "expected a violation mentioning "
        + mentioned + ", got " + errors);
  }

  /** Every key the loader reads is in the schema, and the schema invents none. */
  @Test
  void theSchemaKnowsExactlyTheLoadersKeys() throws Exception {
    JsonNode root = JSON.readTree(SCHEMA_FILE.toFile());
    JsonNode defs = root.get("$defs");
    JsonNode listen = root.at("/properties/listen");
    JsonNode rule = defs.get("rule");
    JsonNode connections = root.at("/properties/connections");
    assertKeys(PolicyParser.TOP_KEYS, root);
    assertKeys(ListenerSection.KEYS, listen);
    assertKeys(ListenersSection.KEYS, root.at("/properties/listeners/items"));
    assertKeys(ListenerSection.TLS_KEYS, listen.at("/properties/tls"));
    assertKeys(ClientsSection.LISTENER_KEYS, defs.get("listenClients"));
    assertKeys(ClientsSection.ROUTE_KEYS, defs.get("routeClients"));
    assertKeys(IssuersSection.KEYS, defs.get("issuer"));
    assertKeys(IssuersSection.KEY_SOURCE_KEYS, defs.get("keys"));
    assertKeys(ConnectionsSection.KEYS, connections);
    assertKeys(ConnectionsSection.PER_IP_KEYS, connections.at("/properties/perIp"));
    assertKeys(ConnectionsSection.PER_SUBJECT_KEYS, connections.at("/properties/perSubject"));
    assertKeys(ConnectionsSection.GLOBAL_KEYS, connections.at("/properties/global"));
    assertKeys(PolicyParser.RELOAD_KEYS, root.at("/properties/reload"));
    assertKeys(PolicyParser.LIMIT_KEYS, root.at("/properties/limits"));
    assertKeys(PolicyParser.SHUTDOWN_KEYS, root.at("/properties/shutdown"));
    assertKeys(PolicyParser.DEV_KEYS, root.at("/properties/dev"));
    assertKeys(AdminSection.KEYS, root.at("/properties/admin"));
    assertKeys(AuditSection.KEYS, root.at("/properties/audit"));
    assertKeys(AuditSection.SYSLOG_KEYS, root.at("/properties/audit/properties/syslog"));
    assertKeys(ClusterSection.KEYS, root.at("/properties/cluster"));
    assertKeys(ProbesSection.KEYS, root.at("/properties/probes"));
    assertKeys(RouteSection.KEYS, defs.get("route"));
    assertKeys(RouteLimitsSection.LIMIT_KEYS, defs.get("routeLimits"));
    assertKeys(RouteLimitsSection.CONNECTION_KEYS, defs.get("routeConnections"));
    assertKeys(RouteLimitsSection.PER_IP_KEYS, defs.at("/routeConnections/properties/perIp"));
    assertKeys(RouteLimitsSection.PER_SUBJECT_KEYS, defs.at("/routeConnections/properties/perSubject"));
    assertKeys(UpstreamTlsSection.KEYS, defs.get("route").at("/properties/upstreamTls"));
    assertKeys(BalancingSection.HEALTH_CHECK_KEYS, defs.get("healthCheck"));
    assertKeys(RouteSecuritySection.ORIGIN_KEYS, defs.get("origins"));
    assertKeys(RouteSecuritySection.AUTH_KEYS, defs.get("auth"));
    assertKeys(MessageRulesSection.KEYS, defs.at("/route/properties/messages"));
    assertKeys(MessageRulesSection.RULE_KEYS, rule);
    assertKeys(MessageRulesSection.RATE_KEYS, rule.at("/properties/rate"));
    assertKeys(MessageRulesSection.FIELD_RATE_KEYS, rule.at("/properties/rateByField"));
    assertKeys(MessageRulesSection.JSON_KEYS, rule.at("/properties/json"));
    assertEquals(IssuersSection.ALGORITHMS, texts(defs.at("/issuer/properties/algorithms/items/enum")));
  }

  /**
   * Every default the loader applies is the schema's {@code default} at the same field, and the
   * schema states no default the loader does not apply.
   */
  @Test
  void theSchemaStatesExactlyTheLoadersDefaults() throws Exception {
    JsonNode root = JSON.readTree(SCHEMA_FILE.toFile());
    Map<String, JsonNode> schemaDefaults = new TreeMap<>();
    collectDefaults(root, root, "", schemaDefaults);
    Map<String, JsonNode> loaderDefaults = new TreeMap<>();
    PolicyDefaults.ALL.forEach((field, value) -> {
      JsonNode stated = schemaDefaults.get(field);
      // 24h and 1d are one duration: compare what they mean.
      boolean sameDuration = value instanceof java.time.Duration d && stated != null && stated.isTextual()
          && Units.parseDuration(stated.asText()).equals(java.util.Optional.of(d));
      loaderDefaults.put(field, sameDuration ? stated
          : value instanceof java.time.Duration d ? JSON.valueToTree(Units.format(d)) : JSON.valueToTree(value));
    });
    assertEquals(loaderDefaults.toString(), schemaDefaults.toString(), "as JSON text: 20 is 20, int or long");
  }

  @Test
  void theSchemaListsExactlyTheSigningAlgorithms() throws Exception {
    JsonNode root = JSON.readTree(SCHEMA_FILE.toFile());
    assertEquals(SigningAlgorithm.NAMES, texts(root.at("/$defs/issuer/properties/algorithms/items/enum")));
  }

  /** Walks properties, list items and name maps, following $ref and allOf, recording each default by field. */
  private static void collectDefaults(JsonNode root, JsonNode node, String field, Map<String, JsonNode> out) {
    if (node.has("$ref")) {
      collectDefaults(root, root.at(node.get("$ref").asText().substring(1)), field, out);
    }
    node.path("allOf").forEach(part -> collectDefaults(root, part, field, out));
    if (node.has("default")) {
      out.put(field, node.get("default"));
    }
    node.path("properties").fields().forEachRemaining(p ->
        collectDefaults(root, p.getValue(), field.isEmpty() ? p.getKey() : field + "." + p.getKey(), out));
    if (node.path("additionalProperties").isObject()) {
      collectDefaults(root, node.get("additionalProperties"), field + ".*", out);
    }
    if (node.path("items").isObject()) {
      collectDefaults(root, node.get("items"), field + "[]", out);
    }
  }

  private static void assertKeys(List<String> loaderKeys, JsonNode schemaObject) {
    Set<String> schemaKeys = new TreeSet<>();
    schemaObject.get("properties").fieldNames().forEachRemaining(schemaKeys::add);
    assertEquals(new TreeSet<>(loaderKeys), schemaKeys);
    assertEquals(false, schemaObject.get("additionalProperties").asBoolean(true), "additionalProperties: false");
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
