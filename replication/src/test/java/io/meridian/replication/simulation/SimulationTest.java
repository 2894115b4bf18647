package io.meridian.replication.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the simulator over the CI seeds ({@code -Dsimulation.seeds}, 2,000 by default, from {@code
 * -Dsimulation.firstSeed}), or one seed with {@code -Dsimulation.seed=N}. Every failing seed is
 * reported with its replay command.
 */
class SimulationTest {
  @Test
  void everySeedKeepsEveryProperty() {
    String single = System.getProperty("simulation.seed");
    long first = single != null ? Long.parseLong(single) : Long.getLong("simulation.firstSeed", 0);
    long count = single != null ? 1 : Long.getLong("simulation.seeds", 2_000);
    List<String> failures = new ArrayList<>();
    for (long seed = first; seed < first + count; seed++) {
      try {
        new Simulation(SimulationParameters.fromSeed(seed)).run();
      } catch (SimulationFailure failure) {
        System.out.println(failure.getMessage());
        failures.add(failure.getMessage());
        if (failures.size() >= 5) {
          break;
        }
      }
    }
    assertThat(failures).isEmpty();
  }
}
