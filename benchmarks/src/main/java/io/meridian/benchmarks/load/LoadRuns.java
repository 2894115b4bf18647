package io.meridian.benchmarks.load;

import io.meridian.server.HostPort;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The three measurements. Every run is bounded in time (warm-up plus measured window, then at most
 * a drain period) and in count ({@code requestsMax}).
 */
final class LoadRuns {
  /** Latencies up to one minute, three significant digits. */
  private static final long LATENCY_MICROS_MAX = 60_000_000L;

  private static final String BUCKET = "load";
  private static final Buffer INCREMENT =
      Buffer.buffer("{\"type\":\"g-counter\",\"op\":\"increment\"}");

  private final LoadClient client;
  private final long requestsMax;
  private final int keys;
  private final long drainMillisMax;
  private final Map<String, String> writeHeaders;

  /**
   * @param client the HTTP client
   * @param requestsMax most requests one run sends
   * @param keys the updates spread over this many keys
   * @param drainMillisMax after the window, how long to wait for outstanding answers
   * @param minimalAnswers whether updates ask for the small answer ({@code Prefer: return=minimal})
   */
  LoadRuns(
      LoadClient client, long requestsMax, int keys, long drainMillisMax, boolean minimalAnswers) {
    this.client = client;
    this.requestsMax = requestsMax;
    this.keys = keys;
    this.drainMillisMax = drainMillisMax;
    this.writeHeaders = minimalAnswers ? Map.of("Prefer", "return=minimal") : Map.of();
  }

  /** Counts answers and latencies of the measured window, from any thread. */
  private static final class Tally {
    final Histogram latencyMicros = new ConcurrentHistogram(LATENCY_MICROS_MAX, 3);
    final AtomicLong succeeded = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong shed = new AtomicLong();
    final long measureFromNanos;

    Tally(long measureFromNanos) {
      this.measureFromNanos = measureFromNanos;
    }

    /** Records an answer to a request meant to start at {@code startNanos}. */
    void record(long startNanos, AsyncResult<LoadClient.Reply> result) {
      if (startNanos < measureFromNanos) {
        return;
      }
      if (result.failed()) {
        failed.incrementAndGet();
      } else if (result.result().status() != 200) {
        refused.incrementAndGet();
      } else {
        succeeded.incrementAndGet();
        latencyMicros.recordValue(
            Math.min(LATENCY_MICROS_MAX, (System.nanoTime() - startNanos) / 1_000));
      }
    }

    RunResult result(String name, double seconds) {
      return new RunResult(
          name,
          seconds,
          succeeded.get(),
          refused.get(),
          failed.get(),
          shed.get(),
          latencyMicros.copy());
    }
  }

  private String keyUri(long sequence) {
    return "/v1/buckets/" + BUCKET + "/keys/k-" + (sequence % keys);
  }

  /**
   * Closed loop: {@code connections} clients, each sending its next single-key update as soon as
   * the previous one is answered (so the rate is what the region sustains).
   */
  RunResult closedLoop(HostPort target, int connections, long warmupMillis, long measureMillis)
      throws InterruptedException {
    return closedLoop(
        "closed loop, " + connections + " connections",
        target,
        true,
        connections,
        warmupMillis,
        measureMillis);
  }

  /**
   * The closed loop against {@code target}, named {@code name}; {@code region} false for a server
   * that has no {@code /metrics} of a region (the ceiling server).
   */
  RunResult closedLoop(
      String name,
      HostPort target,
      boolean region,
      int connections,
      long warmupMillis,
      long measureMillis)
      throws InterruptedException {
    long startNanos = System.nanoTime();
    long measureFromNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
    long endNanos = measureFromNanos + TimeUnit.MILLISECONDS.toNanos(measureMillis);
    Tally tally = new Tally(measureFromNanos);
    AtomicLong issued = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(connections);
    for (int user = 0; user < connections; user++) {
      sendNext(target, tally, issued, endNanos, finished);
    }
    sleepUntil(measureFromNanos);
    CpuMeter cpu = CpuMeter.start();
    var countersAtStart = region ? RegionCounters.read(client, target) : null;
    sleepUntil(endNanos);
    cpu.stop();
    var countersAtEnd = region ? RegionCounters.read(client, target) : null;
    if (!finished.await(
        warmupMillis + measureMillis + drainMillisMax + 1_000, TimeUnit.MILLISECONDS)) {
      System.out.println("closed loop: some clients did not finish within the drain period");
    }
    RunResult result = tally.result(name, measureMillis / 1000.0);
    System.out.println(cpu.summary(result.succeeded()));
    if (region) {
      System.out.println(
          RegionCounters.await(countersAtEnd)
              .summarySince(RegionCounters.await(countersAtStart), result.succeeded()));
    }
    return result;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long now;
    while ((now = System.nanoTime()) < nanos) {
      Thread.sleep(Math.max(1, Math.min(100, (nanos - now) / 1_000_000)));
    }
  }

