package io.meridian.server.region;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.Operation;
import io.meridian.replication.ReplicationConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * A seeded simulation of N production {@link RegionDriver}s over a simulated disk ({@link
 * MemoryRegionLog}: fsyncs that take ticks, fail, and crashes that lose the unsynced tail or tear
 * its last record), a simulated network (loss, duplication, delay and so reordering, partitions)
 * and simulated time (ticks; each region's physical clock skewed). One seed derives the whole run
 * (TigerBeetle's VOPR); a failure names the seed and the line that replays it.
 *
 * <p>Clients are sessions that ask for every guarantee: each write of a g-counter carries a fresh
 * operation id, and some are retried, at the same or another region; each request waits for its
 * token. Checkpoint commits fail now and then (nothing written). Checked: during the run S5 (a read
 * shows at least the session's own acknowledged increments, and never less than the session read
 * before) and S7 (a fold changes no value); after healing L1 and S2 (every region applied the same
 * vector and shows the same values), S3 (every acknowledged increment counts) and S4 (no operation
 * id counts twice).
 */
final class DriverSimulation {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TICK_MILLIS = 10;
  private static final int HEAL_TICKS_MAX = 6_000;
  private static final int SESSIONS = 4;

  /** Everything one seed decides before the run. */
  record Parameters(
      long seed,
      int regionCount,
      int faultTicks,
      double lossProbability,
      double duplicateProbability,
      int latencyTicksMax,
      double partitionChangeProbability,
      double crashProbability,
      int downTicksMax,
      int fsyncTicksMax,
      double fsyncFailureProbability,
      double tornTailProbability,
      long skewMillisMax,
      double requestProbability,
      double retryProbability,
      int keyCount,
      double checkpointProbability,
      double checkpointFailureProbability,
      int logEntriesPerOriginMax,
      int entriesPerFrameMax,
      int resendIntervalTicks,
      int heartbeatIntervalTicks) {

    static Parameters fromSeed(long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      return new Parameters(
          seed,
          2 + random.nextInt(3),
          150 + random.nextInt(150),
          pick(random, 0.0, 0.05, 0.2),
          pick(random, 0.0, 0.05, 0.2),
          1 + random.nextInt(5),
          pick(random, 0.0, 0.01, 0.05),
          pick(random, 0.0, 0.005, 0.02),
          5 + random.nextInt(60),
          1 + random.nextInt(4),
          pick(random, 0.0, 0.0, 0.01),
          pick(random, 0.0, 0.5),
          pick(random, 0L, 1_000L, 300_000L),
          pick(random, 0.3, 0.8),
          pick(random, 0.0, 0.1, 0.3),
          pick(random, 1, 3, 20),
          pick(random, 0.01, 0.1),
          // Drawn apart from the rest, so that the runs of earlier seeds stay as they were.
          pick(new SplittableRandom(~seed), 0.0, 0.1),
          pick(random, 4, 16, 1_000),
          pick(random, 1, 4, 16),
          pick(random, 5, 10, 30),
          pick(random, 2, 5, 10));
    }

    ReplicationConfig config(String self, List<String> regions) {
      return ReplicationConfig.builder(self, regions)
          .logEntriesPerOriginMax(logEntriesPerOriginMax)
          .entriesPerFrameMax(entriesPerFrameMax)
          .inFlightEntriesPerPeerMax(entriesPerFrameMax * 4)
          .resendIntervalTicks(resendIntervalTicks)
          .heartbeatIntervalTicks(heartbeatIntervalTicks)
          .batchWindowTicks(0)
          .clockOffsetMillisMax(500)
          .build();
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom random, T... choices) {
      return choices[random.nextInt(choices.length)];
    }
  }

  /** What a run did, for the test's sanity checks. */
  record Statistics(
      long ticks,
      long acknowledged,
      long retries,
      long crashes,
      long sessionRefusals,
      long checkpointFailures,
      long storageStops) {}

  private final Parameters parameters;
  private final SplittableRandom random;

  /** Draws checkpoint failures apart from {@link #random}, so earlier seeds replay as before. */
  private final SplittableRandom checkpointFailures;

  private final List<String> names = new ArrayList<>();
  private final Map<String, Region> regions = new LinkedHashMap<>();
  private final PriorityQueue<Message> network =
      new PriorityQueue<>(
          (a, b) ->
              a.tick != b.tick ? Long.compare(a.tick, b.tick) : Long.compare(a.order, b.order));
  private final Set<String> cutLinks = new HashSet<>();
  private final List<Session> sessions = new ArrayList<>();
  private final Map<String, String> keyOfUpdate = new HashMap<>();
  private final Set<String> acknowledgedUpdates = new HashSet<>();
  private final List<String> violations = new ArrayList<>();
  private long tick;
  private long messageOrder;
  private long nextUpdate;
  private boolean faults = true;
  private long retries;
  private long crashes;
  private long sessionRefusals;
  private long failedCheckpoints;
  private long storageStops;

  private record Message(long tick, long order, String from, String to, byte[] bytes) {}

  /** A client that asks for every guarantee, with what its token says it wrote and read. */
  private static final class Session {
    VersionVector written = VersionVector.empty();
    VersionVector read = VersionVector.empty();
    final Map<String, Long> ownAcknowledged = new HashMap<>();
    final Map<String, Long> lastRead = new HashMap<>();
  }

  /** One region: its disk outlives its driver across crashes. */
  private final class Region {
    final String name;
    final long skewMillis;
    final MemoryRegionLog log = new MemoryRegionLog();
    final MemoryRegionCheckpoints checkpoints = new MemoryRegionCheckpoints();
    RegionDriver driver;
    boolean up;
    long downUntilTick;
    boolean pumpWanted;
    long fsyncDoneTick = -1;

    Region(String name, long skewMillis) {
      this.name = name;
      this.skewMillis = skewMillis;
    }

    void start() {
      RegionOwnerConfig config =
          RegionOwnerConfig.defaults(parameters.config(name, names), Path.of("unused"));
      driver =
          TestDrivers.start(
              config,
              log,
              checkpoints,
              () -> tick * TICK_MILLIS + skewMillis,
              () -> pumpWanted = true,
              (peer, frame) -> transmit(name, peer, frame),
              peer -> !cutLinks.contains(link(name, peer)));
      up = true;
      fsyncDoneTick = -1;
    }

    void crash() {
      driver.crash();
      int notDurable = log.notDurable();
      int written = notDurable == 0 ? 0 : random.nextInt(notDurable + 1);
      log.crash(written, random.nextDouble() < parameters.tornTailProbability());
      up = false;
      downUntilTick = tick + 1 + random.nextInt(parameters.downTicksMax());
      crashes++;
    }
  }

  DriverSimulation(Parameters parameters) {
    this.parameters = parameters;
    this.random = new SplittableRandom(parameters.seed() * 31 + 7);
    this.checkpointFailures = new SplittableRandom(parameters.seed() * 17 + 3);
    for (int i = 0; i < parameters.regionCount(); i++) {
      names.add("r" + i);
    }
    for (String name : names) {
      long skew =
          parameters.skewMillisMax() == 0
              ? 0
              : random.nextLong(-parameters.skewMillisMax(), parameters.skewMillisMax() + 1);
      regions.put(name, new Region(name, skew));
    }
    for (int i = 0; i < SESSIONS; i++) {
      sessions.add(new Session());
    }
  }

  /** The line that replays {@code seed}. */
  static String replay(long seed) {
    return "mvn -B -ntp -pl store-server -am test -Dsurefire.failIfNoSpecifiedTests=false"
        + " -Dtest=DriverSimulationTest -Ddriver.simulation.seed="
        + seed;
  }

  /**
   * Runs the seed: faults for {@code faultTicks}, then healing until every region agrees.
   *
   * @throws AssertionError naming the seed and its replay line when a property is broken
   */
  Statistics run() {
    regions.values().forEach(Region::start);
    for (; tick < parameters.faultTicks(); tick++) {
      injectFaults();
      step(true);
    }
    faults = false;
    cutLinks.clear();
    long healedBy = tick + HEAL_TICKS_MAX;
    for (; tick < healedBy && !(allUp() && converged()); tick++) {
      step(false);
    }
    check(
        allUp() && converged(),
        "L1/S2 broken: regions did not converge after healing: " + describe());
    checkCounts();
    if (!violations.isEmpty()) {
      throw new AssertionError(
          "seed "
              + parameters.seed()
              + ": "
              + violations.get(0)
              + "; replay: "
              + replay(parameters.seed()));
    }
    return new Statistics(
        tick,
        acknowledgedUpdates.size(),
        retries,
        crashes,
        sessionRefusals,
        failedCheckpoints,
        storageStops);
  }

  // ------------------------------------------------------------------ one tick

  private void step(boolean withClients) {
    for (Region region : regions.values()) {
      if (!region.up && tick >= region.downUntilTick) {
        region.start();
      }
    }
    deliverDue();
    if (withClients && random.nextDouble() < parameters.requestProbability()) {
      request();
    }
    for (Region region : regions.values()) {
      if (!region.up) {
        continue;
      }
      region.driver.tick();
      if (random.nextDouble() < parameters.checkpointProbability()) {
        checkpointAndFold(region);
      }
      finishFsync(region);
      if (region.up && region.pumpWanted) {
        region.pumpWanted = false;
        region.driver.pump();
      }
      if (region.up && region.log.groupsInFlight() > 0 && region.fsyncDoneTick < 0) {
        region.fsyncDoneTick = tick + random.nextInt(parameters.fsyncTicksMax());
      }
      if (region.up && !region.driver.open()) {
        // Its storage failed and it stopped (a checkpoint that had to be durable): restart it.
        storageStops++;
        region.crash();
      }
    }
  }

  /** S7: folding with the settled stable vector never changes what a reader sees. */
  private void checkpointAndFold(Region region) {
    if (faults && checkpointFailures.nextDouble() < parameters.checkpointFailureProbability()) {
      region.checkpoints.failNextCommit();
      failedCheckpoints++;
    }
    Map<String, Long> before = values(region);
    region.driver.checkpointAndFold();
    check(values(region).equals(before), "S7 broken: folding changed a value at " + region.name);
  }

  private Map<String, Long> values(Region region) {
    Map<String, Long> values = new HashMap<>();
    for (int k = 0; k < parameters.keyCount(); k++) {
      values.put("k" + k, readNow(region, "k" + k));
    }
    return values;
  }

  private void finishFsync(Region region) {
    if (region.fsyncDoneTick < 0 || tick < region.fsyncDoneTick) {
      return;
    }
    region.fsyncDoneTick = -1;
    if (faults && random.nextDouble() < parameters.fsyncFailureProbability()) {
      region.log.failOldestGroup();
      // The region has stopped (its storage failed): an operator restarts it.
      region.crash();
      return;
    }
    region.log.completeOldestGroup();
  }

  private void injectFaults() {
    if (random.nextDouble() < parameters.partitionChangeProbability()) {
      cutLinks.clear();
      for (String a : names) {
        for (String b : names) {
          if (a.compareTo(b) < 0 && random.nextBoolean()) {
            cutLinks.add(link(a, b));
          }
        }
      }
    }
    if (random.nextDouble() < parameters.crashProbability()) {
      Region region = regions.get(names.get(random.nextInt(names.size())));
      if (region.up) {
        region.crash();
      }
    }
  }

  // ------------------------------------------------------------------ network

  private static String link(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  private void transmit(String from, String to, byte[] frame) {
    if (faults
        && (cutLinks.contains(link(from, to))
            || random.nextDouble() < parameters.lossProbability())) {
      return;
    }
    int copies = faults && random.nextDouble() < parameters.duplicateProbability() ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long at = tick + 1 + random.nextInt(parameters.latencyTicksMax());
      network.add(new Message(at, messageOrder++, from, to, frame.clone()));
    }
  }

  private void deliverDue() {
    while (!network.isEmpty() && network.peek().tick() <= tick) {
      Message message = network.poll();
      Region to = regions.get(message.to());
      if (to.up && !(faults && cutLinks.contains(link(message.from(), message.to())))) {
        to.driver.receiveFrame(message.bytes());
      }
    }
  }

  // ------------------------------------------------------------------ clients

  private void request() {
    Session session = sessions.get(random.nextInt(sessions.size()));
    Region region = regions.get(names.get(random.nextInt(names.size())));
    if (!region.up) {
      return;
    }
    String key = "k" + random.nextInt(parameters.keyCount());
    long waitMillis = new long[] {0, 50, 300}[random.nextInt(3)];
    VersionVector required = session.written.merge(session.read);
    if (random.nextBoolean()) {
      read(session, region, key, required, waitMillis);
    } else {
      write(session, region, key, required, waitMillis);
    }
  }

  private void write(
      Session session, Region region, String key, VersionVector required, long waitMillis) {
    String id;
    if (!keyOfUpdate.isEmpty() && random.nextDouble() < parameters.retryProbability()) {
      List<String> ids = new ArrayList<>(keyOfUpdate.keySet());
      ids.sort(null);
      id = ids.get(random.nextInt(ids.size()));
      key = keyOfUpdate.get(id);
      retries++;
    } else {
      id = "u" + nextUpdate++;
      keyOfUpdate.put(id, key);
    }
    String writtenKey = key;
    CompletableFuture<RegionResult> answer =
        region.driver.write(
            List.of(new UpdateRequest(name(key), increment(), id, null)), required, waitMillis);
    answer.whenComplete(
        (result, error) -> {
          if (error != null) {
            sessionRefusals++;
            return;
          }
          session.written = session.written.merge(result.vector());
          if (acknowledgedUpdates.add(id)) {
            session.ownAcknowledged.merge(writtenKey, 1L, Long::sum);
          }
        });
  }

  private void read(
      Session session, Region region, String key, VersionVector required, long waitMillis) {
    // What the token held when the read was sent: later answers to the session do not count.
    long own = session.ownAcknowledged.getOrDefault(key, 0L);
    long before = session.lastRead.getOrDefault(key, 0L);
    CompletableFuture<RegionResult> answer =
        region.driver.read(List.of(name(key)), required, waitMillis);
    answer.whenComplete(
        (result, error) -> {
          if (error != null) {
            sessionRefusals++;
            return;
          }
          long value = counter(result.objects().get(0));
          check(
              value >= own,
              "S5 (RYW) broken: " + key + " read " + value + ", the session wrote " + own);
          check(value >= before, "S5 (MR) broken: " + key + " read " + value + " after " + before);
          session.lastRead.merge(key, value, Math::max);
          session.read = session.read.merge(result.vector());
        });
  }

  private static ObjectName name(String key) {
    return new ObjectName("b", key);
  }

  private static Operation increment() {
    try {
      return CrdtRegistry.parseUpdate(
          JSON.readTree("{\"type\":\"g-counter\",\"op\":\"increment\"}"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long counter(RegionObject object) {
    return object.found() ? object.type().value(object.state()).asLong() : 0;
  }

  // ------------------------------------------------------------------ checks

  private boolean allUp() {
    for (Region region : regions.values()) {
      if (!region.up) {
        return false;
      }
    }
    return true;
  }

  private boolean converged() {
    VersionVector first = null;
    for (Region region : regions.values()) {
      if (region.log.groupsInFlight() > 0) {
        return false;
      }
      VersionVector applied = region.driver.appliedVector();
      if (first == null) {
        first = applied;
      } else if (!first.equals(applied)) {
        return false;
      }
    }
    return valuesEverywhereEqual();
  }

  private boolean valuesEverywhereEqual() {
    for (int k = 0; k < parameters.keyCount(); k++) {
      Long value = null;
      for (Region region : regions.values()) {
        long here = readNow(region, "k" + k);
        if (value != null && value != here) {
          return false;
        }
        value = here;
      }
    }
    return true;
  }

  private long readNow(Region region, String key) {
    return counter(
        region.driver.read(List.of(name(key)), VersionVector.empty(), 0).join().objects().get(0));
  }

  private void checkCounts() {
    Map<String, Long> acknowledged = new HashMap<>();
    Map<String, Long> issued = new HashMap<>();
    for (Map.Entry<String, String> update : keyOfUpdate.entrySet()) {
      issued.merge(update.getValue(), 1L, Long::sum);
      if (acknowledgedUpdates.contains(update.getKey())) {
        acknowledged.merge(update.getValue(), 1L, Long::sum);
      }
    }
    Region any = regions.values().iterator().next();
    for (int k = 0; k < parameters.keyCount(); k++) {
      String key = "k" + k;
      long value = readNow(any, key);
      long least = acknowledged.getOrDefault(key, 0L);
      long most = issued.getOrDefault(key, 0L);
      check(
          value >= least,
          "S3 broken: " + key + " counts " + value + ", " + least + " acknowledged");
      check(
          value <= most,
          "S4 broken: " + key + " counts " + value + ", only " + most + " ids issued");
    }
  }

  private String describe() {
    StringBuilder text = new StringBuilder();
    for (Region region : regions.values()) {
      text.append(region.name)
          .append(region.up ? " up" : " down")
          .append(" open=")
          .append(region.up && region.driver.open())
          .append(" applied=")
          .append(region.up ? region.driver.appliedVector() : "-")
          .append(" groupsInFlight=")
          .append(region.log.groupsInFlight())
          .append(" status=")
          .append(region.up ? region.driver.status() : "-");
      if (region.up) {
        for (int k = 0; k < parameters.keyCount(); k++) {
          RegionObject object =
              region
                  .driver
                  .read(List.of(name("k" + k)), VersionVector.empty(), 0)
                  .join()
                  .objects()
                  .get(0);
          text.append(" k").append(k).append('=').append(object.state());
        }
      }
      text.append("; ");
    }
    return text.toString();
  }

  private void check(boolean holds, String violation) {
    if (!holds) {
      violations.add(violation + " (tick " + tick + ")");
    }
  }
}
