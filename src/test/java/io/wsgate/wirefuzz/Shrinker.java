package io.wsgate.wirefuzz;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Makes a failing scenario smaller while it still fails, within a time budget: removes runs of
 * steps (halves, then quarters, ... then single steps), then pieces of writes, then replaces pieces
 * and reads by simpler ones. What is left is a scenario none of whose single removals still fails.
 */
final class Shrinker {
  private final Predicate<Scenario> fails;
  private final long deadline;
  private int runs;

  /** @param fails runs a scenario on the gateway and tells whether it broke an invariant */
  Shrinker(Predicate<Scenario> fails, Duration budget) {
    this.fails = fails;
    this.deadline = System.nanoTime() + budget.toNanos();
  }

  int runs() {
    return runs;
  }

  /** A smaller scenario that still fails (the one given, if none was found in time). */
  Scenario shrink(Scenario failing) {
    Scenario current = failing;
    boolean progress = true;
    while (progress && !outOfTime()) {
      progress = false;
      for (int size = Math.max(1, current.steps().size() / 2); size >= 1 && !outOfTime(); size /= 2) {
        for (int from = 0; from + size <= current.steps().size() && !outOfTime(); ) {
          Scenario candidate = current.withoutRange(from, from + size);
          if (!candidate.steps().isEmpty() && stillFails(candidate)) {
            current = candidate;
            progress = true;
          } else {
            from += size;
          }
        }
      }
      for (int i = 0; i < current.steps().size() && !outOfTime(); i++) {
        for (Step simpler : simpler(current.steps().get(i))) {
          Scenario candidate = current.with(i, simpler);
          if (stillFails(candidate)) {
            current = candidate;
            progress = true;
            break;
          }
        }
      }
    }
    return current;
  }

  private boolean stillFails(Scenario candidate) {
    runs++;
    return fails.test(candidate);
  }

  private boolean outOfTime() {
    return System.nanoTime() - deadline > 0;
  }

  /** Each way of making one step simpler: drop one of its pieces, simplify one piece, read less. */
  private static List<Step> simpler(Step step) {
    List<Step> out = new ArrayList<>();
    if (step instanceof Step.Send send) {
      List<Piece> pieces = send.pieces();
      for (int i = 0; i < pieces.size() && pieces.size() > 1; i++) {
        List<Piece> fewer = new ArrayList<>(pieces);
        fewer.remove(i);
        out.add(new Step.Send(send.conn(), fewer));
      }
      for (int i = 0; i < pieces.size(); i++) {
        for (Piece simpler : pieces.get(i).simpler()) {
          List<Piece> changed = new ArrayList<>(pieces);
          changed.set(i, simpler);
          out.add(new Step.Send(send.conn(), changed));
        }
      }
    } else if (step instanceof Step.Read read && read.millis() > 0) {
      out.add(new Step.Read(read.conn(), 0));
    } else if (step instanceof Step.Reset reset) {
      out.add(new Step.Close(reset.conn()));
    }
    return out;
  }
}