  private void sendNext(
      HostPort target, Tally tally, AtomicLong issued, long endNanos, CountDownLatch finished) {
    long sequence = issued.getAndIncrement();
    long startNanos = System.nanoTime();
    if (startNanos >= endNanos || sequence >= requestsMax) {
      finished.countDown();
      return;
    }
    client
        .send(target, HttpMethod.POST, keyUri(sequence), INCREMENT, writeHeaders)
        .onComplete(
            result -> {
              tally.record(startNanos, result);
              if (result.failed()) {
                // A failure can be immediate (a full wait queue): go on from a timer, not the
                // stack.
                client.later(() -> sendNext(target, tally, issued, endNanos, finished));
              } else {
                sendNext(target, tally, issued, endNanos, finished);
              }
            });
  }

  /** The time window of a run: warm-up from start, then measured up to end. */
  private record Window(long startNanos, long measureFromNanos, long endNanos) {
    static Window from(long warmupMillis, long measureMillis) {
      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
      return new Window(
          start, measureFrom, measureFrom + TimeUnit.MILLISECONDS.toNanos(measureMillis));
    }

    double measuredSeconds() {
      return (endNanos - measureFromNanos) / 1e9;
    }
  }

  /**
   * Open loop: single-key updates sent at {@code ratePerSecond} whatever the answers, each latency
   * measured from the request's intended start. At most {@code outstandingRequestsMax} requests are
   * unanswered; past it the tool sheds (and counts) instead of sending.
   */
  RunResult openLoop(
      HostPort target,
      double ratePerSecond,
      long warmupMillis,
      long measureMillis,
      int outstandingRequestsMax)
      throws InterruptedException {
    Window window = Window.from(warmupMillis, measureMillis);
    Tally tally = new Tally(window.measureFromNanos());
    paced(
        "open loop",
        target,
        window,
        ratePerSecond,
        outstandingRequestsMax,
        tally,
        (sequence, intendedNanos, done) ->
            client
                .send(target, HttpMethod.POST, keyUri(sequence), INCREMENT, writeHeaders)
                .onComplete(
                    result -> {
                      tally.record(intendedNanos, result);
                      done.run();
                    }));
    return tally.result(
        "open loop at " + Math.round(ratePerSecond) + "/s", window.measuredSeconds());
  }

  /**
   * Visibility: updates at {@code ratePerSecond} at {@code writeRegion}; as soon as one is
   * acknowledged, each other region is asked for the key with the write's session token and
   * read-your-writes, so it answers once it has applied the update. The delay recorded per region
   * is from the acknowledgement of the write to that answer (so it includes one loopback round trip
   * of the read). Results: the writes, then one per other region.
   */
  List<RunResult> visibility(
      HostPort writeRegion,
      List<HostPort> readRegions,
      double ratePerSecond,
      long warmupMillis,
      long measureMillis,
      int outstandingRequestsMax)
      throws InterruptedException {
    Window window = Window.from(warmupMillis, measureMillis);
    Tally writes = new Tally(window.measureFromNanos());
    List<Tally> reads = new ArrayList<>();
    readRegions.forEach(ignored -> reads.add(new Tally(window.measureFromNanos())));
    paced(
        "visibility",
        writeRegion,
        window,
        ratePerSecond,
        outstandingRequestsMax,
        writes,
        (sequence, intendedNanos, done) -> {
          String uri = "/v1/buckets/" + BUCKET + "/keys/visible-" + (sequence % keys);
          client
              .send(writeRegion, HttpMethod.POST, uri, INCREMENT, writeHeaders)
              .onComplete(
                  write -> {
                    writes.record(intendedNanos, write);
                    if (write.failed() || write.result().status() != 200) {
                      done.run();
                      return;
                    }
                    readEverywhere(
                        readRegions, reads, uri, write.result().session(), intendedNanos, done);
                  });
        });
    List<RunResult> results = new ArrayList<>();
    results.add(
        writes.result(
            "writes at region 1, " + Math.round(ratePerSecond) + "/s", window.measuredSeconds()));
    for (int i = 0; i < reads.size(); i++) {
      results.add(
          reads
              .get(i)
              .result(
                  "visible at region " + (i + 2) + " after the write's acknowledgement",
                  window.measuredSeconds()));
    }
    return results;
  }

