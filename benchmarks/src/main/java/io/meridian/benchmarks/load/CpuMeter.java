package io.meridian.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * CPU time of this process over a measured window, as the operating system counts it (every thread:
 * in-process regions, their logs and the load client alike), with the machine's load beside it. CPU
 * per acknowledged update is the figure that survives a machine shared with other work; throughput
 * alone does not.
 */
final class CpuMeter {
  private static final com.sun.management.OperatingSystemMXBean SYSTEM =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** The regions' process when they run in another one (--server-pid), else null. */
  private static volatile ProcessHandle serverProcess;

  private final long startCpuNanos;
  private final long startServerCpuNanos;
  private final long startNanos;
  private long cpuNanos = -1;
  private long serverCpuNanos = -1;
  private long elapsedNanos = -1;
  private double loadAverage = -1;

  private CpuMeter() {
    this.startCpuNanos = SYSTEM.getProcessCpuTime();
    this.startServerCpuNanos = serverCpuNanos();
    this.startNanos = System.nanoTime();
  }

  /**
   * Also measures the process {@code pid} (the regions, when the tool drives them from outside).
   *
   * @throws IllegalArgumentException when there is no such process or its CPU time is not readable
   */
  static void alsoMeasure(long pid) {
    ProcessHandle process =
        ProcessHandle.of(pid).orElseThrow(() -> new IllegalArgumentException("no process " + pid));
    if (process.info().totalCpuDuration().isEmpty()) {
      throw new IllegalArgumentException("the CPU time of process " + pid + " is not readable");
    }
    serverProcess = process;
  }

  private static long serverCpuNanos() {
    ProcessHandle process = serverProcess;
    if (process == null) {
      return -1;
    }
    return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
  }

  /** Starts measuring now. */
  static CpuMeter start() {
    return new CpuMeter();
  }

  /** Stops measuring now; later calls keep the first stop. */
  void stop() {
    if (cpuNanos >= 0) {
      return;
    }
    cpuNanos = SYSTEM.getProcessCpuTime() - startCpuNanos;
    long serverNow = serverCpuNanos();
    serverCpuNanos =
        serverNow < 0 || startServerCpuNanos < 0 ? -1 : serverNow - startServerCpuNanos;
    elapsedNanos = System.nanoTime() - startNanos;
    loadAverage = SYSTEM.getSystemLoadAverage();
  }

  /**
   * One line: CPU microseconds of this process per {@code updates}, the cores it kept busy on
   * average, and the one-minute load average of the machine at the end.
   */
  String summary(long updates) {
    stop();
    String server =
        serverCpuNanos < 0
            ? ""
            : String.format(
                Locale.ROOT,
                "; server process %.0f us per update, %.2f cores busy",
                perUpdateMicros(serverCpuNanos, updates),
                (double) serverCpuNanos / elapsedNanos);
    return String.format(
        Locale.ROOT,
        "cpu: %.0f us of this process per acknowledged update (%d updates), %.2f cores busy on"
            + " average%s; machine load average %.2f on %d cores",
        perUpdateMicros(cpuNanos, updates),
        updates,
        elapsedNanos == 0 ? 0.0 : (double) cpuNanos / elapsedNanos,
        server,
        loadAverage,
        Runtime.getRuntime().availableProcessors());
  }

  private static double perUpdateMicros(long nanos, long updates) {
    return updates == 0 ? Double.NaN : nanos / 1_000.0 / updates;
  }
}
