package io.meridian.benchmarks.visibility;

import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.session.SessionToken;
import io.meridian.server.session.SessionTokenCodec;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Visibility at another region, three regions on loopback in this process (mutual TLS, the real
 * disk): g-counter increments at r1 in an open loop at a fixed rate; r2 is watched (the change
 * stream, pushed) and r3 polled (one GET after another), both by an external client that learns
 * from each event's or answer's session token which of r1's entries the region shows. Each write's
 * sequence comes from its answer's token, so its visibility time is the first event or answer
 * naming it. Also prints the regions' own metric {@code meridian_visibility_delay} and the CPU of
 * the process per write. Runs each rate twice, with remote entries visible before the receiver's
 * fsync and after it, on fresh regions each time.
 *
 * <p>The poller pauses 1 ms between GETs, so its figure includes up to 1 ms of polling interval;
 * the watch is pushed. The process CPU covers the three regions, the writer, the watch and the
 * poller together.
 *
 * <p>Arguments (all optional): {@code rate=1000 idleRate=10 seconds=20 warmup=3 tls=true}. Run
 * {@code java -cp benchmarks/target/benchmarks.jar
 * io.meridian.benchmarks.visibility.VisibilityFigures}.
 */
public final class VisibilityFigures {
  private static final String BUCKET = "vis";
  private static final String KEY = "c";
  private static final Buffer INCREMENT =
      Buffer.buffer("{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":1}");
  private static final int WRITES_IN_FLIGHT_MAX = 256;
  private static final List<String> NAMES = List.of("r1", "r2", "r3");

  private VisibilityFigures() {}

