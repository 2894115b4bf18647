package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Operation.Kind;
import io.meridian.benchmarks.geo.Operation.Outcome;
import io.meridian.benchmarks.geo.RegionClient.Answer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of a run: {@code sessions} sequential sessions, each an open loop at its share of the
 * rate (an operation's latency counts from its intended start, so a stalled region is not hidden by
 * a waiting client), with its own session token and operation ids, and a visibility probe. Every
 * request goes into the history. Each session draws from its own {@link Random} seeded from the
 * run's seed.
 *
 * <p>A session mostly uses its home region and sometimes another one (so session guarantees are
 * tested across regions); after an unanswered request or a 503 it moves to the next region, and
 * sends an unanswered update again there with the same operation id. Now and then it sends an
 * acknowledged increment again elsewhere on purpose: exactly once (S4) must hold.
 */
public final class Workload {
  /** The guarantees every session asks for. */
  public static final String GUARANTEES = "causal";

  private static final double ROAM_PROBABILITY = 0.15;
  private static final double DUPLICATE_PROBABILITY = 0.05;

  private final WorkloadConfig config;
  private final List<String> regions;
  private final RegionClient client;
  private final long runStartNanos;
  private final List<Operation> history = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger nextIndex = new AtomicInteger();
  private final AtomicLong acknowledgedUpdates = new AtomicLong();
  private final AtomicLong notSent = new AtomicLong();
  private final List<Visibility> visibility = Collections.synchronizedList(new ArrayList<>());
  private final ZipfKeys keys;
  private volatile boolean stopping;

  /**
   * The workload's shape.
   *
   * @param sessions number of sequential sessions
   * @param rate operations per second over all sessions
   * @param counterKeys number of g-counter keys
   * @param setKeys number of g-set keys
   * @param pairs number of causal pairs
   * @param zipfExponent key popularity (0: uniform)
   * @param probeIntervalMillis time between visibility probes (0: none)
   * @param seed the run's seed
   * @param clients which clients the sessions use
   * @param backToBack each session sends its next operation as soon as the last completed (at
   *     maximum, {@code rate} ignored) instead of on the open loop's schedule
   * @param closedLoop instead of the sessions' open loop, a closed loop of counter increments; null
   *     for the open loop
   */
  public record WorkloadConfig(
      int sessions,
      double rate,
      int counterKeys,
      int setKeys,
      int pairs,
      double zipfExponent,
      long probeIntervalMillis,
      long seed,
      Clients clients,
      boolean backToBack,
      ClosedLoop closedLoop) {

    /**
     * Raw HTTP clients, open loop.
     *
     * @param sessions number of sequential sessions
     * @param rate operations per second over all sessions
     * @param counterKeys number of g-counter keys
     * @param setKeys number of g-set keys
     * @param pairs number of causal pairs
     * @param zipfExponent key popularity (0: uniform)
     * @param probeIntervalMillis time between visibility probes (0: none)
     * @param seed the run's seed
     */
    public WorkloadConfig(
        int sessions,
        double rate,
        int counterKeys,
        int setKeys,
        int pairs,
        double zipfExponent,
        long probeIntervalMillis,
        long seed) {
      this(
          sessions,
          rate,
          counterKeys,
          setKeys,
          pairs,
          zipfExponent,
          probeIntervalMillis,
          seed,
          Clients.HTTP,
          false,
          null);
    }
  }

  /**
   * A closed loop at the regions' maximum: {@code connections} requests in flight per writing
   * region, each sending its next g-counter increment (by 1, with its own operation id, no session)
   * as soon as the previous one is answered, until the run ends or the region acknowledged {@code
   * updatesPerRegionMax}. Counters only, so the same load is correct under the benchmark-only
   * eventual delivery mode (increments commute).
   *
   * @param connections requests in flight per writing region
   * @param updatesPerRegionMax acknowledged updates per writing region after which it stops
   * @param regions the writing regions
   */
  public record ClosedLoop(int connections, long updatesPerRegionMax, List<String> regions) {
    /** Checks the bounds. */
    public ClosedLoop {
      if (connections < 1 || connections > 256 || updatesPerRegionMax < 1 || regions.isEmpty()) {
        throw new IllegalArgumentException(
            "closed loop: 1 to 256 connections, a positive bound and a region");
      }
      regions = List.copyOf(regions);
    }
  }

