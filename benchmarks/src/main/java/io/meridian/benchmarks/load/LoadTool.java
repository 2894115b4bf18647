package io.meridian.benchmarks.load;

import io.meridian.server.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load tool: measures single-update throughput (closed loop), latency at a fixed rate (open
 * loop, free of coordinated omission) and cross-region visibility, against three regions it starts
 * in this process or against regions given by address. Prints one summary line per measurement.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.meridian.benchmarks.load.LoadTool --help}
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = "Measure a Meridian region: throughput, latency at a rate, visibility.")
public final class LoadTool implements Callable<Integer> {
  /** Which measurements to make. */
  enum Mode {
    CLOSED,
    OPEN,
    VISIBILITY,
    ALL
  }

  @Option(
      names = "--mode",
      description = "closed, open, visibility or all (default ${DEFAULT-VALUE})",
      converter = ModeConverter.class)
  Mode mode = Mode.ALL;

  @Option(
      names = "--target",
      description =
          "HOST:PORT of a region's HTTP API, repeated: the first takes the load and the writes,"
              + " the others are read for visibility. Without it, three regions start in-process.")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--regions",
      description = "regions to start in-process (default ${DEFAULT-VALUE})")
  int regionsStarted = 3;

  @Option(
      names = "--data-parent",
      description =
          "directory under which in-process regions keep their data (default: the temporary"
              + " directory); a memory file system there takes the disk's fsync out of the figures")
  java.nio.file.Path dataParent;

  @Option(
      names = "--server-pid",
      description =
          "with --target: the regions' process id, whose CPU time per update is reported too")
  long serverPid = -1;

  @Option(
      names = "--no-ceiling",
      description =
          "skip the ceiling: by default the closed loop is first run against a bare Vert.x"
              + " server in this process (CeilingServer), and the region's rate is reported as a"
              + " share of it")
  boolean noCeiling;

  @Option(
      names = "--spawn",
      description =
          "start the regions (meridian local: three regions, mutual TLS) and the ceiling server"
              + " each in its own JVM, so that the CPU reported per update is the servers' alone"
              + " and the client's work is not on their threads")
  boolean spawn;

  @Option(
      names = "--region-jvm-option",
      description = "with --spawn: an option of the regions' JVM, repeated (e.g. for JFR)")
  List<String> regionJvmOptions = new ArrayList<>();

  @Option(
      names = "--minimal-answers",
      description =
          "updates ask for the small answer (Prefer: return=minimal): name and type, no value")
  boolean minimalAnswers;

  @Option(names = "--insecure", description = "in-process replication without TLS")
  boolean insecure;

  @Option(
      names = "--connections",
      description = "connections per region (default ${DEFAULT-VALUE})")
  int connections = 64;

  @Option(names = "--warmup-seconds", description = "not measured (default ${DEFAULT-VALUE})")
  int warmupSeconds = 5;

  @Option(names = "--seconds", description = "measured, per run (default ${DEFAULT-VALUE})")
  int measureSeconds = 20;

  @Option(
      names = "--rate",
      description =
          "open loop requests/s; 0 = half the closed loop's rate (default ${DEFAULT-VALUE})")
  double openLoopRate = 0;

  @Option(
      names = "--visibility-rate",
      description = "visibility writes/s (default ${DEFAULT-VALUE})")
  double visibilityRate = 1_000;

  @Option(
      names = "--keys",
      description = "updates spread over this many keys (default ${DEFAULT-VALUE})")
  int keys = 1_000;

  @Option(
      names = "--requests-max",
      description = "most requests per run (default ${DEFAULT-VALUE})")
  long requestsMax = 20_000_000;

  @Option(
      names = "--outstanding-requests-max",
      description = "open loop: unanswered requests at most (default ${DEFAULT-VALUE})")
  int outstandingRequestsMax = 10_000;

  @Option(
      names = "--request-idle-timeout-millis",
      description = "a request without progress this long fails (default ${DEFAULT-VALUE})")
  long requestIdleTimeoutMillis = 10_000;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadTool()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (connections < 1 || measureSeconds < 1 || warmupSeconds < 0 || keys < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "connections, seconds and keys must be positive");
    }
    InProcessRegions started = null;
    ChildServer spawned = null;
    List<HostPort> regions = new ArrayList<>();
    if (spawn) {
      if (!targets.isEmpty() || insecure) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--spawn starts its own regions, with mutual TLS");
      }
      spawned = ChildServer.regions(regionsStarted, regionJvmOptions, dataParent);
      regions.addAll(spawned.addresses());
      CpuMeter.alsoMeasure(spawned.pid());
      System.out.println(
          "started " + regionsStarted + " regions in process " + spawned.pid() + " at " + regions);
    } else if (targets.isEmpty()) {
      started = InProcessRegions.start(regionsStarted, insecure, dataParent);
      regions.addAll(started.httpAddresses());
      System.out.println(
          "started "
              + regionsStarted
              + " regions in-process"
              + (insecure ? " (insecure)" : " (mutual TLS)")
              + " at "
              + regions);
    } else {
      targets.forEach(target -> regions.add(HostPort.parse(target)));
      if (serverPid >= 0) {
        CpuMeter.alsoMeasure(serverPid);
      }
    }
    try (LoadClient client =
        new LoadClient(connections, outstandingRequestsMax, requestIdleTimeoutMillis)) {
      LoadRuns runs =
          new LoadRuns(client, requestsMax, keys, requestIdleTimeoutMillis + 1_000, minimalAnswers);
      long warmupMillis = warmupSeconds * 1_000L;
      long measureMillis = measureSeconds * 1_000L;
      double rate = openLoopRate;
      if (mode == Mode.CLOSED || mode == Mode.ALL) {
        RunResult bare = null;
        if (!noCeiling) {
          bare =
              spawn
                  ? ceilingInChild(runs, warmupMillis, measureMillis)
                  : ceilingInProcess(runs, warmupMillis, measureMillis);
          System.out.println(bare.summary());
        }
        if (spawned != null) {
          CpuMeter.alsoMeasure(spawned.pid());
        }
        RunResult closed =
            runs.closedLoop(regions.get(0), connections, warmupMillis, measureMillis);
        System.out.println(closed.summary());
        if (bare != null && bare.succeededPerSecond() > 0) {
          System.out.printf(
              java.util.Locale.ROOT,
              "region at %.3f of the ceiling's rate (%.0f / %.0f ok/s)%n",
              closed.succeededPerSecond() / bare.succeededPerSecond(),
              closed.succeededPerSecond(),
              bare.succeededPerSecond());
        }
        if (rate == 0) {
          rate = closed.succeededPerSecond() / 2;
        }
      }
      if (mode == Mode.OPEN || mode == Mode.ALL) {
        if (rate <= 0) {
          throw new CommandLine.ParameterException(
              new CommandLine(this), "--mode open needs --rate");
        }
        System.out.println(
            runs.openLoop(regions.get(0), rate, warmupMillis, measureMillis, outstandingRequestsMax)
                .summary());
      }
      if (mode == Mode.VISIBILITY || mode == Mode.ALL) {
        if (regions.size() < 2) {
          throw new CommandLine.ParameterException(
              new CommandLine(this), "visibility needs at least two regions");
        }
        runs.visibility(
                regions.get(0),
                regions.subList(1, regions.size()),
                visibilityRate,
                warmupMillis,
                measureMillis,
                outstandingRequestsMax)
            .forEach(result -> System.out.println(result.summary()));
      }
    } finally {
      if (started != null) {
        started.close();
      }
      if (spawned != null) {
        spawned.close();
      }
    }
    return 0;
  }

  private String ceilingName() {
    return "ceiling (bare Vert.x server), closed loop, " + connections + " connections";
  }

  private RunResult ceilingInProcess(LoadRuns runs, long warmupMillis, long measureMillis)
      throws InterruptedException {
    try (CeilingServer server = CeilingServer.start(0)) {
      return runs.closedLoop(
          ceilingName(), server.address(), false, connections, warmupMillis, measureMillis);
    }
  }

  /**
   * The ceiling in its own JVM, its process's CPU measured as the regions' is; the regions' process
   * is measured again afterwards.
   */
  private RunResult ceilingInChild(LoadRuns runs, long warmupMillis, long measureMillis)
      throws Exception {
    try (ChildServer server = ChildServer.ceiling(List.of())) {
      CpuMeter.alsoMeasure(server.pid());
      return runs.closedLoop(
          ceilingName() + ", server in process " + server.pid(),
          server.addresses().get(0),
          false,
          connections,
          warmupMillis,
          measureMillis);
    }
  }

  /** Case-insensitive mode names. */
  static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      return Mode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
  }
}