  /**
   * Runs the figures and prints one block per run.
   *
   * @param args {@code key=value} pairs: rate, idleRate, seconds, warmup, tls
   * @throws Exception when the regions do not start
   */
  public static void main(String[] args) throws Exception {
    double rate = 1000;
    double idleRate = 10;
    int seconds = 20;
    int warmup = 3;
    boolean tls = true;
    for (String arg : args) {
      String[] pair = arg.split("=", 2);
      switch (pair[0]) {
        case "rate" -> rate = Double.parseDouble(pair[1]);
        case "idleRate" -> idleRate = Double.parseDouble(pair[1]);
        case "seconds" -> seconds = Integer.parseInt(pair[1]);
        case "warmup" -> warmup = Integer.parseInt(pair[1]);
        case "tls" -> tls = Boolean.parseBoolean(pair[1]);
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    // Warms the JIT up on regions that are then thrown away, so the first run is not the slowest.
    run(rate, true, 5, 1, tls);
    for (double r : new double[] {rate, idleRate}) {
      for (boolean early : new boolean[] {true, false}) {
        System.out.println(run(r, early, seconds, warmup, tls));
      }
    }
  }

  /** One run on fresh regions; returns its report. */
  static String run(double rate, boolean early, int seconds, int warmup, boolean tls)
      throws Exception {
    Path data = Files.createTempDirectory("meridian-visibility");
    if (tls) {
      DevelopmentCertificates.generate(data.resolve("tls"), NAMES);
    }
    Vertx serverVertx = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      List<Region> regions =
          Region.startAll(
              serverVertx,
              RegionConfig.localMesh(NAMES, data, 0, region -> region.insecure(!tls)),
              owner -> owner.withRemoteVisibleBeforeFsync(early));
      try {
        Observer observer = new Observer(clientVertx, regions);
        observer.start();
        Thread.sleep(500);
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long cpuBefore;
        CountDownLatch done = new CountDownLatch(1);
        observer.writeAtRate(rate, end, done);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(measureFrom - System.nanoTime()));
        cpuBefore = processCpuNanos();
        done.await();
        long cpu = processCpuNanos() - cpuBefore;
        Thread.sleep(1000);
        String report = observer.report(measureFrom, end);
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(
                Locale.ROOT,
                "%s/s, remote entries visible %s the receiver's fsync, %s, %d s measured:%n",
                Math.round(rate),
                early ? "before" : "after",
                tls ? "TLS" : "no TLS",
                seconds)
            + report
            + String.format(
                Locale.ROOT,
                "  process CPU %.0f us per write (3 regions and the client), load average %.2f%n"
                    + "  server metric meridian_visibility_delay: %s%n"
                    + "  server metric meridian_commit_latency (a log group's write and fsync): %s",
                cpu / 1000.0 / Math.max(1, observer.measuredWrites(measureFrom, end)),
                load,
                serverMetric(regions, "meridian_visibility_delay_seconds", 1),
                serverMetric(regions, "meridian_commit_latency_seconds", 0));
      } finally {
        regions.forEach(Region::close);
      }
    } finally {
      clientVertx.close().toCompletionStage().toCompletableFuture().join();
      serverVertx.close().toCompletionStage().toCompletableFuture().join();
      try (Stream<Path> files = Files.walk(data)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * The p50 and p99 of the timer {@code metric} at the regions from {@code first} on, from a
   * scrape.
   */
  private static String serverMetric(List<Region> regions, String metric, int first) {
    StringBuilder out = new StringBuilder();
    for (Region region : regions.subList(first, regions.size())) {
      String name = region.config().region();
      out.append(name).append(' ');
      for (String line : region.scrape().split("\n")) {
        if (line.startsWith(metric + "{")
            && (line.contains("quantile=\"0.5\"") || line.contains("quantile=\"0.99\""))) {
          String quantile = line.contains("0.99") ? "p99" : "p50";
          double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          out.append(String.format(Locale.ROOT, "%s %.2f ms ", quantile, value * 1000));
        }
      }
    }
    return out.toString().trim() + " (over the run and its warm-up)";
  }

  /**
   * The external client, on one event loop: the writer and what it learned of each write, the watch
   * of r2 and the poller of r3 with the times each showed which of r1's sequences.
   */
  private static final class Observer {
    private final Vertx vertx;
    private final HttpClientAgent client;
    private final int[] ports;

    /** Per r1 sequence (index): when its write was sent and answered, in nanos; 0 unknown. */
    private long[] sentAt = new long[1 << 16];

    private long[] answeredAt = new long[1 << 16];
    private long highestSeq;
    private final Shown watched = new Shown();
    private final Shown polled = new Shown();
    private int inFlight;
    private long failures;
    private long skipped;
    private volatile boolean stopped;

    Observer(Vertx vertx, List<Region> regions) {
      this.vertx = vertx;
      this.client =
          vertx.createHttpClient(
              new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
      this.ports = regions.stream().mapToInt(Region::httpPort).toArray();
    }

    void start() {
      vertx.runOnContext(ignored -> watch());
      vertx.runOnContext(ignored -> poll());
    }

    private void watch() {
      client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.GET)
                  .setHost("127.0.0.1")
                  .setPort(ports[1])
                  .setURI("/v1/buckets/" + BUCKET + "/watch?key=" + KEY)
                  .putHeader("Accept", "text/event-stream"))
          .compose(request -> request.send())
          .onSuccess(
              response -> {
                StringBuilder pending = new StringBuilder();
                response.handler(
                    chunk -> {
                      pending.append(chunk.toString());
                      int newline;
                      while ((newline = pending.indexOf("\n")) >= 0) {
                        String line = pending.substring(0, newline);
                        pending.delete(0, newline + 1);
                        if (line.startsWith("id: ")) {
                          watched.note(sequenceOf(line.substring(4).trim()), System.nanoTime());
                        }
                      }
                    });
              })
          .onFailure(error -> failures++);
    }

    private void poll() {
      client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.GET)
                  .setHost("127.0.0.1")
                  .setPort(ports[2])
                  .setURI("/v1/buckets/" + BUCKET + "/keys/" + KEY))
          .compose(request -> request.send())
          .compose(
              response -> {
                String token = response.getHeader("Meridian-Session");
                return response.body().map(body -> token);
              })
          .onComplete(
              answer -> {
                if (answer.succeeded() && answer.result() != null) {
                  polled.note(sequenceOf(answer.result()), System.nanoTime());
                } else {
                  failures++;
                }
                if (!stopped) {
                  // One GET after another with a pause of 1 ms: about 1,000 reads/s at most.
                  vertx.setTimer(1, ignored -> poll());
                }
              });
    }

    private static long sequenceOf(String token) {
      SessionToken decoded = SessionTokenCodec.decode(token);
      return decoded.readVector().get("r1");
    }

    /** Open loop: at each millisecond, sends every write due by then (bounded in flight). */
    void writeAtRate(double rate, long endNanos, CountDownLatch done) {
      vertx.runOnContext(
          ignored -> {
            long start = System.nanoTime();
            long[] sent = {0};
            vertx.setPeriodic(
                1,
                timer -> {
                  long now = System.nanoTime();
                  if (now >= endNanos) {
                    vertx.cancelTimer(timer);
                    done.countDown();
                    return;
                  }
                  // Write n (from 1) is due at (n - 1) / rate: the first at once.
                  long due = (long) ((now - start) / 1e9 * rate) + 1;
                  while (sent[0] < due) {
                    sent[0]++;
                    if (inFlight >= WRITES_IN_FLIGHT_MAX) {
                      skipped++;
                      continue;
                    }
                    write(start + (long) ((sent[0] - 1) / rate * 1e9));
                  }
                });
          });
    }

    private void write(long intendedNanos) {
      inFlight++;
      client
          .request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setHost("127.0.0.1")
                  .setPort(ports[0])
                  .setURI("/v1/buckets/" + BUCKET + "/keys/" + KEY)
                  .putHeader("Content-Type", "application/json"))
          .compose(request -> request.send(INCREMENT))
          .compose(
              response -> {
                String token = response.getHeader("Meridian-Session");
                int status = response.statusCode();
                return response.body().map(body -> status == 200 ? token : null);
              })
          .onComplete(
              answer -> {
                inFlight--;
                if (answer.failed() || answer.result() == null) {
                  failures++;
                  return;
                }
                long seq = SessionTokenCodec.decode(answer.result()).writeVector().get("r1");
                grow(seq);
                sentAt[(int) seq] = intendedNanos;
                answeredAt[(int) seq] = System.nanoTime();
                highestSeq = Math.max(highestSeq, seq);
              });
    }

