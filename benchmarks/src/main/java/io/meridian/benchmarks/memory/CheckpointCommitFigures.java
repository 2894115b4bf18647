package io.meridian.benchmarks.memory;

import com.google.protobuf.ByteString;
import io.meridian.clocks.VersionVector;
import io.meridian.server.storage.CheckpointStore;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * CPU and wall time of checkpoint commits in the {@link CheckpointStore}: a store of {@code stored}
 * keys (written in commits of 1,000,000), then {@code commits} commits of {@code changed} random
 * keys each (a tenth of them new), with states of 22 bytes (a pn-counter's encoded size). CPU time
 * is this thread's, so it excludes the JIT and GC threads.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meridian.benchmarks.memory.CheckpointCommitFigures \
 *     STORED CHANGED COMMITS [DIR]
 * </pre>
 */
public final class CheckpointCommitFigures {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private CheckpointCommitFigures() {}

  /** Runs the figures; see the class comment. */
  public static void main(String[] args) throws Exception {
    long stored = Long.parseLong(args[0]);
    int changed = Integer.parseInt(args[1]);
    int commits = Integer.parseInt(args[2]);
    Path directory =
        args.length > 3
            ? Files.createTempDirectory(Path.of(args[3]), "checkpoint")
            : Files.createTempDirectory("checkpoint");
    Path file = directory.resolve("checkpoint.db");
    ByteString state = ByteString.copyFrom(new byte[22]);
    long logIndex = 0;
    try (CheckpointStore store = CheckpointStore.open(file)) {
      long wall = System.nanoTime();
      long cpu = THREADS.getCurrentThreadCpuTime();
      for (long from = 0; from < stored; from += 1_000_000) {
        Map<ByteString, ByteString> states = new HashMap<>();
        for (long key = from; key < Math.min(stored, from + 1_000_000); key++) {
          states.put(key(key), state);
        }
        store.commit(VersionVector.of("r1", ++logIndex), logIndex, states, Set.of());
      }
      print("stored %,d keys", stored, wall, cpu);
      SplittableRandom random = new SplittableRandom(1);
      for (int commit = 0; commit < commits; commit++) {
        Map<ByteString, ByteString> states = new HashMap<>();
        while (states.size() < changed) {
          states.put(key(random.nextLong(stored + stored / 10 + 1)), state);
        }
        wall = System.nanoTime();
        cpu = THREADS.getCurrentThreadCpuTime();
        store.commit(VersionVector.of("r1", ++logIndex), logIndex, states, Set.of());
        print("commit of %,d changed keys", changed, wall, cpu);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "file: %,d bytes; load average %.2f%n",
        Files.size(file),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static ByteString key(long key) {
    return ByteString.copyFrom("\u0001\u0000\u0001bk" + key, StandardCharsets.UTF_8);
  }

  private static void print(String what, long count, long wallStart, long cpuStart) {
    double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s: %.2f s wall, %.2f s CPU, %.1f µs CPU per key%n",
        String.format(Locale.ROOT, what, count),
        (System.nanoTime() - wallStart) / 1e9,
        cpuSeconds,
        cpuSeconds * 1e6 / count);
  }
}
