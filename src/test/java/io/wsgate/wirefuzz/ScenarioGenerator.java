package io.wsgate.wirefuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random scenarios from a seed: mostly upgrades and frames, often several in one write, on one to
 * three connections, with reads, closes and resets in between. The same seed gives the same scenarios.
 */
final class ScenarioGenerator {
  private static final int MAX_STEPS = 8;
  private static final int[] READ_MILLIS = {0, 20, 100, 300};
  private static final String[] GET_PATHS = {"/echo", "/", "/capped"};

  private final Random random;

  ScenarioGenerator(long seed) {
    this.random = new Random(seed);
  }

  Scenario next() {
    int connections = 1 + random.nextInt(3);
    int count = 1 + random.nextInt(MAX_STEPS);
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      steps.add(step(random.nextInt(connections)));
    }
    return new Scenario(steps);
  }

  private Step step(int conn) {
    int roll = random.nextInt(100);
    if (roll < 60) {
      int pieces = random.nextInt(100) < 50 ? 1 : 2 + random.nextInt(2);
      List<Piece> out = new ArrayList<>();
      for (int i = 0; i < pieces; i++) {
        out.add(piece());
      }
      return new Step.Send(conn, out);
    }
    if (roll < 82) {
      return new Step.Read(conn, READ_MILLIS[random.nextInt(READ_MILLIS.length)]);
    }
    return roll < 92 ? new Step.Close(conn) : new Step.Reset(conn);
  }

  private Piece piece() {
    int roll = random.nextInt(100);
    if (roll < 50) {
      return upgrade();
    }
    if (roll < 77) {
      return new Piece.Frame(pick(FrameKind.values()));
    }
    if (roll < 88) {
      return new Piece.Cut(upgrade(), 10 + random.nextInt(81), random.nextInt(100) < 70);
    }
    if (roll < 95) {
      return new Piece.PlainGet(GET_PATHS[random.nextInt(GET_PATHS.length)]);
    }
    return new Piece.Garbage();
  }

  private Piece.Upgrade upgrade() {
    Route route = weighted(Route.values(), 40, 25, 15, 10, 10);
    int styleRoll = random.nextInt(100);
    Style style = styleRoll < 60 ? Style.PLAIN : styleRoll < 75 ? Style.LOOSE : pick(Style.values());
    Credential credential;
    if (route == Route.CAPPED || random.nextInt(100) < 10) {
      credential = random.nextInt(100) < 45 ? Credential.ALICE : pick(Credential.values());
    } else {
      credential = Credential.NONE;
    }
    return new Piece.Upgrade(route, style, credential);
  }

  private <T> T pick(T[] values) {
    return values[random.nextInt(values.length)];
  }

  private <T> T weighted(T[] values, int... weights) {
    int roll = random.nextInt(java.util.Arrays.stream(weights).sum());
    for (int i = 0; i < values.length; i++) {
      roll -= weights[i];
      if (roll < 0) {
        return values[i];
      }
    }
    throw new IllegalStateException("weights do not cover the values");
  }
}