  /** Which clients the sessions use. */
  public enum Clients {
    /** Every session sends raw HTTP requests ({@link RegionClient}). */
    HTTP,
    /** Every session is a client of the project's SDK ({@link SdkSession}). */
    SDK,
    /** Even-numbered sessions raw HTTP, odd-numbered ones the SDK. */
    BOTH;

    boolean sdk(int session) {
      return this == SDK || this == BOTH && session % 2 == 1;
    }
  }

  /**
   * One visibility probe: a write acknowledged at {@code from}, then read at {@code to} with the
   * write's token and RYW, which the region answers once it has applied the write.
   *
   * @param from where it was written
   * @param to where it was read
   * @param atMillis when the write was acknowledged, from the run's start
   * @param millis from the acknowledgement to the read's answer, -1 if it was not answered 200
   */
  public record Visibility(String from, String to, long atMillis, long millis) {}

  /**
   * @param config the workload's shape
   * @param regions the regions' names
   * @param client the HTTP client
   * @param runStartNanos the run's time origin ({@link System#nanoTime()})
   */
  public Workload(
      WorkloadConfig config, List<String> regions, RegionClient client, long runStartNanos) {
    this.config = config;
    this.regions = List.copyOf(regions);
    this.client = client;
    this.runStartNanos = runStartNanos;
    this.keys = new ZipfKeys(config.zipfExponent());
  }

  /**
   * Runs the sessions and the probe until {@code durationMillis} from the run's start.
   *
   * @param durationMillis the run's length
   * @throws InterruptedException if interrupted
   */
  public void run(long durationMillis) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    if (config.closedLoop() != null) {
      ClosedLoop loop = config.closedLoop();
      for (String region : loop.regions()) {
        AtomicLong acknowledged = new AtomicLong();
        for (int lane = 0; lane < loop.connections(); lane++) {
          int number = threads.size();
          threads.add(
              new Thread(
                  () -> lane(number, region, acknowledged, durationMillis),
                  "geo-closed-" + region + "-" + lane));
        }
      }
    } else {
      for (int session = 0; session < config.sessions(); session++) {
        int number = session;
        threads.add(new Thread(() -> session(number, durationMillis), "geo-session-" + session));
      }
    }
    if (config.probeIntervalMillis() > 0) {
      threads.add(new Thread(() -> probe(durationMillis), "geo-probe"));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
  }

  /** Asks the sessions to stop after their current operation. */
  public void stop() {
    stopping = true;
  }

  /**
   * @return the history so far, in invocation order
   */
  public List<Operation> history() {
    synchronized (history) {
      List<Operation> copy = new ArrayList<>(history);
      copy.sort((a, b) -> Integer.compare(a.index(), b.index()));
      return copy;
    }
  }

  /**
   * @return the visibility probes' results
   */
  public List<Visibility> visibility() {
    synchronized (visibility) {
      return new ArrayList<>(visibility);
    }
  }

  /**
   * @return updates acknowledged so far
   */
  public long acknowledgedUpdates() {
    return acknowledgedUpdates.get();
  }

  /**
   * @return operations the open loop could not send before the end because it was behind
   */
  public long notSent() {
    return notSent.get();
  }

  /**
   * @return operations completed so far
   */
  public int completed() {
    return history.size();
  }

