package io.meridian.server.load;

import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.storage.UpdateLogConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small load tool: three regions (mutual TLS, in this process) replicating, and a Vert.x HTTP
 * client with 64 connections to the first. Measures single-update requests per second (closed loop,
 * 64 in flight), latency at half that rate (open loop; latency counted from when a request was due,
 * so a stall is not hidden), and the visibility delay at the other regions at 1,000 updates/s (from
 * the region's {@code meridian.visibility.delay} timer, millisecond resolution).
 *
 * <p>{@code java -cp <test classpath> io.meridian.server.load.LoadMain [seconds] [connections]}.
 * Not a test: CI does not run it.
 */
public final class LoadMain {
  private LoadMain() {}

  public static void main(String[] arguments) throws Exception {
    int seconds = arguments.length > 0 ? Integer.parseInt(arguments[0]) : 10;
    int connections = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 64;
    Vertx vertx = Vertx.vertx();
    double maximum;
    try (Cluster cluster = new Cluster(vertx)) {
      HttpClientAgent client = client(vertx, cluster.regions.get(0).httpPort(), connections);
      closedLoop(client, connections, 3); // warm-up: JIT, connections, MapDB, log segments
      long cpuBefore = processCpuNanos();
      long sequenceBefore = SEQUENCE.get();
      maximum = closedLoop(client, connections, seconds);
      double cpuPerRequest =
          (processCpuNanos() - cpuBefore) / 1e3 / (SEQUENCE.get() - sequenceBefore);
      System.out.printf(
          "closed loop, %d in flight: %.0f requests/s, %.0f us of CPU per request (client and"
              + " 3 regions)%n",
          connections, maximum, cpuPerRequest);
      printCommitFigures(cluster.regions.get(0));
      long[] latencies = openLoop(vertx, client, maximum / 2, seconds);
      System.out.printf(
          "open loop at %.0f/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d requests)%n",
          maximum / 2,
          percentile(latencies, 0.5),
          percentile(latencies, 0.99),
          percentile(latencies, 0.999),
          percentile(latencies, 1.0),
          latencies.length);
      client.close();
    }
    try (Cluster cluster = new Cluster(vertx)) {
      HttpClientAgent client = client(vertx, cluster.regions.get(0).httpPort(), connections);
      long[] latencies = openLoop(vertx, client, 1_000, seconds);
      System.out.printf(
          "open loop at 1000/s: p50 %.2f ms, p99 %.2f ms%n",
          percentile(latencies, 0.5), percentile(latencies, 0.99));
      for (Region region : cluster.regions.subList(1, 3)) {
        for (String line : region.scrape().split("\n")) {
          if (line.startsWith("meridian_visibility_delay_seconds")) {
            System.out.println("  " + line);
          }
        }
      }
      client.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The origin's group commit: latency quantiles, entries per commit, fsyncs. */
  private static void printCommitFigures(Region region) {
    for (String line : region.scrape().split("\n")) {
      if (line.startsWith("meridian_commit_")
          || line.startsWith("meridian_log_fsyncs")
          || line.startsWith("meridian_log_appends")) {
        System.out.println("  " + line);
      }
    }
  }

  private static HttpClientAgent client(Vertx vertx, int port, int connections) {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setDefaultHost("127.0.0.1")
            .setDefaultPort(port)
            .setKeepAlive(true)
            .setPipelining(false),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(100_000));
  }

  private static final AtomicLong SEQUENCE = new AtomicLong();

  private static Future<Integer> update(HttpClientAgent client) {
    long n = SEQUENCE.incrementAndGet();
    Buffer body = Buffer.buffer("{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1}");
    return client
        .request(HttpMethod.POST, "/v1/buckets/load/keys/k" + (n % 1_000))
        .compose(
            request ->
                request
                    .putHeader("Content-Type", "application/json")
                    .send(body)
                    .compose(response -> response.body().map(ignored -> response.statusCode())));
  }

  /** Requests per second with {@code inFlight} requests always outstanding. */
  private static double closedLoop(HttpClientAgent client, int inFlight, int seconds)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(inFlight);
    long start = System.nanoTime();
    for (int i = 0; i < inFlight; i++) {
      loop(client, end, done, failed, finished);
    }
    finished.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (failed.get() > 0) {
      System.out.printf("  (%d requests failed or were refused)%n", failed.get());
    }
    return done.get() / elapsed;
  }

  private static void loop(
      HttpClientAgent client,
      long end,
      AtomicLong done,
      AtomicLong failed,
      CountDownLatch finished) {
    if (System.nanoTime() >= end) {
      finished.countDown();
      return;
    }
    update(client)
        .onComplete(
            result -> {
              if (result.succeeded() && result.result() == 200) {
                done.incrementAndGet();
              } else {
                failed.incrementAndGet();
              }
              loop(client, end, done, failed, finished);
            });
  }

  /**
   * Latencies in nanoseconds of requests due at {@code rate} per second, from when each was due.
   */
  private static long[] openLoop(Vertx vertx, HttpClientAgent client, double rate, int seconds)
      throws InterruptedException {
    int total = (int) (rate * seconds);
    long[] latencies = new long[total];
    AtomicLong failed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(total);
    long start = System.nanoTime();
    long intervalNanos = (long) (1e9 / rate);
    AtomicLong issued = new AtomicLong();
    vertx.setPeriodic(
        1,
        timer -> {
          long due = (System.nanoTime() - start) / intervalNanos + 1;
          while (issued.get() < Math.min(due, total)) {
            int index = (int) issued.getAndIncrement();
            long dueAt = start + index * intervalNanos;
            update(client)
                .onComplete(
                    result -> {
                      latencies[index] = System.nanoTime() - dueAt;
                      if (result.failed() || result.result() != 200) {
                        failed.incrementAndGet();
                      }
                      finished.countDown();
                    });
          }
          if (issued.get() >= total) {
            vertx.cancelTimer(timer);
          }
        });
    finished.await();
    if (failed.get() > 0) {
      System.out.printf("  (%d requests failed or were refused)%n", failed.get());
    }
    Arrays.sort(latencies);
    return latencies;
  }

  private static double percentile(long[] sortedNanos, double quantile) {
    int index =
        (int) Math.min(sortedNanos.length - 1, Math.ceil(quantile * sortedNanos.length) - 1);
    return sortedNanos[Math.max(0, index)] / 1e6;
  }

  /** Three regions r1..r3 with mutual TLS on 127.0.0.1, each dialling the earlier ones. */
  private static final class Cluster implements AutoCloseable {
    final List<Region> regions;

    Cluster(Vertx vertx) throws Exception {
      Path data = Files.createTempDirectory("meridian-load");
      List<String> names = List.of("r1", "r2", "r3");
      DevelopmentCertificates.generate(data.resolve("tls"), names);
      List<RegionConfig> configs = new ArrayList<>();
      for (String name : names) {
        Map<String, HostPort> peers = new LinkedHashMap<>();
        names.stream()
            .filter(peer -> !peer.equals(name))
            .forEach(peer -> peers.put(peer, new HostPort("127.0.0.1", 0)));
        configs.add(
            new RegionConfig(
                name,
                new HostPort("127.0.0.1", 0),
                new HostPort("127.0.0.1", 0),
                peers,
                data.resolve(name),
                Optional.of(data.resolve("tls")),
                false,
                HttpApiConfig.defaults(),
                UpdateLogConfig.defaults()));
      }
      regions = Region.startAll(vertx, configs);
    }

    @Override
    public void close() {
      regions.forEach(Region::close);
    }
  }
}
