package io.meridian.benchmarks.memory;

import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.storage.StorageException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Memory figures of one region in this process: heap after a full GC ({@link MemoryMXBean}) and
 * resident set size ({@code VmRSS} and {@code RssAnon} of {@code /proc/self/status}) before and
 * after writing and after a restart (when every key is in the checkpoint store), the data
 * directory's size, the CPU and wall time of the writes, and the latency of reads of random (mostly
 * cold) keys. The writes go through HTTP as {@code POST /v1/batch} bodies, as a client sends them.
 *
 * <p>Shapes: {@code counters N} writes N pn-counters (one increment each, 1,000 per batch); {@code
 * awset N} writes N aw-sets of 100 distinct elements of 16 characters each (10 keys per batch).
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.meridian.benchmarks.memory.MemoryFigures \
 *     counters 10000000 [--cache-mib 64] [--changed-keys-max 100000] [--connections 4] \
 *     [--reads 10000] [--seed 1] [--data DIR]
 * </pre>
 *
 * <p>The process holds the region and the client; the client's share (a few connections and one
 * batch body each) is small beside the figures, and is in the baseline.
 */
public final class MemoryFigures {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
  private static final com.sun.management.OperatingSystemMXBean SYSTEM =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final int ELEMENTS_PER_SET = 100;

  private MemoryFigures() {}

