package io.wsgate.conformance;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformanceTableTest {
  private static final String DIRECT = """
      {"vertx-echo-upstream": {
        "1.1.2": {"behavior": "OK", "behaviorClose": "OK", "duration": 20, "remoteCloseCode": 1000, "reportfile": "a.json"},
        "1.1.10": {"behavior": "OK", "behaviorClose": "OK", "duration": 30, "remoteCloseCode": 1000, "reportfile": "b.json"},
        "6.4.1": {"behavior": "NON-STRICT", "behaviorClose": "OK", "duration": 2000, "remoteCloseCode": 1007, "reportfile": "c.json"},
        "7.1.6": {"behavior": "INFORMATIONAL", "behaviorClose": "INFORMATIONAL", "duration": 50, "remoteCloseCode": 1000, "reportfile": "d.json"}
      }}""";
  private static final String GATEWAY = """
      {"autobahntestsuite-maven-plugin": {
        "1.1.2": {"behavior": "OK", "behaviorClose": "OK", "duration": 20, "remoteCloseCode": 1000, "reportfile": "a.json"},
        "1.1.10": {"behavior": "OK", "behaviorClose": "OK", "duration": 30, "remoteCloseCode": 1000, "reportfile": "b.json"},
        "6.4.1": {"behavior": "OK", "behaviorClose": "WRONG CODE", "duration": 5, "remoteCloseCode": 1000, "reportfile": "c.json"},
        "7.1.6": {"behavior": "INFORMATIONAL", "behaviorClose": "INFORMATIONAL", "duration": 50, "remoteCloseCode": null, "reportfile": "d.json"}
      }}""";

  @Test
  void casesSortNumericallyAndSectionsTallyEachBehaviour() {
    Map<String, ConformanceTable.CaseResult> direct = ConformanceTable.parse(DIRECT);
    assertEquals(List.of("1.1.2", "1.1.10", "6.4.1", "7.1.6"), List.copyOf(direct.keySet()));
    String table = ConformanceTable.markdown(direct, ConformanceTable.parse(GATEWAY));
    assertTrue(table.contains("| 1 Framing | 2 | 2 OK | 2 OK | 0.1 s |"), table);
    assertTrue(table.contains("| 6 UTF-8 handling | 1 | 1 NON-STRICT | 1 OK | 0.0 s |"), table);
    assertTrue(table.contains("| 2 Pings/Pongs | 0 | not run | not run | – |"), table);
    assertTrue(table.contains("| 12 permessage-deflate (payloads) | – | not applicable"), table);
    assertTrue(table.contains("| **all run** | 4 | 2 OK, 1 INFORMATIONAL, 1 NON-STRICT | 3 OK, 1 INFORMATIONAL |"), table);
  }

  @Test
  void aWrongClosingBehaviourIsNotStrictEvenWhenTheCaseItselfPassed() {
    List<ConformanceTable.CaseResult> odd = ConformanceTable.notStrict(ConformanceTable.parse(GATEWAY));
    assertEquals(List.of("6.4.1"), odd.stream().map(ConformanceTable.CaseResult::id).toList());
    String table = ConformanceTable.markdown(Map.of(), ConformanceTable.parse(GATEWAY));
    assertTrue(table.contains("| 6.4.1 | OK | WRONG CODE | 1000 | **not accepted** |"), table);
    assertTrue(table.contains("Cases not strictly OK direct to the echo upstream: not run."), table);
  }

  @Test
  void everyNonStrictCaseThroughTheGatewayFailsTheBuild() {
    String gateway = """
        {"autobahntestsuite-maven-plugin": {
          "3.2": {"behavior": "NON-STRICT", "behaviorClose": "OK", "duration": 1, "remoteCloseCode": 1002},
          "6.4.3": {"behavior": "NON-STRICT", "behaviorClose": "OK", "duration": 1, "remoteCloseCode": 1007},
          "6.4.1": {"behavior": "NON-STRICT", "behaviorClose": "OK", "duration": 1, "remoteCloseCode": 1007},
          "3.3": {"behavior": "FAILED", "behaviorClose": "OK", "duration": 1, "remoteCloseCode": 1002}
        }}""";
    List<String> refused = ConformanceTable.notStrict(ConformanceTable.parse(gateway)).stream()
        .map(ConformanceTable.CaseResult::id).toList();
    assertEquals(List.of("3.2", "3.3", "6.4.1", "6.4.3"), refused, "NON-STRICT is as refused as FAILED");
    String table = ConformanceTable.markdown(Map.of(), ConformanceTable.parse(gateway));
    assertTrue(table.contains("| 6.4.1 | NON-STRICT | OK | 1007 | **not accepted** |"), table);
    assertTrue(table.contains("| 3.2 | NON-STRICT | OK | 1002 | **not accepted** |"), table);
    assertTrue(table.contains("| 6.4.3 | NON-STRICT | OK | 1007 | **not accepted** |"), table);
  }

  @Test
  void informationalCasesCountAsStrict() {
    assertTrue(ConformanceTable.notStrict(ConformanceTable.parse(DIRECT)).stream()
        .noneMatch(r -> r.id().equals("7.1.6")));
  }

  @Test
  void aReportOfSeveralAgentsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ConformanceTable.parse("{\"a\": {}, \"b\": {}}"));
  }
}
