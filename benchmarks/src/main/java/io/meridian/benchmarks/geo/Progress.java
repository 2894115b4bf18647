package io.meridian.benchmarks.geo;

import java.io.PrintStream;
import java.util.List;

/**
 * The progress line while a run goes: elapsed time as a bar, operations, live throughput (over the
 * last second), updates acknowledged, and the faults active now.
 */
final class Progress {
  private static final int BAR_WIDTH = 20;

  private final PrintStream out;
  private final Workload workload;
  private final long durationMillis;
  private final List<Fault> faults;
  private final Thread thread;
  private volatile boolean stopped;

  Progress(PrintStream out, Workload workload, long durationMillis, List<Fault> faults) {
    this.out = out;
    this.workload = workload;
    this.durationMillis = durationMillis;
    this.faults = faults;
    this.thread = new Thread(this::loop, "geo-progress");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() throws InterruptedException {
    stopped = true;
    thread.interrupt();
    thread.join();
  }

  private void loop() {
    int previous = 0;
    while (!stopped) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      long now = workload.nowMillis();
      int completed = workload.completed();
      int filled = (int) Math.min(BAR_WIDTH, now * BAR_WIDTH / durationMillis);
      StringBuilder active = new StringBuilder();
      for (Fault fault : faults) {
        if (fault.startMillis() <= now && now < fault.endMillis()) {
          active.append(' ').append(fault);
        }
      }
      out.printf(
          "geo: [%s%s] %3ds  ops %d  %d/s  acked updates %d  faults:%s%n",
          "#".repeat(filled),
          ".".repeat(BAR_WIDTH - filled),
          now / 1000,
          completed,
          completed - previous,
          workload.acknowledgedUpdates(),
          active.length() == 0 ? " none" : active);
      previous = completed;
    }
  }
}