  /** Runs the figure the arguments name; see the class comment. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: MemoryFigures counters|awset KEYS [options]");
      System.exit(2);
    }
    String shape = args[0];
    if (!shape.equals("counters") && !shape.equals("awset")) {
      System.err.println("the shape is counters or awset, not " + shape);
      System.exit(2);
    }
    long keys = Long.parseLong(args[1]);
    long cacheMib = 64;
    int changedKeysMax = 100_000;
    int connections = 4;
    int reads = 10_000;
    long seed = 1;
    Path parent = null;
    for (int i = 2; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--cache-mib" -> cacheMib = Long.parseLong(args[i + 1]);
        case "--changed-keys-max" -> changedKeysMax = Integer.parseInt(args[i + 1]);
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--reads" -> reads = Integer.parseInt(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        case "--data" -> parent = Path.of(args[i + 1]);
        default -> {
          System.err.println("unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    new MemoryFigures()
        .run(shape, keys, cacheMib << 20, changedKeysMax, connections, reads, seed, parent);
  }

  private void run(
      String shape,
      long keys,
      long cacheBytes,
      int changedKeysMax,
      int connections,
      int reads,
      long seed,
      Path parent)
      throws Exception {
    Path data =
        parent == null
            ? Files.createTempDirectory("meridian-memory")
            : Files.createTempDirectory(parent, "meridian-memory");
    Vertx vertx = Vertx.vertx();
    Region region = null;
    try {
      RegionConfig config = RegionConfig.builder("r1", data.resolve("r1")).insecure(true).build();
      region =
          Region.start(vertx, config, owner -> owner.withStateMemory(cacheBytes, changedKeysMax));
      String base = "http://127.0.0.1:" + region.httpPort();
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      print(
          "shape %s, %,d keys, cache %,d bytes, changedKeysMax %,d, %d connections, heap max %,d",
          shape, keys, cacheBytes, changedKeysMax, connections, Runtime.getRuntime().maxMemory());
      Snapshot before = Snapshot.take();
      print("before: %s", before);

      boolean counters = shape.equals("counters");
      int perBatch = counters ? 1_000 : 10;
      long batches = (keys + perBatch - 1) / perBatch;
      AtomicLong nextBatch = new AtomicLong();
      AtomicLong retries = new AtomicLong();
      long cpu0 = SYSTEM.getProcessCpuTime();
      long wall0 = System.nanoTime();
      List<Thread> writers = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        Thread writer =
            new Thread(
                () -> {
                  long batch;
                  while ((batch = nextBatch.getAndIncrement()) < batches) {
                    long from = batch * perBatch;
                    long to = Math.min(keys, from + perBatch);
                    String body = counters ? counterBatch(from, to) : awSetBatch(from, to);
                    postUntilAccepted(client, base + "/v1/batch", body, retries);
                    if (batch % 1_000 == 999) {
                      print("  %,d of %,d batches", batch + 1, batches);
                    }
                  }
                },
                "writer-" + c);
        writer.start();
        writers.add(writer);
      }
      for (Thread writer : writers) {
        writer.join();
      }
      double wallSeconds = (System.nanoTime() - wall0) / 1e9;
      double cpuSeconds = (SYSTEM.getProcessCpuTime() - cpu0) / 1e9;
      print(
          "wrote %,d keys in %.1f s wall, %.1f s CPU of this process (%.1f us CPU per key),"
              + " %,d retries after 503, load average %.2f",
          keys,
          wallSeconds,
          cpuSeconds,
          cpuSeconds * 1e6 / keys,
          retries.get(),
          SYSTEM.getSystemLoadAverage());
      Snapshot written = Snapshot.take();
      print("after the writes: %s", written);
      long elements = counters ? keys : keys * ELEMENTS_PER_SET;
      print(
          "  heap per %s: %.1f B", counters ? "key" : "element", written.heapPer(before, elements));

      // A close takes a last checkpoint; the region opened again holds every key in the store.
      long close0 = System.nanoTime();
      region.close();
      region = null;
      double closeSeconds = (System.nanoTime() - close0) / 1e9;
      long open0 = System.nanoTime();
      region = reopen(vertx, config, cacheBytes, changedKeysMax);
      String readBase = "http://127.0.0.1:" + region.httpPort();
      print(
          "closed (last checkpoint) in %.1f s, opened again in %.1f s",
          closeSeconds, (System.nanoTime() - open0) / 1e9);
      Snapshot reopened = Snapshot.take();
      print("after the restart: %s", reopened);
      print(
          "  heap per %s: %.1f B",
          counters ? "key" : "element", reopened.heapPer(before, elements));
      print("data directory: %,d bytes", directorySize(data));

      Histogram latency = new Histogram(60_000_000_000L, 3);
      SplittableRandom random = new SplittableRandom(seed);
      long rcpu0 = SYSTEM.getProcessCpuTime();
      for (int i = 0; i < reads; i++) {
        long key = random.nextLong(keys);
        long start = System.nanoTime();
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(URI.create(readBase + "/v1/buckets/b/keys/" + keyName(key)))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        latency.recordValue(System.nanoTime() - start);
        if (response.statusCode() != 200) {
          throw new IllegalStateException(
              "read of " + keyName(key) + ": " + response.statusCode() + " " + response.body());
        }
      }
      double readCpu = (SYSTEM.getProcessCpuTime() - rcpu0) / 1e3 / reads;
      print(
          "%,d reads of random keys (seed %d), one at a time: p50 %.2f ms, p99 %.2f ms, max %.2f"
              + " ms, %.0f us CPU per read, load average %.2f",
          reads,
          seed,
          latency.getValueAtPercentile(50) / 1e6,
          latency.getValueAtPercentile(99) / 1e6,
          latency.getMaxValue() / 1e6,
          readCpu,
          SYSTEM.getSystemLoadAverage());
      print("after the reads: %s", Snapshot.take());
    } finally {
      if (region != null) {
        region.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().join();
      deleteTree(data);
    }
  }

  private static Region startRegion(
      Vertx vertx, RegionConfig config, long cacheBytes, int changedKeysMax) throws Exception {
    return Region.start(vertx, config, owner -> owner.withStateMemory(cacheBytes, changedKeysMax));
  }

  /**
   * Opens the region again once its close (a last checkpoint of every changed key, which may take
   * longer than the close waits) has let go of the data directory.
   */
  private static Region reopen(
      Vertx vertx, RegionConfig config, long cacheBytes, int changedKeysMax) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        return startRegion(vertx, config, cacheBytes, changedKeysMax);
      } catch (StorageException e) {
        if (attempt >= 600) {
          throw e;
        }
        Thread.sleep(1_000);
      }
    }
  }

  private static String keyName(long key) {
    return String.format(Locale.ROOT, "k%09d", key);
  }

  private static String counterBatch(long from, long to) {
    StringBuilder body = new StringBuilder(64 * (int) (to - from) + 16).append("{\"updates\":[");
    for (long key = from; key < to; key++) {
      if (key > from) {
        body.append(',');
      }
      body.append("{\"bucket\":\"b\",\"key\":\"")
          .append(keyName(key))
          .append("\",\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1}");
    }
    return body.append("]}").toString();
  }

  /** Keys with 100 elements of 16 characters each, distinct per key. */
  private static String awSetBatch(long from, long to) {
    StringBuilder body = new StringBuilder(2_000 * (int) (to - from) + 16).append("{\"updates\":[");
    for (long key = from; key < to; key++) {
      if (key > from) {
        body.append(',');
      }
      body.append("{\"bucket\":\"b\",\"key\":\"")
          .append(keyName(key))
          .append("\",\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[");
      for (int e = 0; e < ELEMENTS_PER_SET; e++) {
        if (e > 0) {
          body.append(',');
        }
        body.append('"').append(String.format(Locale.ROOT, "e%09d-%05d", key, e)).append('"');
      }
      body.append("]}");
    }
    return body.append("]}").toString();
  }

  private static void postUntilAccepted(
      HttpClient client, String url, String body, AtomicLong retries) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    for (int attempt = 0; attempt < 1_000; attempt++) {
      HttpResponse<Void> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.discarding());
      } catch (IOException e) {
        throw new IllegalStateException("batch failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      if (response.statusCode() == 200) {
        return;
      }
      if (response.statusCode() != 503) {
        throw new IllegalStateException("batch answered " + response.statusCode());
      }
      retries.incrementAndGet();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException("a batch was refused 1,000 times");
  }

  /** Heap after a full collection and the resident set size, now. */
  private record Snapshot(long heapBytes, long rssBytes, long rssAnonBytes) {
    static Snapshot take() throws IOException, InterruptedException {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(200);
      }
      return new Snapshot(
          MEMORY.getHeapMemoryUsage().getUsed(), status("VmRSS:"), status("RssAnon:"));
    }

    double heapPer(Snapshot baseline, long count) {
      return (double) (heapBytes - baseline.heapBytes) / count;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "heap after GC %,d MiB, RSS %,d MiB (anonymous %,d MiB)",
          heapBytes >> 20,
          rssBytes >> 20,
          rssAnonBytes >> 20);
    }
  }

  /** A size in kB of {@code /proc/self/status}, in bytes; -1 where the system has none. */
  private static long status(String field) throws IOException {
    Path file = Path.of("/proc/self/status");
    if (!Files.exists(file)) {
      return -1;
    }
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith(field)) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
      }
    }
    return -1;
  }

  private static long directorySize(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).mapToLong(MemoryFigures::sizeOf).sum();
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static void deleteTree(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static void print(String format, Object... arguments) {
    System.out.println(String.format(Locale.ROOT, format, arguments));
  }
}
