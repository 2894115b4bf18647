package io.meridian.benchmarks.geo;

import io.meridian.server.Region;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What causal delivery costs: the same closed loop of counter increments, run against regions with
 * causal delivery and against regions in the benchmark-only eventual mode ({@link
 * Region#DELIVERY_PROPERTY}), alternately, so both see the same machine as far as one can. Reports
 * each run's throughput and the regions' CPU per acknowledged update, and the ratios of the sums.
 *
 * <p>Counters only: increments commute, so both modes must end at the same values and the checker
 * judges both runs alike. Types whose effects depend on causal order (an observed-remove set's
 * remove, a causally later register assignment, a causal pair read in one snapshot) would be judged
 * wrong in the eventual mode, by design, so they are not part of this comparison.
 */
final class DeliveryComparison {
  private DeliveryComparison() {}

  /**
   * Runs {@code rounds} pairs (causal, then eventual) and writes {@code comparison.json} and each
   * run's report under {@code out}.
   *
   * @param base the run's configuration (its closed loop is the load)
   * @param rounds pairs of runs
   * @param out the output directory
   * @param progress where the lines go
   * @return 0 when every run passed the checker, 1 otherwise
   * @throws Exception if regions cannot be started
   */
  static int run(GeoRun.Config base, int rounds, Path out, PrintStream progress) throws Exception {
    JsonArray runs = new JsonArray();
    double[] updates = new double[2];
    double[] cpuNanos = new double[2];
    boolean passed = true;
    for (int round = 1; round <= rounds; round++) {
      for (String mode : List.of("causal", "eventual")) {
        List<String> options = new ArrayList<>(base.serverJvmOptions());
        options.add("-D" + Region.DELIVERY_PROPERTY + "=" + mode);
        progress.printf("geo: delivery %s, round %d of %d%n", mode, round, rounds);
        GeoResult result = new GeoRun(withServerOptions(base, options)).run(progress);
        GeoReport.write(result, out.resolve(mode + "-" + round));
        JsonObject summary = result.summary();
        long acknowledged = result.acknowledgedUpdates();
        double cpu = result.cpuNanos().values().stream().mapToLong(Long::longValue).sum();
        int slot = mode.equals("causal") ? 0 : 1;
        updates[slot] += acknowledged;
        cpuNanos[slot] += cpu;
        passed &= result.passed();
        runs.add(
            new JsonObject()
                .put("delivery", mode)
                .put("round", round)
                .put("updatesAcknowledged", acknowledged)
                .put("updatesPerSecond", acknowledged * 1000.0 / base.durationMillis())
                .put("regionsCpuMicrosPerUpdate", summary.getDouble("regionsCpuMicrosPerUpdate"))
                .put("checkerPassed", result.passed())
                .put("violations", result.violations().size())
                .put("loadAverageBefore", result.loadBefore())
                .put("loadAverageAfter", result.loadAfter()));
        progress.printf(
            Locale.ROOT,
            "geo: delivery %s round %d: %.0f updates/s, regions' CPU %.0f µs per update, checker"
                + " %s, load %.1f -> %.1f%n",
            mode,
            round,
            acknowledged * 1000.0 / base.durationMillis(),
            summary.getDouble("regionsCpuMicrosPerUpdate"),
            result.passed() ? "passed" : "FAILED",
            result.loadBefore(),
            result.loadAfter());
      }
    }
    double throughputRatio = updates[0] / Math.max(1, updates[1]);
    double cpuRatio =
        (cpuNanos[0] / Math.max(1, updates[0]))
            / Math.max(1e-9, cpuNanos[1] / Math.max(1, updates[1]));
    JsonObject comparison =
        new JsonObject()
            .put("rounds", rounds)
            .put("runs", runs)
            .put("causalOverEventualThroughput", throughputRatio)
            .put("causalOverEventualCpuPerUpdate", cpuRatio);
    write(out, comparison);
    progress.printf(
        Locale.ROOT,
        "geo: causal delivery at %.3f of the eventual mode's throughput (cost %.1f %%), CPU per"
            + " update %.3f of it; target: cost <= 3 %%%n",
        throughputRatio,
        (1 - throughputRatio) * 100,
        cpuRatio);
    return passed ? 0 : 1;
  }

  private static void write(Path out, JsonObject comparison) throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("comparison.json"), comparison.encodePrettily());
  }

  private static GeoRun.Config withServerOptions(GeoRun.Config c, List<String> options) {
    return new GeoRun.Config(
        c.regions(),
        c.durationMillis(),
        c.workload(),
        c.delaysMillis(),
        c.jitterMillis(),
        c.bytesPerSecondMax(),
        c.faults(),
        c.requestTimeoutMillis(),
        c.convergeTimeoutMillis(),
        List.copyOf(options),
        c.warmupRequests(),
        c.clockOffsetsMillis(),
        c.keepDirectory());
  }
}
