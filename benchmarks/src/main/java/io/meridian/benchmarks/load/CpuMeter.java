package io.meridian.benchmarks.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** Linux's clock ticks per second for {@code /proc/<pid>/task/<tid>/stat} (USER_HZ). */
  private static final long TICKS_PER_SECOND = 100;

  private final long startCpuNanos;
  private final long startServerCpuNanos;
  private final long startServerJitNanos;
  private long serverJitNanos = -1;
  private final long startNanos;
  private long cpuNanos = -1;
  private long serverCpuNanos = -1;
  private long elapsedNanos = -1;
  private double loadAverage = -1;

  private CpuMeter() {
    this.startCpuNanos = SYSTEM.getProcessCpuTime();
    this.startServerCpuNanos = serverCpuNanos();
    this.startServerJitNanos = serverJitNanos();
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

  /**
   * CPU time of the server process's JIT compiler threads ({@code C1/C2 CompilerThre...}) from
   * {@code /proc}, or -1 where it is not readable. Compilation is a start-up cost that a short
   * warm-up on a busy machine leaves in the window; the summary shows the figure without it too. A
   * compiler thread that exits within the window takes its time out of the sum (HotSpot retires
   * idle ones), so the figure without them is an upper bound.
   */
  private static long serverJitNanos() {
    ProcessHandle process = serverProcess;
    if (process == null) {
      return -1;
    }
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    long ticks = 0;
    try (var threads = Files.list(tasks)) {
      for (Path thread : (Iterable<Path>) threads::iterator) {
        try {
          String name = Files.readString(thread.resolve("comm")).strip();
          if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
            continue;
          }
          String stat = Files.readString(thread.resolve("stat"));
          // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
          // The thread ended while it was read.
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return ticks * 1_000_000_000L / TICKS_PER_SECOND;
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
    long jitNow = serverJitNanos();
    serverJitNanos = jitNow < 0 || startServerJitNanos < 0 ? -1 : jitNow - startServerJitNanos;
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
                    (double) serverCpuNanos / elapsedNanos)
                + (serverJitNanos < 0
                    ? ""
                    : String.format(
                        Locale.ROOT,
                        " (%.0f us per update without its JIT compiler threads)",
                        perUpdateMicros(serverCpuNanos - serverJitNanos, updates)));
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
