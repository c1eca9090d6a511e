package io.wsgate.conformance;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Sums up the two Autobahn runs of the {@code conformance} profile per section, from the suite's own
 * {@code index.json} files, into the markdown table of docs/conformance.md; and fails (exit 1) when a
 * case through the gateway was not strictly conformant: its behaviour or its closing behaviour other
 * than OK (or INFORMATIONAL, where the suite only records what happened). NON-STRICT fails too.
 *
 * <pre>{@code
 * java io.wsgate.conformance.ConformanceTable DIRECT/index.json GATEWAY/index.json OUT.md
 * }</pre>
 */
public final class ConformanceTable {
  static final Set<String> STRICT = Set.of("OK", "INFORMATIONAL");
  private static final Map<Integer, String> SECTIONS = Map.ofEntries(
      Map.entry(1, "Framing"), Map.entry(2, "Pings/Pongs"), Map.entry(3, "Reserved bits"),
      Map.entry(4, "Opcodes"), Map.entry(5, "Fragmentation"), Map.entry(6, "UTF-8 handling"),
      Map.entry(7, "Close handling"), Map.entry(9, "Limits/performance"), Map.entry(10, "Miscellaneous"),
      Map.entry(12, "permessage-deflate (payloads)"), Map.entry(13, "permessage-deflate (parameters)"));
  /** The suite's sections about an extension the gateway never negotiates (it offers no extensions). */
  private static final Set<Integer> NOT_APPLICABLE = Set.of(12, 13);
  private static final Comparator<String> CASE_ORDER = ConformanceTable::compareCaseIds;

  /** One case's outcome as index.json has it. */
  record CaseResult(String id, String behavior, String behaviorClose, long durationMs, Integer remoteCloseCode) {
    int section() {
      return Integer.parseInt(id.substring(0, id.indexOf('.')));
    }

    boolean strict() {
      return STRICT.contains(behavior) && STRICT.contains(behaviorClose);
    }
  }