  private void readEverywhere(
      List<HostPort> readRegions,
      List<Tally> reads,
      String uri,
      String session,
      long intendedNanos,
      Runnable done) {
    long acknowledgedNanos = System.nanoTime();
    AtomicInteger unanswered = new AtomicInteger(readRegions.size());
    Map<String, String> headers =
        Map.of("Meridian-Session", session, "Meridian-Guarantees", "RYW", "Meridian-Wait", "10000");
    for (int i = 0; i < readRegions.size(); i++) {
      Tally tally = reads.get(i);
      client
          .send(readRegions.get(i), HttpMethod.GET, uri, null, headers)
          .onComplete(
              read -> {
                // Counted in the window of the write it follows.
                if (intendedNanos >= tally.measureFromNanos) {
                  tally.record(acknowledgedNanos, read);
                }
                if (unanswered.decrementAndGet() == 0) {
                  done.run();
                }
              });
    }
  }

  /** Sends request {@code sequence}, meant to start at {@code intendedNanos}; runs done once. */
  @FunctionalInterface
  private interface PacedRequest {
    void send(long sequence, long intendedNanos, Runnable done);
  }

  /**
   * Issues requests at the rate from one thread, then waits at most the drain period for the
   * outstanding ones.
   */
  private void paced(
      String name,
      HostPort countedRegion,
      Window window,
      double ratePerSecond,
      int outstandingRequestsMax,
      Tally tally,
      PacedRequest request)
      throws InterruptedException {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    double intervalNanos = 1e9 / ratePerSecond;
    AtomicInteger outstanding = new AtomicInteger();
    CpuMeter cpu = null;
    io.vertx.core.Future<RegionCounters> countersAtStart = null;
    long sequence = 0;
    while (sequence < requestsMax) {
      long intendedNanos = window.startNanos() + (long) (sequence * intervalNanos);
      if (intendedNanos >= window.endNanos()) {
        break;
      }
      if (cpu == null && intendedNanos >= window.measureFromNanos()) {
        cpu = CpuMeter.start();
        countersAtStart = RegionCounters.read(client, countedRegion);
      }
      long now = System.nanoTime();
      if (intendedNanos > now) {
        LockSupport.parkNanos(Math.min(intendedNanos - now, 1_000_000));
        continue;
      }
      if (outstanding.get() >= outstandingRequestsMax) {
        if (intendedNanos >= window.measureFromNanos()) {
          tally.shed.incrementAndGet();
        }
      } else {
        outstanding.incrementAndGet();
        request.send(sequence, intendedNanos, outstanding::decrementAndGet);
      }
      sequence++;
    }
    io.vertx.core.Future<RegionCounters> countersAtEnd = null;
    if (cpu != null) {
      cpu.stop();
      countersAtEnd = RegionCounters.read(client, countedRegion);
    }
    long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillisMax);
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(5);
    }
    if (outstanding.get() > 0) {
      System.out.println(
          name + ": " + outstanding.get() + " requests still unanswered; " + client.progress());
    }
    if (cpu != null) {
      System.out.println(name + " " + cpu.summary(tally.succeeded.get()));
      System.out.println(
          name
              + " "
              + RegionCounters.await(countersAtEnd)
                  .summarySince(RegionCounters.await(countersAtStart), tally.succeeded.get()));
    }
  }
}
