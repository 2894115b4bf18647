package io.meridian.replication.simulation;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints the figures of the README: simulated runs per second; frames and bytes per update for 3
 * and 5 regions with and without batching; what a region receives to catch up after a partition,
 * against what diverged.
 */
public final class FiguresMain {
  private FiguresMain() {}

  public static void main(String[] arguments) {
    runsPerSecond();
    for (int regions : new int[] {3, 5}) {
      for (boolean batching : new boolean[] {false, true}) {
        Simulation.Statistics statistics =
            new Simulation(SimulationParameters.steady(7, regions, batching)).run();
        System.out.printf(
            "regions %d, batching %-5s: %d entries, %.2f frames/update, %.0f bytes/update,"
                + " %.2f entry copies/update%n",
            regions,
            batching,
            statistics.entriesMade,
            (double) statistics.framesSent / statistics.entriesMade,
            (double) statistics.bytesSent / statistics.entriesMade,
            (double) statistics.entriesShipped / statistics.entriesMade);
      }
    }
    catchUp(1_000);
    catchUp(10);
  }

  private static void runsPerSecond() {
    for (long seed = 0; seed < 200; seed++) {
      runCounted(seed);
    }
    long started = System.nanoTime();
    int runs = 1_000;
    int failed = 0;
    for (long seed = 1_000; seed < 1_000 + runs; seed++) {
      failed += runCounted(seed);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "simulated runs: %d in %.1f s, %.0f runs/s (%d failed, printed above)%n",
        runs, seconds, runs / seconds, failed);
  }

  private static int runCounted(long seed) {
    try {
      new Simulation(SimulationParameters.fromSeed(seed)).run();
      return 0;
    } catch (SimulationFailure failure) {
      System.out.println(failure.getMessage().lines().findFirst().orElse("").substring(0, 60));
      return 1;
    }
  }

  /**
   * 1,000 keys written and replicated, then west is cut off while east updates 50 of them 100
   * times; after healing, counts what west receives.
   */
  private static void catchUp(int logEntriesPerOriginMax) {
    List<String> names = List.of("east", "north", "west");
    ScriptedCluster cluster =
        new ScriptedCluster(
            names,
            builder ->
                builder.logEntriesPerOriginMax(logEntriesPerOriginMax).digestRangeCount(1_024));
    for (int key = 0; key < 1_000; key++) {
      cluster.write("east", "key" + key);
      if (key % 10 == 0) {
        cluster.tick();
      }
    }
    cluster.ticks(30);
    cluster.partition(List.of("west"), List.of("east", "north"));
    List<String> diverged = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String key = "key" + (i % 50);
      cluster.write("east", key);
      diverged.add(key);
      cluster.tick();
    }
    cluster.ticks(30);
    ScriptedCluster.Node west = cluster.node("west");
    long entriesBefore = west.entriesReceived;
    long statesBefore = west.keyStatesReceived;
    long bytesBefore = west.bytesReceived;
    cluster.heal();
    cluster.ticks(60);
    if (!west.app.fingerprint().equals(cluster.node("east").app.fingerprint())) {
      throw new IllegalStateException("west did not catch up");
    }
    System.out.printf(
        "catch-up, log bound %d per origin: diverged 100 entries on 50 of 1000 keys;"
            + " west received %d entries and %d key states, %d bytes%n",
        logEntriesPerOriginMax,
        west.entriesReceived - entriesBefore,
        west.keyStatesReceived - statesBefore,
        west.bytesReceived - bytesBefore);
  }
}
