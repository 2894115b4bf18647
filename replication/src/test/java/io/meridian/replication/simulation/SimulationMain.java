package io.meridian.replication.simulation;

/**
 * Runs the simulator outside JUnit: {@code SimulationMain <firstSeed> [count]}. Prints one line per
 * thousand seeds and, for a failure, the seed and its replay command; exits 1 if any seed failed.
 */
public final class SimulationMain {
  private SimulationMain() {}

  public static void main(String[] arguments) {
    long first = arguments.length > 0 ? Long.parseLong(arguments[0]) : 0;
    long count = arguments.length > 1 ? Long.parseLong(arguments[1]) : 1;
    long failures = 0;
    long started = System.nanoTime();
    Simulation.Statistics total = new Simulation.Statistics();
    for (long seed = first; seed < first + count; seed++) {
      try {
        total.add(new Simulation(SimulationParameters.fromSeed(seed)).run());
      } catch (SimulationFailure failure) {
        failures++;
        System.out.println(failure.getMessage());
      }
      long done = seed - first + 1;
      if (done % 1000 == 0 || done == count) {
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
            "%d seeds from %d, %d failed, %.1f s, %.1f runs/s%n",
            done, first, failures, seconds, done / seconds);
      }
    }
    System.out.println("totals: " + total);
    System.exit(failures == 0 ? 0 : 1);
  }
}