    private void grow(long seq) {
      if (seq >= sentAt.length) {
        int size = Math.max(sentAt.length * 2, (int) seq + 1);
        sentAt = java.util.Arrays.copyOf(sentAt, size);
        answeredAt = java.util.Arrays.copyOf(answeredAt, size);
      }
    }

    long measuredWrites(long from, long to) {
      long count = 0;
      for (int seq = 1; seq <= highestSeq; seq++) {
        if (sentAt[seq] >= from && sentAt[seq] < to) {
          count++;
        }
      }
      return count;
    }

    /** Stops polling and returns the report, computed on the observer's event loop. */
    String report(long from, long to) throws Exception {
      stopped = true;
      java.util.concurrent.CompletableFuture<String> report =
          new java.util.concurrent.CompletableFuture<>();
      vertx.runOnContext(ignored -> report.complete(reportNow(from, to)));
      return report.get(30, TimeUnit.SECONDS);
    }

    private String reportNow(long from, long to) {
      Histogram acknowledged = new Histogram(3);
      Histogram watchFromSend = new Histogram(3);
      Histogram watchFromAck = new Histogram(3);
      Histogram pollFromSend = new Histogram(3);
      long unseen = 0;
      long seenBeforeAck = 0;
      for (int seq = 1; seq <= highestSeq; seq++) {
        long sent = sentAt[seq];
        if (sent < from || sent >= to) {
          continue;
        }
        acknowledged.recordValue((answeredAt[seq] - sent) / 1000);
        long watchedAt = watched.firstAt(seq);
        long polledAt = polled.firstAt(seq);
        if (watchedAt < 0 || polledAt < 0) {
          unseen++;
          continue;
        }
        watchFromSend.recordValue(Math.max(0, watchedAt - sent) / 1000);
        pollFromSend.recordValue(Math.max(0, polledAt - sent) / 1000);
        if (watchedAt < answeredAt[seq]) {
          seenBeforeAck++;
        }
        watchFromAck.recordValue(Math.max(0, watchedAt - answeredAt[seq]) / 1000);
      }
      return "  write at r1, send to answer: "
          + quantiles(acknowledged)
          + "\n  watched at r2, from the send: "
          + quantiles(watchFromSend)
          + "\n  watched at r2, from the write's answer: "
          + quantiles(watchFromAck)
          + " ("
          + seenBeforeAck
          + " seen before the answer arrived, counted 0)"
          + "\n  polled at r3, from the send: "
          + quantiles(pollFromSend)
          + "\n  writes measured "
          + acknowledged.getTotalCount()
          + ", not seen "
          + unseen
          + ", failed requests "
          + failures
          + ", writes not sent ("
          + WRITES_IN_FLIGHT_MAX
          + " in flight) "
          + skipped
          + "\n";
    }

    private static String quantiles(Histogram histogram) {
      return String.format(
          Locale.ROOT,
          "p50 %.2f ms, p99 %.2f ms, max %.2f ms",
          histogram.getValueAtPercentile(50) / 1000.0,
          histogram.getValueAtPercentile(99) / 1000.0,
          histogram.getMaxValue() / 1000.0);
    }
  }

  /** The times a region showed which of r1's sequences, in the order seen (never decreasing). */
  private static final class Shown {
    private final List<long[]> events = new ArrayList<>();

    void note(long sequence, long nanos) {
      if (events.isEmpty() || events.get(events.size() - 1)[0] < sequence) {
        events.add(new long[] {sequence, nanos});
      }
    }

    /** When the region first showed {@code sequence} or a later one; -1 if never. */
    long firstAt(long sequence) {
      int low = 0;
      int high = events.size() - 1;
      long found = -1;
      while (low <= high) {
        int middle = (low + high) >>> 1;
        if (events.get(middle)[0] >= sequence) {
          found = events.get(middle)[1];
          high = middle - 1;
        } else {
          low = middle + 1;
        }
      }
      return found;
    }
  }
}
