package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Workload.WorkloadConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The geo-replication harness's command: R regions as {@code meridian server} processes behind the
 * project's WAN proxy, clients over raw HTTP, faults on a schedule or drawn from the seed, a
 * history checker, and a report ({@code results.json}, {@code report.html}). Exits 0 when the
 * checker passes, 1 when it finds a violation (it prints the seed and the fault schedule that
 * reproduce the run), 2 on a usage error.
 */
@Command(
    name = "geo",
    mixinStandardHelpOptions = true,
    description = "Run regions behind an emulated WAN, inject faults, check the history.")
public final class GeoHarness implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--regions",
      description = "Number of regions, 2 to 5 (default ${DEFAULT-VALUE}).")
  int regions = 3;

  @Option(names = "--seconds", description = "Workload duration (default ${DEFAULT-VALUE}).")
  long seconds = 20;

  @Option(
      names = "--rate",
      description =
          "Operations per second over all sessions, open loop" + " (default ${DEFAULT-VALUE}).")
  double rate = 200;

  @Option(
      names = "--sessions",
      description = "Sequential client sessions (default ${DEFAULT-VALUE}).")
  int sessions = 8;

  @Option(
      names = "--seed",
      description = "Seed of the workload and the random faults (default: drawn and printed).")
  Long seed;

  @Option(
      names = "--delays-ms",
      split = ",",
      description =
          "One-way delay per region pair, in"
              + " the order r1-r2, r1-r3, ..., r2-r3, ...; cycled (default ${DEFAULT-VALUE}).")
  List<Long> delaysMillis = new ArrayList<>(List.of(40L, 80L, 120L));

  @Option(
      names = "--jitter-ms",
      description = "Jitter bound of every link (default ${DEFAULT-VALUE}).")
  long jitterMillis = 5;

  @Option(
      names = "--bandwidth-bytes-per-second",
      description = "Bandwidth cap of every link," + " 0 for none (default ${DEFAULT-VALUE}).")
  long bytesPerSecondMax = 0;

  @Option(
      names = "--faults",
      description =
          "Random faults drawn from the seed when no --fault is"
              + " given (default ${DEFAULT-VALUE}).")
  int faultCount = 4;

  @Option(
      names = "--fault",
      description =
          "A scheduled fault, kind:TARGET@START-END in ms"
              + " (kinds: partition-hold, partition-drop, flap, loss with A-B; one-way with A>B; kill,"
              + " pause with a region); repeat. Replaces the random faults.")
  List<String> faultSpecs = new ArrayList<>();

  @Option(
      names = "--lossy",
      description =
          "Deliberately lose data: r1 is cut off, then killed and"
              + " restarted on an empty data directory. The checker must fail.")
  boolean lossy;

  @Option(
      names = "--zipf",
      description = "Key popularity exponent, 0 for uniform (default ${DEFAULT-VALUE}).")
  double zipf = 0;

  @Option(
      names = "--clients",
      description =
          "Who sends the sessions' requests: http (raw), sdk (the project's client) or both"
              + " (alternating sessions) (default ${DEFAULT-VALUE}).")
  String clients = "http";

  @Option(
      names = "--back-to-back",
      description = "Each session sends its next operation when the last completed (at maximum).")
  boolean backToBack;

  @Option(names = "--counter-keys", description = "g-counter keys (default ${DEFAULT-VALUE}).")
  int counterKeys = 16;

  @Option(names = "--set-keys", description = "g-set keys (default ${DEFAULT-VALUE}).")
  int setKeys = 16;

  @Option(names = "--pairs", description = "Causal pairs of g-sets (default ${DEFAULT-VALUE}).")
  int pairs = 4;

  @Option(
      names = "--probe-interval-ms",
      description = "Time between visibility probes, 0 for" + " none (default ${DEFAULT-VALUE}).")
  long probeIntervalMillis = 200;

  @Option(
      names = "--request-timeout-ms",
      description =
          "A request without an answer after this"
              + " counts as unanswered (default ${DEFAULT-VALUE}).")
  long requestTimeoutMillis = 3_000;

  @Option(
      names = "--converge-timeout-ms",
      description = "Bound on convergence after the heal" + " (default ${DEFAULT-VALUE}).")
  long convergeTimeoutMillis = 60_000;

  @Option(
      names = "--server-jvm-options",
      description = "JVM options of each region's process" + " (default ${DEFAULT-VALUE}).")
  String serverJvmOptions = "-Xmx384m -XX:+UseSerialGC";

  @Option(
      names = "--clock-offset-ms",
      description =
          "NAME=MILLIS: the region's clock runs that far ahead (negative: behind); repeat."
              + " Uses the server's test-only clock offset property.")
  Map<String, Long> clockOffsetsMillis = new LinkedHashMap<>();

  @Option(
      names = "--warmup-requests",
      description =
          "Updates and reads sent to each region before the clock starts (default ${DEFAULT-VALUE}).")
  int warmupRequests = 200;

  @Option(
      names = "--out",
      description = "Directory for results.json and report.html (default ${DEFAULT-VALUE}).")
  Path out = Path.of("geo-report");

  @Option(names = "--keep", description = "Keep the regions' data and logs (the path is printed).")
  boolean keep;

  @Option(
      names = "--closed-loop",
      description =
          "Instead of the sessions' open loop: this many g-counter increments in flight per"
              + " writing region, each sent when the previous one is answered (0: open loop;"
              + " default ${DEFAULT-VALUE}).")
  int closedLoopConnections = 0;

  @Option(
      names = "--closed-loop-updates",
      description =
          "With --closed-loop: a writing region stops after this many acknowledged updates"
              + " (default ${DEFAULT-VALUE}).")
  long closedLoopUpdates = Long.MAX_VALUE;

  @Option(
      names = "--closed-loop-regions",
      split = ",",
      description = "With --closed-loop: the writing regions (default: all).")
  List<String> closedLoopRegions = new ArrayList<>();

  @Option(
      names = "--preset",
      description =
          "partition-60s: r1 cut off from every other region for 60 s (links hold) while a closed"
              + " loop of 16 connections writes up to 100,000 increments at r1 and at r2 each, then"
              + " the heal; replaces --seconds, --fault, --closed-loop*.")
  String preset;

  @Option(
      names = "--compare-delivery",
      description =
          "Run the same load with causal delivery and with the benchmark-only eventual mode (the"
              + " regions' -D"
              + io.meridian.server.Region.DELIVERY_PROPERTY
              + "), ROUNDS times each alternately, and report the throughput ratio. Needs"
              + " --closed-loop (counters only: the one load both modes must agree on).")
  int compareRounds = 0;

  private PrintStream progress = System.out;
  private GeoResult result;

  /**
   * Runs the command line.
   *
   * @param args the options
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new GeoHarness()).execute(args));
  }

  /**
   * The configuration the options describe.
   *
   * @return the run's configuration
   */
  public GeoRun.Config config() {
    applyPreset();
    long runSeed = seed != null ? seed : System.nanoTime();
    seed = runSeed;
    long durationMillis = seconds * 1000;
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= regions; i++) {
      names.add("r" + i);
    }
    List<Fault> faults = new ArrayList<>();
    for (String spec : faultSpecs) {
      faults.add(Fault.parse(spec, names));
    }
    if (faultSpecs.isEmpty() && !lossy) {
      faults.addAll(Fault.random(runSeed, names, durationMillis, faultCount));
    }
    if (lossy) {
      faults.add(
          new Fault(
              Fault.Kind.LOSE_DISK, "r1", null, durationMillis / 10, durationMillis * 6 / 10));
    }
    Workload.ClosedLoop closedLoop =
        closedLoopConnections <= 0
            ? null
            : new Workload.ClosedLoop(
                closedLoopConnections,
                closedLoopUpdates,
                closedLoopRegions.isEmpty() ? names : closedLoopRegions);
    if (closedLoop != null && !names.containsAll(closedLoop.regions())) {
      throw new IllegalArgumentException("--closed-loop-regions must name regions of " + names);
    }
    WorkloadConfig workload =
        new WorkloadConfig(
            sessions,
            rate,
            counterKeys,
            setKeys,
            pairs,
            zipf,
            probeIntervalMillis,
            runSeed,
            Workload.Clients.valueOf(clients.toUpperCase(java.util.Locale.ROOT)),
            backToBack,
            closedLoop);
    List<String> jvmOptions =
        serverJvmOptions.isBlank()
            ? List.of()
            : Arrays.asList(serverJvmOptions.trim().split("\\s+"));
    return new GeoRun.Config(
        regions,
        durationMillis,
        workload,
        delaysMillis,
        jitterMillis,
        bytesPerSecondMax,
        faults,
        requestTimeoutMillis,
        convergeTimeoutMillis,
        jvmOptions,
        warmupRequests,
        clockOffsetsMillis,
        keep);
  }

  /** Sets the options a preset stands for. */
  private void applyPreset() {
    if (preset == null) {
      return;
    }
    if (!preset.equals("partition-60s")) {
      throw new IllegalArgumentException("unknown preset " + preset + " (known: partition-60s)");
    }
    seconds = 60;
    closedLoopConnections = 16;
    closedLoopUpdates = 100_000;
    closedLoopRegions = new ArrayList<>(List.of("r1", "r2"));
    faultSpecs = new ArrayList<>();
    for (int i = 2; i <= regions; i++) {
      faultSpecs.add("partition-hold:r1-r" + i + "@0-60000");
    }
    preset = null;
  }

  @Override
  public Integer call() throws Exception {
    GeoRun.Config config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      // A malformed --fault or an out-of-range option: a usage error (status 2), not a failed run.
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (compareRounds > 0) {
      if (config.workload().closedLoop() == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--compare-delivery needs --closed-loop (counters only)");
      }
      return DeliveryComparison.run(config, compareRounds, out, progress);
    }
    progress.printf(
        "geo: seed %d, %d regions, delays %s ms, faults %s%n",
        config.workload().seed(), config.regions(), config.delaysMillis(), config.faults());
    result = new GeoRun(config).run(progress);
    Path html = GeoReport.write(result, out);
    progress.println("geo: summary " + result.summary().encode());
    progress.println(
        "geo: report "
            + html.toAbsolutePath()
            + ", raw results "
            + out.resolve("results.json").toAbsolutePath());
    if (result.passed()) {
      progress.println("geo: checker passed (" + result.history().size() + " operations)");
      return 0;
    }
    progress.println("geo: CHECKER FAILED with " + result.violations().size() + " violation(s):");
    result.violations().stream().limit(20).forEach(v -> progress.println("geo:   " + v));
    StringBuilder replay = new StringBuilder("--seed " + config.workload().seed());
    if (lossy) {
      replay.append(" --lossy");
    } else {
      config.faults().forEach(fault -> replay.append(" --fault ").append(fault));
    }
    progress.println(
        "geo: seed "
            + config.workload().seed()
            + ", fault schedule "
            + config.faults()
            + "; replay with: "
            + replay);
    return 1;
  }

  /**
   * @return the last run's results (after {@link #call()}), for tests
   */
  public GeoResult result() {
    return result;
  }

  /**
   * Sends the progress lines elsewhere.
   *
   * @param stream where
   * @return this
   */
  public GeoHarness progress(PrintStream stream) {
    this.progress = stream;
    return this;
  }
}
