package io.meridian.benchmarks.geo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Many seeded fault schedules in one command: schedule {@code i} is a {@link GeoHarness} run with
 * seed {@code S + i} (its workload and its random faults drawn from that seed, as {@code GeoHarness
 * --seed S+i} would draw them), the run options shared. It runs until it has run {@code
 * --schedules} schedules and {@code --hours} have passed, never starting one after {@code
 * --max-hours}; it aggregates the checker's verdicts, prints the seed, the schedule and a replay
 * command of every failure, and keeps {@code campaign.json} up to date after every schedule.
 *
 * <p>By default the regions are started once and kept across schedules: each schedule writes its
 * keys in a bucket of its own (its seed's), so its checker judges only objects its own clients
 * wrote, while the regions carry on with what earlier schedules left (data, clocks set back by
 * {@code clock-back}, restarts). {@code --fresh-regions} starts new regions for every schedule
 * instead (slower: three JVM starts each), and so does {@code --lossy}. Exits 0 when every schedule
 * passed, 1 otherwise.
 */
@Command(
    name = "geo-campaign",
    description = "Run many seeded fault schedules against the regions; aggregate the verdicts.")
public final class GeoCampaign implements Callable<Integer> {
  /** The options of one run (seed: the first schedule's; --out: the campaign's directory). */
  @Mixin GeoHarness run = new GeoHarness();

  @Option(
      names = "--schedules",
      description = "Run at least this many schedules (default ${DEFAULT-VALUE}).")
  int schedulesMin = 10;

  @Option(
      names = "--hours",
      description = "Run at least this long, in hours (default ${DEFAULT-VALUE}).")
  double hoursMin = 0;

  @Option(
      names = "--max-hours",
      description = "Start no schedule after this many hours (default ${DEFAULT-VALUE}).")
  double hoursMax = 24;

  @Option(
      names = "--fresh-regions",
      description = "Start new region processes for every schedule instead of keeping them.")
  boolean freshRegions;

  @Option(
      names = "--vary",
      description =
          "Draw each schedule's clients (http, sdk, both), key popularity (uniform or Zipf 1.0)"
              + " and loop (open or closed) from its seed, instead of the options'.")
  boolean vary;

  private PrintStream progress = System.out;
  private final List<JsonObject> schedules = new ArrayList<>();
  private final List<JsonObject> failures = new ArrayList<>();
  private long firstSeed;
  private Instant startedAt;
  private long startedNanos;

  /**
   * Runs the command line.
   *
   * @param args the options
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new GeoCampaign()).execute(args));
  }

  /**
   * Sends the progress lines elsewhere.
   *
   * @param stream where
   * @return this
   */
  public GeoCampaign progress(PrintStream stream) {
    this.progress = stream;
    run.progress(stream);
    return this;
  }

  /**
   * @return one JSON object per schedule run so far (seed, faults, operations, verdict)
   */
  public List<JsonObject> schedules() {
    return List.copyOf(schedules);
  }

  /**
   * @return the schedules that failed, with their violations and replay commands
   */
  public List<JsonObject> failures() {
    return List.copyOf(failures);
  }

  @Override
  public Integer call() throws Exception {
    firstSeed = run.seed != null ? run.seed : System.nanoTime();
    startedNanos = System.nanoTime();
    startedAt = Instant.now();
    Files.createDirectories(run.out);
    if (run.lossy && !freshRegions) {
      // A region restarted on an empty disk may reuse its lost sequence numbers, so later
      // schedules on the same regions would lose updates for a reason outside their own run.
      freshRegions = true;
      progress.println("campaign: --lossy runs every schedule on fresh regions");
    }
    progress.printf(
        "campaign: first seed %d, at least %d schedules and %.2f h, at most %.2f h, %s regions%n",
        firstSeed, schedulesMin, hoursMin, hoursMax, freshRegions ? "fresh" : "kept");
    GeoRun kept = null;
    Path directory = null;
    // Ctrl-C or kill: the kept regions are child processes; they must not outlive the campaign.
    GeoRun[] open = new GeoRun[1];
    Thread onExit = new Thread(() -> closeQuietly(open[0]), "geo-campaign-exit");
    Runtime.getRuntime().addShutdownHook(onExit);
    try {
      for (int i = 0; ; i++) {
        double hours = (System.nanoTime() - startedNanos) / 3.6e12;
        if (i >= schedulesMin && hours >= hoursMin || hours >= hoursMax) {
          break;
        }
        long seed = firstSeed + i;
        run.seed = seed;
        GeoRun.Config config = configOf(freshRegions || kept == null);
        long scheduleStarted = System.nanoTime();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        GeoResult result;
        try {
          if (freshRegions) {
            result = new GeoRun(config).run(quiet());
          } else {
            if (kept == null) {
              directory = Files.createTempDirectory("meridian-geo-campaign");
              kept = new GeoRun(config);
              open[0] = kept;
              try {
                kept.open(directory);
              } catch (Exception e) {
                // Half-started regions are no base for the next schedule: it starts them anew.
                closeQuietly(kept);
                kept = null;
                open[0] = null;
                RegionProcess.deleteTree(directory);
                directory = null;
                throw e;
              }
            }
            result = kept.schedule(config, "geo-" + Long.toUnsignedString(seed), quiet());
          }
        } catch (Exception e) {
          // The harness could not run the schedule (a region did not start): a failure too.
          record(i, seed, config, null, e, scheduleStarted, load);
          continue;
        }
        record(i, seed, config, result, null, scheduleStarted, load);
      }
    } finally {
      Runtime.getRuntime().removeShutdownHook(onExit);
      if (kept != null) {
        kept.close();
      }
      if (directory != null) {
        RegionProcess.deleteTree(directory);
      }
    }
    JsonObject summary = summary(true);
    progress.println("campaign: summary " + summary.getJsonObject("totals").encode());
    progress.println("campaign: " + run.out.resolve("campaign.json").toAbsolutePath());
    if (failures.isEmpty()) {
      progress.printf("campaign: %d schedules, checker passed in every one%n", schedules.size());
      return 0;
    }
    progress.printf(
        "campaign: %d of %d schedules FAILED (seeds %s)%n",
        failures.size(), schedules.size(), failures.stream().map(f -> f.getLong("seed")).toList());
    return 1;
  }

  /**
   * A schedule's client mode under {@code --vary}.
   *
   * @param clients {@code http}, {@code sdk} or {@code both}
   * @param zipf the key popularity exponent, 0 (uniform) or 1
   * @param backToBack sessions send back to back (closed loop) instead of on a schedule
   */
  record Variant(String clients, double zipf, boolean backToBack) {
    /**
     * The variant drawn from a schedule's seed (apart from its fault draw).
     *
     * @param seed the schedule's seed
     * @return its variant
     */
    static Variant of(long seed) {
      SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
      String[] clients = {"http", "sdk", "both"};
      return new Variant(
          clients[random.nextInt(clients.length)],
          random.nextBoolean() ? 1.0 : 0,
          random.nextBoolean());
    }

    /**
     * @return the harness options that give this variant
     */
    String options() {
      return "--clients " + clients + " --zipf " + zipf + (backToBack ? " --back-to-back" : "");
    }
  }

  /**
   * The next schedule's configuration (its seed set in {@link #run}); the warm-up requests only
   * when its regions are new.
   */
  private GeoRun.Config configOf(boolean newRegions) {
    if (vary) {
      Variant variant = Variant.of(run.seed);
      run.clients = variant.clients();
      run.zipf = variant.zipf();
      run.backToBack = variant.backToBack();
    }
    GeoRun.Config config = run.config();
    if (newRegions) {
      return config;
    }
    return new GeoRun.Config(
        config.regions(),
        config.durationMillis(),
        config.workload(),
        config.delaysMillis(),
        config.jitterMillis(),
        config.bytesPerSecondMax(),
        config.faults(),
        config.requestTimeoutMillis(),
        config.convergeTimeoutMillis(),
        config.serverJvmOptions(),
        0,
        config.clockOffsetsMillis(),
        config.keepDirectory());
  }

  private static void closeQuietly(GeoRun run) {
    if (run != null) {
      try {
        run.close();
      } catch (Exception e) {
        // Exiting anyway.
      }
    }
  }

  /** A schedule's own progress lines are not printed: only its one-line verdict. */
  private static PrintStream quiet() {
    return new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
  }

  private void record(
      int index,
      long seed,
      GeoRun.Config config,
      GeoResult result,
      Exception error,
      long startedNanos,
      double load)
      throws IOException {
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    JsonArray faults = new JsonArray();
    config.faults().forEach(fault -> faults.add(fault.toString()));
    JsonObject entry =
        new JsonObject()
            .put("index", index)
            .put("seed", seed)
            .put("faults", faults)
            .put("millis", millis)
            .put("loadAverage", load)
            .put("clients", config.workload().clients().name().toLowerCase(Locale.ROOT))
            .put("zipf", config.workload().zipfExponent())
            .put("backToBack", config.workload().backToBack());
    List<String> violations;
    if (result != null) {
      violations = result.violations();
      entry
          .put("operations", result.history().size())
          .put(
              "sdkOperations",
              result.history().stream()
                  .filter(o -> config.workload().clients().sdk(o.session()))
                  .count())
          .put("acknowledgedUpdates", result.acknowledgedUpdates())
          .put("unanswered", count(result, Operation.Outcome.UNKNOWN))
          .put("refused", count(result, Operation.Outcome.FAILED))
          .put("converged", result.converged())
          .put("convergedMillis", result.convergedMillis())
          .put("restarts", result.recoveries().size())
          .put(
              "regionsCpuMillis",
              result.cpuNanos().values().stream().mapToLong(Long::longValue).sum() / 1_000_000);
    } else {
      violations = List.of("the harness could not run the schedule: " + error);
    }
    entry.put("passed", violations.isEmpty());
    schedules.add(entry);
    String line =
        String.format(
            Locale.ROOT,
            "campaign: #%d seed %d %s%s %s, %s ops, %d ms, load %.1f",
            index,
            seed,
            violations.isEmpty() ? "passed" : "FAILED",
            vary ? " (" + Variant.of(seed).options() + ")" : "",
            config.faults(),
            result == null ? "-" : String.valueOf(result.history().size()),
            millis,
            load);
    progress.println(line);
    if (!violations.isEmpty()) {
      JsonArray listed = new JsonArray();
      violations.stream().limit(20).forEach(listed::add);
      StringBuilder replay = new StringBuilder("--seed " + seed);
      if (vary) {
        replay.append(' ').append(Variant.of(seed).options());
      }
      config.faults().forEach(fault -> replay.append(" --fault ").append(fault));
      JsonObject failure = entry.copy().put("violations", listed).put("replay", replay.toString());
      failures.add(failure);
      violations.stream().limit(20).forEach(v -> progress.println("campaign:   " + v));
      progress.println("campaign:   replay with GeoHarness (and the same run options) " + replay);
      if (result != null) {
        GeoReport.write(result, run.out.resolve("failed-" + Long.toUnsignedString(seed)));
      }
    }
    summary(false);
  }

  private static long count(GeoResult result, Operation.Outcome outcome) {
    return result.history().stream().filter(o -> o.outcome() == outcome).count();
  }

  /** Writes {@code campaign.json} as it stands and returns it. */
  private JsonObject summary(boolean done) throws IOException {
    long operations = 0;
    long sdkOperations = 0;
    long acknowledged = 0;
    long unanswered = 0;
    long restarts = 0;
    long cpuMillis = 0;
    double loadMin = Double.MAX_VALUE;
    double loadMax = 0;
    Map<String, Integer> kinds = new TreeMap<>();
    for (JsonObject entry : schedules) {
      operations += entry.getLong("operations", 0L);
      sdkOperations += entry.getLong("sdkOperations", 0L);
      acknowledged += entry.getLong("acknowledgedUpdates", 0L);
      unanswered += entry.getLong("unanswered", 0L);
      restarts += entry.getLong("restarts", 0L);
      cpuMillis += entry.getLong("regionsCpuMillis", 0L);
      loadMin = Math.min(loadMin, entry.getDouble("loadAverage"));
      loadMax = Math.max(loadMax, entry.getDouble("loadAverage"));
      for (Object fault : entry.getJsonArray("faults")) {
        kinds.merge(fault.toString().substring(0, fault.toString().indexOf(':')), 1, Integer::sum);
      }
    }
    JsonObject totals =
        new JsonObject()
            .put("schedules", schedules.size())
            .put("failed", failures.size())
            .put("operations", operations)
            .put("sdkOperations", sdkOperations)
            .put("acknowledgedUpdates", acknowledged)
            .put("unanswered", unanswered)
            .put("restarts", restarts)
            .put("regionsCpuMillis", cpuMillis)
            .put(
                "regionsCpuMillisPerAcknowledgedUpdate",
                acknowledged == 0 ? 0 : (double) cpuMillis / acknowledged)
            .put("faultsByKind", new JsonObject(new TreeMap<>(kinds)))
            .put("loadAverageMin", schedules.isEmpty() ? 0 : loadMin)
            .put("loadAverageMax", loadMax);
    JsonObject summary =
        new JsonObject()
            .put("firstSeed", firstSeed)
            .put("done", done)
            .put("freshRegions", freshRegions)
            .put("regions", run.regions)
            .put("secondsPerSchedule", run.seconds)
            .put("rate", run.rate)
            .put("sessions", run.sessions)
            .put("faultsPerSchedule", run.faultCount)
            .put("zipf", vary ? null : (Object) run.zipf)
            .put("vary", vary)
            .put("clients", vary ? "varied" : run.clients)
            .put("backToBack", vary ? null : (Object) run.backToBack)
            .put("delaysMillis", new JsonArray(new ArrayList<>(run.delaysMillis)))
            .put("clockOffsetsMillis", new JsonObject(new TreeMap<>(run.clockOffsetsMillis)))
            .put("totals", totals)
            .put("failures", new JsonArray(new ArrayList<>(failures)))
            .put("startedAt", startedAt.toString())
            .put("endedAt", Instant.now().toString())
            .put("wallSeconds", (System.nanoTime() - startedNanos) / 1_000_000_000L)
            .put("schedules", new JsonArray(new ArrayList<>(schedules)));
    write(summary);
    return summary;
  }

  private void write(JsonObject summary) throws IOException {
    Path file = run.out.resolve("campaign.json");
    Path partial = run.out.resolve("campaign.json.partial");
    Files.writeString(partial, summary.encodePrettily());
    Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
