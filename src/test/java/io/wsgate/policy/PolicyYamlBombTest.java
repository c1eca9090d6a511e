package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hostile YAML shapes are refused with positioned load errors, quickly and in bounded memory. */
class PolicyYamlBombTest extends PolicyTestSupport {
  private static final Duration QUICK = Duration.ofSeconds(10);

  @Test
  void billionLaughsIsRefusedByTheAliasLimit() {
    StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char prev = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [*").append(prev);
      yaml.append((", *" + prev).repeat(9)).append("]\n");
    }
    String error = assertTimeoutPreemptively(QUICK, () -> onlyError(yaml.toString()));
    assertTrue(error.contains("invalid YAML") && error.contains("aliases"), error);
  }

  @Test
  void deepFlowNestingIsRefused() {
    String yaml = "listen: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n";
    List<String> errors = assertTimeoutPreemptively(QUICK, () -> errors(yaml));
    assertTrue(errors.get(0).contains("nested deeper than 100 levels"), errors.toString());
  }

  @Test
  void deepBlockNestingIsRefused() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < 1_000; i++) {
      yaml.append(" ".repeat(i)).append("k:\n");
    }
    List<String> errors = assertTimeoutPreemptively(QUICK, () -> errors(yaml.toString()));
    assertTrue(errors.get(0).contains("nested deeper than 100 levels"), errors.toString());
  }
}
