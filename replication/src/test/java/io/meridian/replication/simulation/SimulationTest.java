package io.meridian.replication.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the simulator over the CI seeds ({@code -Dsimulation.seeds}, 2,000 by default, from {@code
 * -Dsimulation.firstSeed}), or one seed with {@code -Dsimulation.seed=N}. Every failing seed is
 * reported with its replay command. Even seeds run the model workload, odd seeds the CRDT one; over
 * a hundred seeds or more, the CRDT runs must have folded states, retried operation ids both at
 * regions that held them and at regions that did not, and retried client sequences at regions that
 * had folded every entry that carried them, or the S4 and S7 checks proved nothing.
 */
class SimulationTest {
  /**
   * Seeds that fail because of a crdt-types bug, not of replication, with the text their failure
   * must contain. They still run, and must still fail the same way: once crdt-types is fixed this
   * test fails until the seed leaves this list. Empty now: seeds 1077 and 1883 (an or-map remove
   * whose client context named tags its region had not applied) were fixed in crdt-types.
   */
  static final Map<Long, String> KNOWN_CRDT_TYPES_FAILURES = Map.of();

  @Test
  void everySeedKeepsEveryProperty() {
    String single = System.getProperty("simulation.seed");
    long first = single != null ? Long.parseLong(single) : Long.getLong("simulation.firstSeed", 0);
    long count = single != null ? 1 : Long.getLong("simulation.seeds", 2_000);
    List<String> failures = new ArrayList<>();
    Simulation.Statistics total = new Simulation.Statistics();
    long knownFailures = 0;
    for (long seed = first; seed < first + count; seed++) {
      try {
        total.add(new Simulation(SimulationParameters.fromSeed(seed)).run());
        if (KNOWN_CRDT_TYPES_FAILURES.containsKey(seed)) {
          failures.add("seed " + seed + " passes now: take it off KNOWN_CRDT_TYPES_FAILURES");
        }
      } catch (SimulationFailure failure) {
        String known = KNOWN_CRDT_TYPES_FAILURES.get(seed);
        if (known != null
            && failure.getMessage().startsWith("S2 broken")
            && failure.getMessage().contains(known)) {
          System.out.println("known crdt-types failure, still failing: seed " + seed);
          knownFailures++;
          continue;
        }
        System.out.println(failure.getMessage());
        failures.add(failure.getMessage());
        if (failures.size() >= 5) {
          break;
        }
      }
    }
    assertThat(failures).isEmpty();
    System.out.println(count + " seeds from " + first + ": " + total);
    if (count >= 100) {
      assertThat(total.crdtRuns + knownFailures).isEqualTo(count / 2);
      assertThat(total.foldsThatChangedAState).isPositive();
      assertThat(total.retriesAnsweredByTable).isPositive();
      assertThat(total.retriesThatMadeAnEffect).isPositive();
      assertThat(total.clientSequenceRetriesAnsweredAfterTheFold).isPositive();
    }
  }
}