  private ConformanceTable() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: <direct index.json> <gateway index.json> <table.md>");
    }
    Map<String, CaseResult> direct = readIfPresent(Path.of(args[0]));
    Map<String, CaseResult> gateway = readIfPresent(Path.of(args[1]));
    String markdown = markdown(direct, gateway);
    Path out = Path.of(args[2]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, markdown, StandardCharsets.UTF_8);
    System.out.println(markdown);
    List<CaseResult> failing = notStrict(gateway);
    if (gateway.isEmpty()) {
      System.err.println("No gateway results in " + args[1]);
      System.exit(1);
    }
    if (!failing.isEmpty()) {
      System.err.println(failing.size() + " case(s) through the gateway not strictly conformant: "
          + failing.stream().map(CaseResult::id).collect(Collectors.joining(", ")));
      System.err.println("Reports: target/autobahntestsuite-reports/index.html");
      System.exit(1);
    }
  }

  static Map<String, CaseResult> readIfPresent(Path indexJson) throws IOException {
    return Files.exists(indexJson) ? parse(Files.readString(indexJson, StandardCharsets.UTF_8)) : Map.of();
  }

  /** index.json: one object per agent (the plugin runs one), mapping case ids to outcomes. */
  static Map<String, CaseResult> parse(String indexJson) {
    JsonObject agents = new JsonObject(indexJson);
    if (agents.size() != 1) {
      throw new IllegalArgumentException("expected the results of one agent, found " + agents.fieldNames());
    }
    JsonObject cases = agents.getJsonObject(agents.fieldNames().iterator().next());
    Map<String, CaseResult> results = new TreeMap<>(CASE_ORDER);
    for (String id : cases.fieldNames()) {
      JsonObject c = cases.getJsonObject(id);
      Number duration = c.getNumber("duration");
      results.put(id, new CaseResult(id, c.getString("behavior"), c.getString("behaviorClose"),
          duration == null ? 0 : duration.longValue(), c.getInteger("remoteCloseCode")));
    }
    return results;
  }

  static List<CaseResult> notStrict(Map<String, CaseResult> results) {
    return results.values().stream().filter(r -> !r.strict()).toList();
  }

  static String markdown(Map<String, CaseResult> direct, Map<String, CaseResult> gateway) {
    StringBuilder out = new StringBuilder();
    out.append("| section | cases | direct to the echo upstream | through the gateway | gateway run time |\n");
    out.append("|---|---:|---|---|---:|\n");
    Map<Integer, List<CaseResult>> directBySection = bySection(direct);
    Map<Integer, List<CaseResult>> gatewayBySection = bySection(gateway);
    for (Map.Entry<Integer, String> section : new TreeMap<>(SECTIONS).entrySet()) {
      int number = section.getKey();
      String name = number + " " + section.getValue();
      if (NOT_APPLICABLE.contains(number)) {
        out.append("| ").append(name).append(" | – | not applicable: the gateway negotiates no extension"
            + " | not applicable | – |\n");
        continue;
      }
      List<CaseResult> d = directBySection.getOrDefault(number, List.of());
      List<CaseResult> g = gatewayBySection.getOrDefault(number, List.of());
      out.append("| ").append(name).append(" | ").append(Math.max(d.size(), g.size())).append(" | ")
          .append(tally(d)).append(" | ").append(tally(g)).append(" | ")
          .append(g.isEmpty() ? "–" : seconds(g)).append(" |\n");
    }
    out.append("| **all run** | ").append(Math.max(direct.size(), gateway.size())).append(" | ")
        .append(tally(List.copyOf(direct.values()))).append(" | ").append(tally(List.copyOf(gateway.values())))
        .append(" | ").append(gateway.isEmpty() ? "–" : seconds(List.copyOf(gateway.values()))).append(" |\n");
    appendExceptions(out, "direct to the echo upstream", direct, false);
    appendExceptions(out, "through the gateway", gateway, true);
    return out.toString();
  }

  private static void appendExceptions(StringBuilder out, String run, Map<String, CaseResult> results,
                                       boolean explain) {
    List<CaseResult> odd = notStrict(results);
    out.append("\nCases not strictly OK ").append(run).append(": ");
    if (results.isEmpty()) {
      out.append("not run.\n");
      return;
    }
    if (odd.isEmpty()) {
      out.append("none.\n");
      return;
    }
    out.append(odd.size()).append("\n\n| case | behaviour | closing behaviour | close code received |")
        .append(explain ? " why |\n|---|---|---|---|---|\n" : "\n|---|---|---|---|\n");
    for (CaseResult r : odd) {
      out.append("| ").append(r.id()).append(" | ").append(r.behavior()).append(" | ").append(r.behaviorClose())
          .append(" | ").append(r.remoteCloseCode() == null ? "none" : r.remoteCloseCode()).append(" |");
      if (explain) {
        out.append(" **not accepted** |");
      }
      out.append('\n');
    }
  }

  private static Map<Integer, List<CaseResult>> bySection(Map<String, CaseResult> results) {
    Map<Integer, List<CaseResult>> sections = new TreeMap<>();
    for (CaseResult r : results.values()) {
      sections.computeIfAbsent(r.section(), k -> new ArrayList<>()).add(r);
    }
    return sections;
  }

  /** "16 OK" or "137 OK, 4 NON-STRICT": each behaviour with its count, most frequent first. */
  static String tally(List<CaseResult> results) {
    if (results.isEmpty()) {
      return "not run";
    }
    Map<String, Long> counts = results.stream().collect(Collectors.groupingBy(CaseResult::behavior,
        TreeMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }

  private static String seconds(List<CaseResult> results) {
    long ms = results.stream().mapToLong(CaseResult::durationMs).sum();
    return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  /** Case ids compare part by part as numbers: 1.1.2 before 1.1.10. */
  static int compareCaseIds(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
