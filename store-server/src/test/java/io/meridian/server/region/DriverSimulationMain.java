package io.meridian.server.region;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a long range of driver simulation seeds from the command line: {@code first count}. Prints
 * every failure with the line that replays it, and the totals at the end; exits 1 when a seed
 * failed. Its classpath is the test classpath surefire used (docs/simulator.md gives the command).
 */
public final class DriverSimulationMain {
  private DriverSimulationMain() {}

  /** What a range of seeds gave: its failures (with replay lines) and the summed statistics. */
  record Outcome(List<String> failures, DriverStatistics total, long cpuMillis) {}

  /**
   * Runs {@code count} seeds from {@code first}, stopping after {@code failuresMax} failures; every
   * failure is printed as it happens.
   */
  static Outcome runSeeds(long first, long count, int failuresMax) {
    List<String> failures = new ArrayList<>();
    DriverStatistics total = new DriverStatistics();
    // Restarts and failed disks are the point of the runs: their log lines would be megabytes.
    Logger logger = Logger.getLogger("io.meridian");
    Level level = logger.getLevel();
    logger.setLevel(Level.OFF);
    long cpuStarted = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    for (long seed = first; seed < first + count && failures.size() < failuresMax; seed++) {
      try {
        total.add(new DriverSimulation(DriverParameters.fromSeed(seed)).run());
      } catch (AssertionError | RuntimeException failure) {
        String message =
            failure instanceof AssertionError
                ? failure.getMessage()
                : "seed " + seed + ": " + failure + "; replay: " + DriverSimulation.replay(seed);
        System.out.println(message);
        failures.add(message);
      }
    }
    logger.setLevel(level);
    long cpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStarted;
    return new Outcome(failures, total, cpuNanos / 1_000_000);
  }

  /**
   * Runs seeds {@code args[0]} to {@code args[0] + args[1] - 1}.
   *
   * @param args the first seed and the number of seeds (defaults 0 and 100,000)
   */
  public static void main(String[] args) {
    long first = args.length > 0 ? Long.parseLong(args[0]) : 0;
    long count = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
    long started = System.nanoTime();
    Outcome outcome = runSeeds(first, count, Integer.MAX_VALUE);
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    System.out.println(
        count
            + " driver simulation seeds from "
            + first
            + " in "
            + seconds
            + " s ("
            + outcome.cpuMillis() / 1000
            + " s of CPU): "
            + outcome.failures().size()
            + " failed; "
            + outcome.total());
    if (!outcome.failures().isEmpty()) {
      System.exit(1);
    }
  }
}
