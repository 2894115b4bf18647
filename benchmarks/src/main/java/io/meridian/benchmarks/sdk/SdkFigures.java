package io.meridian.benchmarks.sdk;

import io.meridian.benchmarks.load.InProcessRegions;
import io.meridian.sdk.Counter;
import io.meridian.sdk.Meridian;
import io.meridian.sdk.Update;
import io.meridian.sdk.WriteReceipt;
import io.meridian.server.HostPort;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The client SDK's figures (client-sdk/README.md, "Figures"): one client against three regions
 * started in this process on loopback (replication without TLS), side by side with raw HTTP calls
 * to the same regions; the batched path; local update latency of an offline client; the rate at
 * which its queue drains once a region is back. Each figure is printed with the CPU time this
 * process (client and regions alike) spent per call, and the machine's one-minute load average when
 * it ended: on a shared machine the rate falls with the load, the CPU per call much less.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meridian.benchmarks.sdk.SdkFigures [what] [calls] [batches]
 * </pre>
 *
 * {@code what} is {@code all} (the default), {@code calls}, {@code batch} or {@code offline};
 * {@code calls} (2,000) is the number of single calls per figure, {@code batches} (20) the number
 * of 1,000-update batches per batched figure. {@code all} and {@code batch} end with {@link
 * PekkoCounterFigures} (200,000 increments), the counter issue 11 compares the batches with.
 */
public final class SdkFigures {
  private static final int WARM_UP_BATCHES = 10;
  private static final int PEKKO_INCREMENTS = 200_000;

  private SdkFigures() {}

