package io.wsgate.wirefuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A sequence of steps over a few connections; every connection still open at the end is closed. */
record Scenario(List<Step> steps) {
  public Scenario {
    steps = List.copyOf(steps);
  }

  static Scenario of(Step... steps) {
    return new Scenario(List.of(steps));
  }

  Scenario withoutRange(int from, int to) {
    List<Step> out = new ArrayList<>(steps.subList(0, from));
    out.addAll(steps.subList(to, steps.size()));
    return new Scenario(out);
  }

  Scenario with(int index, Step step) {
    List<Step> out = new ArrayList<>(steps);
    out.set(index, step);
    return new Scenario(out);
  }

  @Override
  public String toString() {
    return steps.stream().map(s -> "  " + s).collect(Collectors.joining("\n"));
  }
}