  /**
   * Every key a run may touch, so the final states can be read whole.
   *
   * @return the keys
   */
  public List<String> allKeys() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < config.counterKeys(); i++) {
      all.add("c-" + i);
    }
    for (int i = 0; i < config.setKeys(); i++) {
      all.add("s-" + i);
    }
    for (int i = 0; i < config.pairs(); i++) {
      all.add("pa-" + i);
      all.add("pb-" + i);
    }
    for (int i = 0; i < config.sessions(); i++) {
      all.add("lww-" + i);
    }
    return all;
  }

  long nowMillis() {
    return (System.nanoTime() - runStartNanos) / 1_000_000;
  }

  // ------------------------------------------------------------------ closed loop

  /** One request in flight of the closed loop: its own sequence of increments at one region. */
  private void lane(int number, String region, AtomicLong acknowledged, long durationMillis) {
    long sequence = 0;
    while (!stopping && nowMillis() < durationMillis) {
      if (acknowledged.get() >= config.closedLoop().updatesPerRegionMax()) {
        // This side made its updates: it idles until the run (and its partition) ends.
        sleep(Math.min(100, Math.max(1, durationMillis - nowMillis())));
        continue;
      }
      sequence++;
      String id = "l" + number + "-" + sequence;
      String key = "c-" + (int) ((number * 31L + sequence) % config.counterKeys());
      int index = nextIndex.getAndIncrement();
      long start = nowMillis();
      Answer answer =
          RegionClient.await(
              client.update(region, key, updateBody(Kind.INCREMENT, id, 1L), null, null));
      long end = nowMillis();
      Outcome outcome =
          answer.ok()
              ? Outcome.OK
              : answer.status() == 0 || answer.status() >= 500 && answer.status() != 503
                  ? Outcome.UNKNOWN
                  : Outcome.FAILED;
      if (outcome == Outcome.OK) {
        acknowledged.incrementAndGet();
        acknowledgedUpdates.incrementAndGet();
      }
      history.add(
          new Operation(
              index,
              config.sessions() + number,
              Kind.INCREMENT,
              region,
              List.of(key),
              id,
              1L,
              start,
              start,
              end,
              outcome,
              answer.status(),
              Collections.singletonList(
                  answer.ok() ? RegionClient.plain(answer.body().getValue("value")) : null),
              null,
              answer.token()));
    }
  }

  // ------------------------------------------------------------------ one session

  private void session(int number, long durationMillis) {
    try (Session session = new Session(number)) {
      if (config.backToBack()) {
        while (!stopping && nowMillis() < durationMillis) {
          session.step(nowMillis());
        }
      } else {
        openLoop(session, number, durationMillis);
      }
    }
  }

  private void openLoop(Session session, int number, long durationMillis) {
    double periodMillis = 1000.0 * config.sessions() / config.rate();
    long step = 0;
    while (!stopping) {
      long intended =
          (long) (step * periodMillis) + (long) (number * periodMillis / config.sessions());
      if (intended >= durationMillis) {
        break;
      }
      if (nowMillis() >= durationMillis) {
        // Behind schedule at the end: what was not sent is counted, not sent late.
        long remaining = (long) Math.ceil((durationMillis - intended) / periodMillis);
        notSent.addAndGet(remaining);
        break;
      }
      long wait = intended - nowMillis();
      if (wait > 0) {
        sleep(wait);
      }
      session.step(intended);
      step++;
    }
  }

  /** A session's state: its token (or its SDK client), home region, sequence and a pending pair. */
  private final class Session implements AutoCloseable {
    final int number;
    final Random random;
    final SdkSession sdk;
    String token;
    int home;
    long sequence;
    String pendingPairElement;
    int pendingPair;

    Session(int number) {
      this.number = number;
      this.random = new Random(config.seed() * 1_000_003L + number);
      this.home = number % regions.size();
      this.sdk =
          config.clients().sdk(number)
              ? new SdkSession(
                  client.baseUris(), regions.get(home), client.bucket(), client.requestTimeout())
              : null;
    }

    @Override
    public void close() {
      if (sdk != null) {
        sdk.close();
      }
    }

    void step(long intended) {
      if (pendingPairElement != null) {
        String element = pendingPairElement;
        pendingPairElement = null;
        update(intended, Kind.PAIR_SECOND, "pb-" + pendingPair, element);
        return;
      }
      double draw = random.nextDouble();
      sequence++;
      if (draw < 0.30) {
        update(
            intended,
            Kind.INCREMENT,
            "c-" + keys.next(random, config.counterKeys()),
            (long) (1 + random.nextInt(5)));
      } else if (draw < 0.55) {
        update(
            intended,
            Kind.ADD,
            "s-" + keys.next(random, config.setKeys()),
            "e" + number + "-" + sequence);
      } else if (draw < 0.65) {
        int pair = keys.next(random, config.pairs());
        String element = "p" + number + "-" + sequence;
        if (update(intended, Kind.PAIR_FIRST, "pa-" + pair, element) == Outcome.OK) {
          pendingPairElement = element;
          pendingPair = pair;
        }
      } else if (draw < 0.73) {
        update(intended, Kind.ASSIGN, "lww-" + number, sequence);
      } else if (draw < 0.90) {
        read(intended, readKey());
      } else {
        int pair = keys.next(random, config.pairs());
        snapshot(intended, List.of("pa-" + pair, "pb-" + pair));
      }
    }

    private String readKey() {
      return switch (random.nextInt(4)) {
        case 0 -> "c-" + keys.next(random, config.counterKeys());
        case 1 -> "s-" + keys.next(random, config.setKeys());
        case 2 -> "pa-" + keys.next(random, config.pairs());
        default -> "lww-" + number;
      };
    }

    private String region() {
      if (random.nextDouble() < ROAM_PROBABILITY) {
        return regions.get(random.nextInt(regions.size()));
      }
      return regions.get(home);
    }

    private Outcome update(long intended, Kind kind, String key, Object argument) {
      String id = "s" + number + "-" + sequence + (kind == Kind.PAIR_SECOND ? "b" : "");
      JsonObject body = updateBody(kind, id, argument);
      if (sdk != null) {
        // The SDK fails over and resends with its own operation id; the harness does not.
        return call(intended, kind, regions.get(home), List.of(key), id, argument, body).outcome();
      }
      Operation first = call(intended, kind, region(), List.of(key), id, argument, body);
      if (first.outcome() == Outcome.UNKNOWN) {
        // Retry elsewhere with the same id: it must take effect once at most (S4).
        moveHome();
        return call(nowMillis(), kind, regions.get(home), List.of(key), id, argument, body)
            .outcome();
      }
      if (first.outcome() == Outcome.OK
          && kind == Kind.INCREMENT
          && random.nextDouble() < DUPLICATE_PROBABILITY) {
        String other = regions.get((regions.indexOf(first.region()) + 1) % regions.size());
        call(nowMillis(), kind, other, List.of(key), id, argument, body);
      }
      return first.outcome();
    }

    private void read(long intended, String key) {
      call(intended, Kind.READ, region(), List.of(key), null, null, null);
    }

    private void snapshot(long intended, List<String> pairKeys) {
      call(intended, Kind.SNAPSHOT_READ, region(), pairKeys, null, null, null);
    }

    private Operation call(
        long intended,
        Kind kind,
        String region,
        List<String> callKeys,
        String id,
        Object argument,
        JsonObject body) {
      int index = nextIndex.getAndIncrement();
      long start = nowMillis();
      if (sdk != null) {
        return sdkCall(index, intended, start, kind, callKeys, id, argument);
      }
      String sent = token;
      CompletableFuture<Answer> pending =
          switch (kind) {
            case READ -> client.read(region, callKeys.get(0), sent, GUARANTEES);
            case SNAPSHOT_READ -> client.snapshot(region, callKeys, sent, GUARANTEES);
            default -> client.update(region, callKeys.get(0), body, sent, GUARANTEES);
          };
      Answer answer = RegionClient.await(pending);
      long end = nowMillis();
      if (answer.token() != null) {
        token = answer.token();
      }
      Outcome outcome;
      List<Object> values = new ArrayList<>();
      if (answer.ok()) {
        outcome = Outcome.OK;
        if (kind == Kind.SNAPSHOT_READ) {
          values = RegionClient.snapshotValues(answer);
        } else {
          values.add(RegionClient.plain(answer.body().getValue("value")));
        }
        if (kind.isUpdate()) {
          acknowledgedUpdates.incrementAndGet();
        }
      } else if (answer.status() == 404 && kind == Kind.READ) {
        outcome = Outcome.OK;
        values.add(null);
      } else if (answer.status() == 0 || answer.status() >= 500 && answer.status() != 503) {
        outcome = Outcome.UNKNOWN;
        values = Collections.nCopies(callKeys.size(), null);
      } else {
        outcome = Outcome.FAILED;
        values = Collections.nCopies(callKeys.size(), null);
      }
      if (outcome != Outcome.OK) {
        moveHome();
      }
      Operation operation =
          new Operation(
              index,
              number,
              kind,
              region,
              callKeys,
              id,
              argument,
              intended,
              start,
              end,
              outcome,
              answer.status(),
              values,
              sent,
              answer.token());
      history.add(operation);
      return operation;
    }

    private Operation sdkCall(
        int index,
        long intended,
        long start,
        Kind kind,
        List<String> callKeys,
        String id,
        Object argument) {
      SdkSession.Result result =
          kind.isUpdate()
              ? sdk.update(kind, callKeys.get(0), argument, "sdk-" + id)
              : sdk.read(callKeys);
      long end = nowMillis();
      if (kind.isUpdate() && result.outcome() == Outcome.OK) {
        acknowledgedUpdates.incrementAndGet();
      }
      Operation operation =
          new Operation(
              index,
              number,
              kind,
              result.region(),
              callKeys,
              result.operationId(),
              argument,
              intended,
              start,
              end,
              result.outcome(),
              result.status(),
              kind.isUpdate() ? Collections.nCopies(callKeys.size(), null) : result.values(),
              null,
              null);
      history.add(operation);
      return operation;
    }

    private void moveHome() {
      home = (home + 1) % regions.size();
    }
  }

  /**
   * The body of an update as a session sends it.
   *
   * @param kind the update's kind
   * @param id its operation id
   * @param argument increment amount, element, or assigned value
   * @return the JSON body
   */
  static JsonObject updateBody(Kind kind, String id, Object argument) {
    JsonObject body = new JsonObject().put("id", id);
    switch (kind) {
      case INCREMENT -> body.put("type", "g-counter").put("op", "increment").put("by", argument);
      case ADD, PAIR_FIRST, PAIR_SECOND ->
          body.put("type", "g-set").put("op", "add").put("elements", List.of(argument));
      default -> body.put("type", "lww-register").put("op", "assign").put("value", argument);
    }
    return body;
  }

  // ------------------------------------------------------------------ visibility probe

  private void probe(long durationMillis) {
    long round = 0;
    while (!stopping && nowMillis() < durationMillis) {
      String from = regions.get((int) (round % regions.size()));
      round++;
      JsonObject body = new JsonObject().put("type", "g-counter").put("op", "increment");
      Answer written = RegionClient.await(client.update(from, "probe-" + from, body, null, null));
      long acknowledged = nowMillis();
      if (written.ok() && written.token() != null) {
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        for (String to : regions) {
          if (!to.equals(from)) {
            reads.add(
                client
                    .read(to, "probe-" + from, written.token(), "RYW")
                    .thenAccept(
                        answer ->
                            visibility.add(
                                new Visibility(
                                    from,
                                    to,
                                    acknowledged,
                                    answer.ok() ? nowMillis() - acknowledged : -1))));
          }
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
      }
      sleep(config.probeIntervalMillis());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Key popularity: uniform, or Zipfian with the given exponent. */
  static final class ZipfKeys {
    private final double exponent;

    ZipfKeys(double exponent) {
      this.exponent = exponent;
    }

    int next(Random random, int count) {
      if (exponent <= 0) {
        return random.nextInt(count);
      }
      double total = 0;
      for (int i = 1; i <= count; i++) {
        total += 1 / Math.pow(i, exponent);
      }
      double draw = random.nextDouble() * total;
      for (int i = 1; i <= count; i++) {
        draw -= 1 / Math.pow(i, exponent);
        if (draw <= 0) {
          return i - 1;
        }
      }
      return count - 1;
    }
  }
}