  /**
   * Measures and prints the figures.
   *
   * @param args {@code [all|calls|batch|offline] [calls] [batches]}
   * @throws Exception when a region or the client fails
   */
  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int batches = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    if (!List.of("all", "calls", "batch", "offline").contains(what) || calls < 1 || batches < 1) {
      System.err.println("usage: SdkFigures [all|calls|batch|offline] [calls>0] [batches>0]");
      System.exit(2);
    }
    System.out.printf(
        "SdkFigures %s: %d calls, %d batches; %d cores, load average %.2f at the start%n",
        what, calls, batches, Runtime.getRuntime().availableProcessors(), loadAverage());
    try (InProcessRegions regions = InProcessRegions.start(3, true, null)) {
      List<String> urls = new ArrayList<>();
      for (HostPort address : regions.httpAddresses()) {
        urls.add("http://" + address.host() + ":" + address.port());
      }
      if (what.equals("all") || what.equals("calls")) {
        calls(urls, calls);
      }
      if (what.equals("all") || what.equals("batch")) {
        batches(urls, batches);
      }
      if (what.equals("all") || what.equals("offline")) {
        offline(urls, calls);
      }
    }
    if (what.equals("all") || what.equals("batch")) {
      // The comparison of issue 11, in this run, once the regions are stopped.
      PekkoCounterFigures.run(PEKKO_INCREMENTS);
    }
  }

  private static Meridian.Builder builder(List<String> urls) {
    Meridian.Builder builder = Meridian.builder();
    for (int i = 0; i < urls.size(); i++) {
      builder.region("r" + (i + 1), urls.get(i));
    }
    return builder.requestTimeout(Duration.ofSeconds(30));
  }

  /** Single calls of one client: SDK sync and async, then raw HTTP sync and async. */
  private static void calls(List<String> urls, int calls) throws Exception {
    try (Meridian client = builder(urls).build()) {
      Counter counter = client.counter("figures", "sync");
      for (int i = 0; i < 200; i++) {
        counter.increment(1);
        counter.value();
      }
      long started = start();
      for (int i = 0; i < calls; i++) {
        counter.increment(1);
      }
      print("SDK sync increments (home region, causal session)", calls, started);

      Counter async = client.counter("figures", "async");
      started = start();
      List<CompletableFuture<WriteReceipt>> receipts = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        receipts.add(async.incrementAsync(1));
      }
      receipts.forEach(CompletableFuture::join);
      print("SDK async increments (they leave one after another)", calls, started);

      started = start();
      for (int i = 0; i < calls; i++) {
        counter.value();
      }
      print("SDK sync reads", calls, started);
      check(async.value() == calls, "the async counter shows every increment once");
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest post =
        HttpRequest.newBuilder(URI.create(urls.get(0) + "/v1/buckets/figures/keys/raw"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"type\":\"pn-counter\",\"op\":\"increment\"}"))
            .build();
    long started = start();
    for (int i = 0; i < calls; i++) {
      HttpResponse<String> answer = http.send(post, HttpResponse.BodyHandlers.ofString());
      check(answer.statusCode() / 100 == 2, "raw increment answered " + answer.statusCode());
    }
    print("raw HTTP sync increments, no session, no id", calls, started);
    started = start();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      answers.add(http.sendAsync(post, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      check(answer.join().statusCode() / 100 == 2, "raw async increment failed");
    }
    print("raw HTTP async increments, all in flight", calls, started);
  }

  /** Batches of 1,000 increments: of 1,000 different counters, then of one counter. */
  private static void batches(List<String> urls, int batches) throws Exception {
    try (Meridian client = builder(urls).build()) {
      List<Update> spread = new ArrayList<>();
      List<Update> single = new ArrayList<>();
      Counter one = client.counter("figures", "batched");
      for (int i = 0; i < Meridian.ITEMS_PER_REQUEST_MAX; i++) {
        spread.add(client.counter("figures", "spread-" + i).incrementUpdate(1));
        single.add(one.incrementUpdate(1));
      }
      // Warm-up on other counters, so that the figures below see compiled code and their
      // counters only the measured increments.
      List<Update> warm = new ArrayList<>();
      for (int i = 0; i < Meridian.ITEMS_PER_REQUEST_MAX; i++) {
        warm.add(client.counter("figures", "warm-" + i).incrementUpdate(1));
      }
      for (int i = 0; i < WARM_UP_BATCHES; i++) {
        client.batchAsync(warm).join();
      }
      long started = start();
      for (int i = 0; i < batches; i++) {
        client.batchAsync(spread).join();
      }
      print("SDK batches of 1,000 increments of 1,000 counters", batches * spread.size(), started);
      started = start();
      for (int i = 0; i < batches; i++) {
        client.batchAsync(single).join();
      }
      print("SDK batches of 1,000 increments of one counter", batches * single.size(), started);
      check(
          client.counter("figures", "spread-999").value() == batches,
          "every batch of 1,000 counters counted once");
      check(one.value() == (long) batches * single.size(), "every increment of one counter once");
    }
  }

  /** Local updates of an offline client (no region reachable), then the drain to the regions. */
  private static void offline(List<String> urls, int updates) throws Exception {
    Path directory = Files.createTempDirectory("meridian-sdk-figures");
    try {
      int closedPort;
      try (ServerSocket free = new ServerSocket(0)) {
        closedPort = free.getLocalPort();
      }
      try (Meridian client =
          Meridian.builder()
              .region("r1", "http://127.0.0.1:" + closedPort)
              .offlineDirectory(directory)
              .build()) {
        Counter counter = client.counter("figures", "offline");
        long[] nanos = new long[updates];
        long started = start();
        for (int i = 0; i < updates; i++) {
          long one = System.nanoTime();
          counter.increment(1);
          nanos[i] = System.nanoTime() - one;
        }
        print("offline updates, durable locally", updates, started);
        Arrays.sort(nanos);
        System.out.printf(
            "offline update latency: p50 %.2f ms, p99 %.2f ms%n",
            nanos[updates / 2] / 1e6, nanos[updates * 99 / 100] / 1e6);
      }
      try (Meridian client = builder(urls).offlineDirectory(directory).build()) {
        long started = start();
        check(client.awaitSynced(Duration.ofMinutes(10)), "the queue drained within 10 minutes");
        print("queue drain after reconnecting (" + updates + " queued)", updates, started);
        check(
            client.counter("figures", "offline").value() == updates,
            "every queued update counted once");
      }
    } finally {
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  private static final com.sun.management.OperatingSystemMXBean SYSTEM =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** This process's CPU time when the figure being measured started. */
  private static long cpuStartedNanos;

  private static double loadAverage() {
    return SYSTEM.getSystemLoadAverage();
  }

  /** The start of a figure: now, and this process's CPU time now. */
  private static long start() {
    cpuStartedNanos = SYSTEM.getProcessCpuTime();
    return System.nanoTime();
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("failed: " + what);
    }
  }

  private static void print(String what, long count, long startedNanos) {
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    double cpuMicros = (SYSTEM.getProcessCpuTime() - cpuStartedNanos) / 1e3 / count;
    System.out.printf(
        "%s: %,d in %.2f s, %,.0f/s, %,.1f us CPU each (load average %.2f)%n",
        what, count, seconds, count / seconds, cpuMicros, loadAverage());
  }
}
