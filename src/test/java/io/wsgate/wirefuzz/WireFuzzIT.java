package io.wsgate.wirefuzz;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A stateful wire fuzzer: generated sequences of raw bytes over one to three TLS connections to a
 * live gateway (pipelined upgrades, upgrades with frames behind them in one write, cut request
 * heads, bad and good frames before and after the 101, closes and resets, token and header
 * variants; see {@link ScenarioGenerator}). After each sequence, with every client gone, the gateway
 * must hold nothing within {@link FuzzTarget#SETTLE}: no session, no slot or count, one
 * {@code session.closed} per {@code session.accepted}, an intact audit chain, no upstream
 * connection open. A failing sequence is shrunk ({@link Shrinker}) and reported with its seed.
 *
 * <p>Known findings first, then {@value #FIXED_TRIES} sequences from a fixed seed, then
 * {@code -Dwsgate.wirefuzz.tries} (default {@value #DEFAULT_RANDOM_TRIES}) from a new seed each run
 * ({@code -Dwsgate.wirefuzz.seed} replays one).
 */
class WireFuzzIT {
  private static final long FIXED_SEED = 20_251_210L;
  private static final int FIXED_TRIES = 200;
  private static final int DEFAULT_RANDOM_TRIES = 100;
  private static final int KNOWN_FINDING_RUNS = 3;
  private static final Duration SHRINK_BUDGET =
      Duration.ofSeconds(Long.getLong("wsgate.wirefuzz.shrinkSeconds", 45));

  private static FuzzTarget target;

  @BeforeAll
  static void start(@TempDir Path dir) {
    target = new FuzzTarget(dir);
  }

  @AfterEach
  void stopGateway() {
    target.stopGateway();
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  /** Each known finding a few times: they are races, and one try can miss. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.wsgate.wirefuzz.KnownFindings#all")
  void knownFinding(Scenario scenario) {
    for (int i = 1; i <= KNOWN_FINDING_RUNS; i++) {
      FuzzTarget.Outcome outcome = target.run(scenario);
      int run = i;
      assertTrue(outcome.passed(), () -> "run " + run + " left behind:\n  " + outcome + "\nby:\n" + scenario);
    }
  }

  @Test
  void fixedSeed() {
    fuzz(FIXED_SEED, FIXED_TRIES);
  }

  @Test
  void randomSeed() {
    Long replay = Long.getLong("wsgate.wirefuzz.seed");
    fuzz(replay != null ? replay : ThreadLocalRandom.current().nextLong(),
        Integer.getInteger("wsgate.wirefuzz.tries", DEFAULT_RANDOM_TRIES));
  }

  private static void fuzz(long seed, int tries) {
    ScenarioGenerator generator = new ScenarioGenerator(seed);
    long start = System.nanoTime();
    for (int i = 1; i <= tries; i++) {
      Scenario scenario = generator.next();
      FuzzTarget.Outcome outcome = target.run(scenario);
      if (!outcome.passed()) {
        long foundMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Shrinker shrinker = new Shrinker(candidate -> !target.run(candidate).passed(), SHRINK_BUDGET);
        Scenario smallest = shrinker.shrink(scenario);
        FuzzTarget.Outcome again = target.run(smallest);
        fail("seed " + seed + " (-Dwsgate.wirefuzz.seed=" + seed + "), sequence " + i + " of " + tries
            + ", found after " + foundMs + " ms, left behind:\n  " + outcome + "\nby:\n" + scenario
            + "\n\nshrunk in " + shrinker.runs() + " runs to:\n" + smallest
            + "\nwhich " + (again.passed() ? "passed when run once more (a race: see the full sequence)"
            : "left behind:\n  " + again));
      }
    }
    System.out.printf("WireFuzzIT: %d sequences from seed %d, nothing left behind, in %d ms%n", tries, seed,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }
}
