package io.meridian.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

/**
 * CPU time per operation of the list and counter benchmarks' operations, for a machine too busy for
 * wall-clock figures: the benchmark's own state and method, run for about {@code seconds} of this
 * thread's CPU after a warm-up of the same length, divided by the operations run. Prints one line
 * per case: benchmark, parameter, operations, CPU µs per operation.
 *
 * <p>{@code java -cp benchmarks.jar io.meridian.benchmarks.CrdtCpuPerOperation [seconds]}
 */
public final class CrdtCpuPerOperation {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CrdtCpuPerOperation() {}

  /** Runs every case. */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    for (int items : new int[] {10_000, 100_000}) {
      CrdtListBenchmark list = new CrdtListBenchmark();
      list.items = items;
      list.setUp();
      report("list.applyInsertMiddle", items, seconds, list::applyInsertMiddle);
      report("list.applyDeleteMiddle", items, seconds, list::applyDeleteMiddle);
      report("list.prepareInsertMiddle", items, seconds, list::prepareInsertMiddle);
      if (items <= 10_000 || args.length > 1) {
        report("list.joinOneMoreItem", items, seconds, list::joinOneMoreItem);
      }
    }
    for (int increments : new int[] {1_000, 10_000}) {
      for (boolean ids : new boolean[] {false, true}) {
        CrdtCounterBenchmark counter = new CrdtCounterBenchmark();
        counter.increments = increments;
        counter.operationIds = ids;
        counter.setUp();
        report(
            "counter.applyOneIncrement" + (ids ? "(ids)" : ""),
            increments,
            seconds,
            counter::applyOneIncrement);
      }
    }
    CrdtAwSetBenchmark set = new CrdtAwSetBenchmark();
    set.setUp();
    report("awSet.joinDisjoint10000", 10_000, seconds, set::joinDisjoint10000);
  }

  private static void report(String name, int size, double seconds, Supplier<Object> operation) {
    run(seconds, operation);
    long[] result = run(seconds, operation);
    System.out.printf(
        "%-28s %,8d %,10d ops %12.3f µs CPU/op%n",
        name, size, result[0], result[1] / 1_000.0 / result[0]);
  }

  /** Runs {@code operation} for about {@code seconds} of CPU: operations and CPU nanoseconds. */
  private static long[] run(double seconds, Supplier<Object> operation) {
    long budget = (long) (seconds * 1e9);
    long start = THREADS.getCurrentThreadCpuTime();
    long operations = 0;
    long sink = 0;
    long used;
    do {
      for (int i = 0; i < 16; i++) {
        sink += System.identityHashCode(operation.get());
        operations++;
      }
      used = THREADS.getCurrentThreadCpuTime() - start;
    } while (used < budget);
    if (sink == 42) {
      System.out.print("");
    }
    return new long[] {operations, used};
  }
}
