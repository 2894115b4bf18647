package io.meridian.benchmarks;

import io.meridian.clocks.ManualPhysicalClock;
import io.meridian.replication.ApplicationState;
import io.meridian.replication.FrameVerdict;
import io.meridian.replication.KeyState;
import io.meridian.replication.KeyUpdate;
import io.meridian.replication.LocalStamp;
import io.meridian.replication.OutboundFrame;
import io.meridian.replication.Ready;
import io.meridian.replication.ReplicaCore;
import io.meridian.replication.ReplicationConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The replication core alone, as the server drives it under load: three regions' {@link
 * ReplicaCore}s wired in memory, a steady stream of local updates at the first (single-key
 * increments of about the g-counter's effect size), a {@code Ready} per group of updates (the
 * server makes one per group commit) whose frames are delivered to the other two at once, and their
 * frames delivered back. Batch window 0, as the server runs. One tick per {@link #updatesPerTick}
 * updates (5,000 updates/s with 10 ms ticks); the other regions have nothing of their own to send,
 * so they acknowledge only with heartbeats and the first region's log holds thousands of
 * unacknowledged entries, as in the profiled load run.
 *
 * <p>The score is CPU time per update for all three cores together: stamping, sending, decoding,
 * accepting, acknowledging and trimming. Persistence and the key states are not part of it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReplicaCoreBenchmark {
  private static final List<String> REGIONS = List.of("region-1", "region-2", "region-3");

  /** Updates between two {@code Ready}s of the first region (records per group commit). */
  private static final int UPDATES_PER_READY = 20;

  /** Updates per tick: 5,000 updates/s at 10 ms a tick. */
  @Param({"50"})
  public int updatesPerTick;

  private final Map<String, ReplicaCore> cores = new HashMap<>();
  private final byte[] effect = new byte[24];
  private ManualPhysicalClock physical;
  private ReplicaCore origin;
  private long updates;
  private long keyCounter;

  @Setup
  public void setUp() {
    physical = new ManualPhysicalClock(1_700_000_000_000L);
    ApplicationState nothing =
        new ApplicationState() {
          @Override
          public List<byte[]> rangeDigests(int rangeCount) {
            List<byte[]> digests = new ArrayList<>(rangeCount);
            for (int range = 0; range < rangeCount; range++) {
              digests.add(new byte[32]);
            }
            return digests;
          }

          @Override
          public List<KeyState> keyStates(Set<Integer> ranges, int rangeCount) {
            return List.of();
          }
        };
    for (String region : REGIONS) {
      ReplicationConfig config =
          ReplicationConfig.builder(region, REGIONS).batchWindowTicks(0).build();
      cores.put(region, new ReplicaCore(config, physical, nothing));
    }
    origin = cores.get(REGIONS.get(0));
    // Every region hears from every other once, so entries flow from the first update on.
    for (int round = 0; round < 2; round++) {
      for (String region : REGIONS) {
        for (ReplicaCore core : cores.values()) {
          core.tick();
        }
        cycle(cores.get(region));
      }
      for (ReplicaCore core : cores.values()) {
        for (int tick = 0; tick < 60; tick++) {
          core.tick();
        }
      }
    }
  }

  /** One group of updates at the first region and the deliveries they cause. */
  @Benchmark
  @OperationsPerInvocation(UPDATES_PER_READY)
  public long updates() {
    for (int i = 0; i < UPDATES_PER_READY; i++) {
      LocalStamp stamp = origin.nextLocalStamp();
      String key = "key-" + (keyCounter++ % 1_000);
      origin.appendLocal(stamp, List.of(new KeyUpdate("counters", key, effect)), updates);
      updates++;
      if (updates % updatesPerTick == 0) {
        physical.advance(10);
        for (ReplicaCore core : cores.values()) {
          core.tick();
        }
      }
    }
    cycle(origin);
    return origin.logEntries(REGIONS.get(0));
  }

  /**
   * The same workload timed by the thread's CPU clock instead of the wall clock, which is the
   * figure that survives a shared machine: {@code java -cp benchmarks.jar
   * io.meridian.benchmarks.ReplicaCoreBenchmark [rounds] [updatesPerRound] [updatesPerTick]} prints
   * CPU nanoseconds per update for each round after a warm-up of the same size.
   */
  public static void main(String[] arguments) {
    int rounds = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 5;
    int updatesPerRound = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 200_000;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ReplicaCoreBenchmark benchmark = new ReplicaCoreBenchmark();
    benchmark.updatesPerTick = arguments.length > 2 ? Integer.parseInt(arguments[2]) : 50;
    benchmark.setUp();
    long sink = 0;
    for (int round = -1; round < rounds; round++) {
      long start = threads.getCurrentThreadCpuTime();
      for (int group = 0; group < updatesPerRound / UPDATES_PER_READY; group++) {
        sink += benchmark.updates();
      }
      long perUpdate = (threads.getCurrentThreadCpuTime() - start) / updatesPerRound;
      System.out.println(
          (round < 0 ? "warm-up" : "round " + round) + ": " + perUpdate + " ns CPU per update");
    }
    System.out.println("(log entries at the end: " + sink % 1_000_000 + ")");
  }

  /** A Ready of {@code core}, its frames delivered, and the receivers' Readies in turn. */
  private void cycle(ReplicaCore core) {
    List<ReplicaCore> waiting = new ArrayList<>();
    waiting.add(core);
    while (!waiting.isEmpty()) {
      ReplicaCore next = waiting.remove(waiting.size() - 1);
      Ready ready = next.ready();
      next.advance(ready);
      for (OutboundFrame frame : ready.frames()) {
        ReplicaCore receiver = cores.get(frame.peer());
        if (receiver.step(frame.bytes()) != FrameVerdict.ACCEPTED) {
          throw new IllegalStateException("an honest frame was rejected");
        }
        if (!waiting.contains(receiver)) {
          waiting.add(receiver);
        }
      }
    }
  }
}
