package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link DriverSimulation} over the seeds {@code -Ddriver.simulation.seeds} (200 by default)
 * from {@code -Ddriver.simulation.firstSeed}, or the one seed {@code -Ddriver.simulation.seed=N}.
 * Every failing seed is printed with the line that replays it.
 */
class DriverSimulationTest {
  @Test
  void everySeedKeepsEveryProperty() {
    String single = System.getProperty("driver.simulation.seed");
    long first =
        single != null ? Long.parseLong(single) : Long.getLong("driver.simulation.firstSeed", 0);
    long count = single != null ? 1 : Long.getLong("driver.simulation.seeds", 200);
    List<String> failures = new ArrayList<>();
    long acknowledged = 0;
    long retries = 0;
    long crashes = 0;
    long checkpointFailures = 0;
    long storageStops = 0;
    for (long seed = first; seed < first + count && failures.size() < 5; seed++) {
      try {
        DriverSimulation.Statistics statistics =
            new DriverSimulation(DriverSimulation.Parameters.fromSeed(seed)).run();
        acknowledged += statistics.acknowledged();
        retries += statistics.retries();
        crashes += statistics.crashes();
        checkpointFailures += statistics.checkpointFailures();
        storageStops += statistics.storageStops();
      } catch (AssertionError | RuntimeException failure) {
        String message =
            failure instanceof AssertionError
                ? failure.getMessage()
                : "seed " + seed + ": " + failure + "; replay: " + DriverSimulation.replay(seed);
        System.out.println(message);
        failures.add(message);
      }
    }
    System.out.println(
        count
            + " driver simulation seeds from "
            + first
            + ": "
            + acknowledged
            + " writes acknowledged, "
            + retries
            + " retries, "
            + crashes
            + " crashes, "
            + checkpointFailures
            + " failed checkpoint commits, "
            + storageStops
            + " regions stopped by a failed checkpoint");
    assertThat(failures).isEmpty();
    if (count >= 100) {
      assertThat(acknowledged).isPositive();
      assertThat(retries).isPositive();
      assertThat(crashes).isPositive();
      assertThat(checkpointFailures).isPositive();
    }
  }
}
