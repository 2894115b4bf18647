package io.meridian.server.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.ClientSequence;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtType;
import io.meridian.replication.LogEntry;
import io.meridian.replication.LogRecordCodec;
import io.meridian.replication.ReplicaCore;
import io.meridian.replication.ReplicationConfig;
import io.meridian.replication.ReplicationMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
 * <p>Clients are sessions that ask for every guarantee, and clients that number their updates
 * ({@code client}/{@code seq}, one at a time, retried after a 503, a crash or a timeout). They send
 * the {@link DriverWorkload}'s requests: every type, single updates and batches, operation ids and
 * their retries at any region, snapshot reads of several keys. Checked during the run:
 *
 * <ul>
 *   <li>S1, on every snapshot a region shows (client reads, and a read of every key before each
 *       write): every update id shown was made by a client, at every key its write updated (a batch
 *       is all or nothing), with every id its write's region showed when it was made.
 *   <li>S5: a session's read shows its own acknowledged writes and every id and count it read
 *       before.
 *   <li>S6: every entry's HLC (read from the disks) is above the HLCs of its dependencies; an
 *       lww-register never shows an assignment that a visible assignment causally follows.
 *   <li>The settled vector's promise: when a region's settled vector moves, every entry prepared on
 *       a state lacking part of it is applied there; stable never runs past any region's disk.
 *   <li>One entry per dot: every disk holds the same bytes for an {@code (origin, seq)}.
 *   <li>S7: folding (at every checkpoint) changes no value, and the folded state absorbs the
 *       unfolded.
 *   <li>Bounds: delivery buffer, log entries per origin, frame bytes, operation ids, pending
 *       writes.
 * </ul>
 *
 * <p>After healing: L1 and S2 (every region applied the same vector and shows the same values), the
 * settled vector reaches the applied one everywhere and the full fold leaves equal states (S7, S2),
 * S3 (every acknowledged g-counter increment counts) and S4 (no increment counts twice, whether
 * retried with an operation id or a client sequence).
 */
final class DriverSimulation {
  private static final long TICK_MILLIS = 10;
  private static final int HEAL_TICKS_MAX = 6_000;
  private static final int SESSIONS = 4;
  private static final int SEQUENCED_CLIENTS = 3;
  private static final int REMEMBERED_WRITES_MAX = 64;

  /**
   * A sequenced client that has waited this long for an answer times out and sends the same update
   * again, anywhere (the contract allows it; the first attempt may still be answered).
   */
  private static final int SEQUENCED_TIMEOUT_TICKS = 5;

  private final DriverParameters parameters;
  private final SplittableRandom random;

  /** Draws checkpoint failures apart from {@link #random}. */
  private final SplittableRandom checkpointFailures;

  /** Draws backward jumps of the regions' clocks apart from {@link #random}. */
  private final SplittableRandom clockJumps;

  private final DriverWorkload workload;
  private final List<String> names = new ArrayList<>();
  private final Map<String, Region> regions = new LinkedHashMap<>();
  private final PriorityQueue<Message> network =
      new PriorityQueue<>(
          (a, b) ->
              a.tick != b.tick ? Long.compare(a.tick, b.tick) : Long.compare(a.order, b.order));
  private final Set<String> cutLinks = new HashSet<>();
  private final List<Session> sessions = new ArrayList<>();
  private final List<String> keys = new ArrayList<>();
  private final Map<String, String> types = new LinkedHashMap<>();
  private final List<ObjectName> allNames = new ArrayList<>();
  private final List<DriverWorkload.Write> writes = new ArrayList<>();
  private final List<DriverWorkload.Write> remembered = new ArrayList<>();

  /** Per key: the ids of the writes that add theirs there. */
  private final Map<String, BitSet> idsFor = new HashMap<>();

  /** Per lww-register key: the ids of the writes that assign it. */
  private final Map<String, BitSet> assignersOf = new HashMap<>();

  /** What each entry was prepared on (its dependencies), until every disk holds it. */
  private final Map<Dot, VersionVector> preparedOn = new HashMap<>();

  private final Map<Dot, byte[]> entryBytes = new HashMap<>();
  private final Map<Dot, Long> entryHlc = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final DriverStatistics statistics = new DriverStatistics();
  private long tick;
  private long messageOrder;
  private boolean faults = true;

  private record Message(long tick, long order, String from, String to, byte[] bytes) {}

  /**
   * A client with a session token that asks for every guarantee; a sequenced one numbers its
   * updates and sends the next only once the last has an answer.
   */
  private static final class Session {
    final String client;
    VersionVector written = VersionVector.empty();
    VersionVector read = VersionVector.empty();
    final BitSet ownIds = new BitSet();
    final Map<String, BitSet> seenIds = new HashMap<>();
    final Map<String, Long> ownIncrements = new HashMap<>();
    final Map<String, Long> lastRead = new HashMap<>();
    long sequence;

    /** The sequenced client's write without an answer yet, and where its last attempt went. */
    DriverWorkload.Write outstanding;

    CompletableFuture<RegionResult> attempt;
    Region attemptRegion;
    int attemptIncarnation;
    long attemptTick;

    Session(String client) {
      this.client = client;
    }

    VersionVector required() {
      return written.merge(read);
    }
  }

  /** One region: its disk outlives its driver across crashes. */
  private final class Region {
    final String name;
    long skewMillis;
    final MemoryRegionLog log = new MemoryRegionLog();
    final MemoryRegionCheckpoints checkpoints = new MemoryRegionCheckpoints();
    RegionDriver driver;
    RegionOwnerConfig config;
    boolean up;
    long downUntilTick;
    boolean pumpWanted;
    long fsyncDoneTick = -1;
    int incarnation;

    /** The entries of the log on disk, per origin (checkpoints cover the rest). */
    VersionVector logVector = VersionVector.empty();

    VersionVector checkedSettled = VersionVector.empty();

    /** What clients were told is durable here: the vectors of the answers to writes. */
    VersionVector acknowledged = VersionVector.empty();

    /** What reads here showed since the last start: the vectors their tokens carry. */
    VersionVector shown = VersionVector.empty();

    /** What the region held when it last started (disk and checkpoint). */
    VersionVector restartedWith = VersionVector.empty();

    Region(String name, long skewMillis) {
      this.name = name;
      this.skewMillis = skewMillis;
      log.observeDurable(bytes -> durable(this, bytes));
    }

    void start() {
      config =
          RegionOwnerConfig.defaults(parameters.config(name, names), Path.of("unused"))
              .withRemoteVisibleBeforeFsync(parameters.remoteVisibleBeforeFsync())
              .withStateMemory(parameters.stateCacheBytes(), parameters.changedKeysMax());
      driver =
          TestDrivers.start(
              config,
              log,
              checkpoints,
              () -> tick * TICK_MILLIS + skewMillis,
              () -> pumpWanted = true,
              (peer, frame) -> transmit(this, peer, frame),
              peer -> !cutLinks.contains(link(name, peer)));
      // S3: back with everything its disk holds and everything it acknowledged.
      VersionVector applied = driver.appliedVector();
      check(
          applied.dominates(diskVector()) && applied.dominates(acknowledged),
          "S3 broken: "
              + name
              + " restarted with "
              + applied
              + ", its disk holds "
              + diskVector()
              + ", it acknowledged "
              + acknowledged);
      restartedWith = applied;
      shown = VersionVector.empty();
      up = true;
      incarnation++;
      fsyncDoneTick = -1;
      checkedSettled = VersionVector.empty();
    }

    void crash() {
      statistics.addCore(driver.core().metrics());
      statistics.keyStoreReads += driver.keyStoreReads();
      driver.crash();
      int notDurable = log.notDurable();
      int written = notDurable == 0 ? 0 : random.nextInt(notDurable + 1);
      log.crash(written, random.nextDouble() < parameters.tornTailProbability());
      if (!diskVector().dominates(shown)) {
        // Its reads handed out tokens naming entries its disk lost: they must still be honoured.
        statistics.crashesAfterUnsyncedShow++;
      }
      up = false;
      downUntilTick = tick + 1 + random.nextInt(parameters.downTicksMax());
      statistics.crashes++;
    }

    VersionVector diskVector() {
      return checkpoints
          .lastCheckpoint()
          .map(checkpoint -> checkpoint.appliedVector().merge(logVector))
          .orElse(logVector);
    }
  }

  /**
   * The context expiry T of this seed's run, drawn apart from everything else so that the other
   * draws stay as they were: mostly short enough (20 ms to 2 s of simulated time) that map field
   * counters sum their increments and removes with old reads are refused within a run.
   */
  private final long contextExpiryMillis;

  DriverSimulation(DriverParameters parameters) {
    this.parameters = parameters;
    long[] expiries = {20, 200, 2_000, CrdtRegistry.CONTEXT_EXPIRY_MILLIS_DEFAULT};
    this.contextExpiryMillis =
        expiries[new SplittableRandom(parameters.seed() ^ 0x510E527FADE682D1L).nextInt(4)];
    this.random = new SplittableRandom(parameters.seed() * 31 + 7);
    this.checkpointFailures = new SplittableRandom(parameters.seed() * 17 + 3);
    this.clockJumps = new SplittableRandom(parameters.seed() * 19 + 1);
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
      sessions.add(new Session(null));
    }
    for (int i = 0; i < SEQUENCED_CLIENTS; i++) {
      sessions.add(new Session("client-" + i));
    }
    for (int k = 0; k < parameters.keyCount(); k++) {
      String key = "k" + k;
      keys.add(key);
      types.put(
          key,
          DriverWorkload.TYPE_NAMES.get(
              (k + parameters.typeRotation()) % DriverWorkload.TYPE_NAMES.size()));
    }
    types.put(DriverWorkload.JOURNAL, "g-set");
    for (String key : types.keySet()) {
      allNames.add(name(key));
      idsFor.put(key, new BitSet());
      assignersOf.put(key, new BitSet());
    }
    workload =
        new DriverWorkload(
            new SplittableRandom(parameters.seed() * 13 + 5),
            keys,
            types,
            parameters.batchProbability(),
            parameters.operationIdProbability());
    workload.sendStaleContexts(new SplittableRandom(parameters.seed() ^ 0x9B05688C2B3E6C1FL));
  }

  /** The line that replays {@code seed}. */
  static String replay(long seed) {
    return "mvn -B -ntp -pl store-server -am test -Dsurefire.failIfNoSpecifiedTests=false"
        + " -Dtest=DriverSimulationTest -Ddriver.simulation.seed="
        + seed;
  }

  /**
   * Runs the seed: faults for {@code faultTicks}, then healing until every region agrees, then the
   * full fold.
   *
   * @throws AssertionError naming the seed and its replay line when a property is broken
   */
  DriverStatistics run() {
    long expiryBefore = CrdtRegistry.contextExpiryMillis();
    CrdtRegistry.configureContextExpiryMillis(contextExpiryMillis);
    try {
      return runWithContextExpiry();
    } finally {
      CrdtRegistry.configureContextExpiryMillis(expiryBefore);
    }
  }

  private DriverStatistics runWithContextExpiry() {
    regions.values().forEach(Region::start);
    for (; tick < parameters.faultTicks() && violations.isEmpty(); tick++) {
      injectFaults();
      step(true);
    }
    faults = false;
    cutLinks.clear();
    long healedBy = tick + HEAL_TICKS_MAX;
    for (; tick < healedBy && !(allUp() && converged()) && violations.isEmpty(); tick++) {
      step(false);
    }
    if (violations.isEmpty()) {
      check(
          allUp() && converged(),
          "L1/S2 broken: regions did not converge after healing: " + describe());
    }
    if (violations.isEmpty()) {
      checkCounts();
      for (Region region : regions.values()) {
        checkSnapshot(region, snapshot(region));
      }
      checkFullFold();
    }
    if (!violations.isEmpty()) {
      throw new AssertionError(
          "seed "
              + parameters.seed()
              + ": "
              + violations.get(0)
              + "; replay: "
              + replay(parameters.seed()));
    }
    for (Region region : regions.values()) {
      statistics.addCore(region.driver.core().metrics());
      statistics.keyStoreReads += region.driver.keyStoreReads();
    }
    statistics.seeds = 1;
    statistics.ticks = tick;
    statistics.writes = writes.size();
    for (DriverWorkload.Write write : writes) {
      statistics.acknowledged += write.acknowledged ? 1 : 0;
    }
    return statistics;
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
        statistics.storageStops++;
        region.crash();
      }
      if (region.up) {
        checkCore(region);
      }
    }
  }

  /** S7: folding with the settled stable vector never changes what a reader sees. */
  private void checkpointAndFold(Region region) {
    if (faults && checkpointFailures.nextDouble() < parameters.checkpointFailureProbability()) {
      region.checkpoints.failNextCommit();
      statistics.checkpointFailures++;
    }
    List<RegionObject> before = readNow(region);
    region.driver.checkpointAndFold();
    if (!region.driver.open()) {
      return;
    }
    List<RegionObject> after = readNow(region);
    for (int i = 0; i < before.size(); i++) {
      checkFold(region, before.get(i), after.get(i));
    }
  }

  private void checkFold(Region region, RegionObject before, RegionObject after) {
    if (!before.found()) {
      return;
    }
    CrdtType type = before.type();
    if (!after.found() || !type.value(after.state()).equals(type.value(before.state()))) {
      check(false, "S7 broken: folding changed " + before.name() + " at " + region.name);
      return;
    }
    if (!type.join(after.state(), before.state()).equals(after.state())) {
      check(false, "S7 broken: " + before.name() + " at " + region.name + " not below its fold");
    }
    if (!after.state().equals(before.state())) {
      statistics.foldsThatChangedAState++;
    }
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
    if (clockJumps.nextDouble() < parameters.backwardJumpProbability()) {
      // NTP steps a clock back: the HLC must stay monotonic and above what it has seen.
      Region region = regions.get(names.get(clockJumps.nextInt(names.size())));
      region.skewMillis -= 1 + clockJumps.nextInt(2_000);
    }
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

  private void transmit(Region from, String to, byte[] frame) {
    int frameBytesMax = from.config.replication().frameBytesMax();
    check(
        frame.length <= frameBytesMax,
        "bounds broken: " + from.name + " sent a frame of " + frame.length + " bytes");
    if (faults
        && (cutLinks.contains(link(from.name, to))
            || random.nextDouble() < parameters.lossProbability())) {
      return;
    }
    int copies = faults && random.nextDouble() < parameters.duplicateProbability() ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long at = tick + 1 + random.nextInt(parameters.latencyTicksMax());
      network.add(new Message(at, messageOrder++, from.name, to, frame.clone()));
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

  // ------------------------------------------------------------------ the disks

  /**
   * A record reached {@code region}'s disk: one entry per dot everywhere, and the entry's HLC above
   * those of its dependencies (S6).
   */
  private void durable(Region region, byte[] bytes) {
    LogEntry entry = LogRecordCodec.decode(bytes);
    Dot dot = entry.dot();
    region.logVector =
        region.logVector.with(
            dot.replica(), Math.max(dot.counter(), region.logVector.get(dot.replica())));
    byte[] known = entryBytes.putIfAbsent(dot, bytes);
    if (known != null) {
      check(
          Arrays.equals(known, bytes),
          "S2 broken: "
              + region.name
              + "'s disk holds another entry "
              + dot
              + " than another disk");
      return;
    }
    entryHlc.put(dot, entry.hlc());
    preparedOn.put(dot, entry.deps());
    for (String origin : names) {
      long seq = entry.deps().get(origin);
      Long hlc = seq == 0 ? null : entryHlc.get(new Dot(origin, seq));
      check(
          hlc == null || hlc < entry.hlc(),
          "S6 broken: " + entry + " has an HLC not above its dependency " + origin + ":" + seq);
    }
  }

  // ------------------------------------------------------------------ clients

  private void request() {
    Session session = sessions.get(random.nextInt(sessions.size()));
    Region region = regions.get(names.get(random.nextInt(names.size())));
    if (!region.up || !region.driver.open()) {
      return;
    }
    long waitMillis = new long[] {0, 50, 300}[random.nextInt(3)];
    if (session.client != null) {
      sequencedWrite(session, region, waitMillis);
    } else if (random.nextBoolean()) {
      read(session, region, waitMillis);
    } else {
      write(session, region, waitMillis);
    }
  }

  private void write(Session session, Region region, long waitMillis) {
    DriverWorkload.Write write;
    if (!remembered.isEmpty() && random.nextDouble() < parameters.retryProbability()) {
      write = remembered.get(random.nextInt(remembered.size()));
      statistics.retries++;
    } else {
      write = newWrite(region, null);
      if (write == null) {
        return;
      }
      if (write.body.has("id")) {
        if (remembered.size() == REMEMBERED_WRITES_MAX) {
          remembered.remove(0);
        }
        remembered.add(write);
      }
    }
    send(session, region, write, waitMillis);
  }

  /** A client that numbers its updates: a new one once the last is answered, else a retry. */
  private void sequencedWrite(Session session, Region region, long waitMillis) {
    if (session.outstanding != null) {
      CompletableFuture<RegionResult> attempt = session.attempt;
      boolean noAnswer =
          attempt.isCompletedExceptionally()
              || !session.attemptRegion.up
              || session.attemptRegion.incarnation != session.attemptIncarnation
              || tick - session.attemptTick > SEQUENCED_TIMEOUT_TICKS;
      if (!noAnswer) {
        return;
      }
      statistics.sequencedRetries++;
      send(session, region, session.outstanding, waitMillis);
      return;
    }
    session.sequence++;
    DriverWorkload.Write write =
        newWrite(region, new ClientSequence(session.client, session.sequence));
    if (write == null) {
      return;
    }
    session.outstanding = write;
    send(session, region, write, waitMillis);
  }

  private DriverWorkload.Write newWrite(Region region, ClientSequence sequence) {
    Map<String, JsonNode> shown = new HashMap<>();
    for (RegionObject object : readNow(region)) {
      shown.put(object.name().key(), RegionHttpService.render(object));
    }
    DriverWorkload.Write write = workload.next(writes.size(), shown, sequence);
    writes.add(write);
    for (String key : write.idKeys) {
      idsFor.get(key).set(write.number);
    }
    for (String key : write.lwwKeys) {
      assignersOf.get(key).set(write.number);
    }
    return write;
  }

  private void send(Session session, Region region, DriverWorkload.Write write, long waitMillis) {
    // The ids the region shows now are in the causal past of the entry the write makes.
    Map<String, RegionObject> snapshot = snapshot(region);
    BitSet shown = checkSnapshot(region, snapshot);
    if (write.attempts > 0 && write.body.has("id") && !write.idKeys.isEmpty()) {
      if (shown.get(write.number)) {
        statistics.retriesWhereApplied++;
      } else {
        statistics.retriesWhereNotApplied++;
      }
    }
    if (write.attempts > 0 && session.client != null && shown.get(write.number)) {
      // Answered by the id's record in the state or, once folded, by the client's mark (S4).
      statistics.sequencedRetriesWhereApplied++;
    }
    write.attempt(shown);
    List<UpdateRequest> updates = DriverWorkload.parse(write);
    CompletableFuture<RegionResult> answer =
        region.driver.write(updates, session.required(), waitMillis);
    if (session.client != null) {
      session.attempt = answer;
      session.attemptRegion = region;
      session.attemptIncarnation = region.incarnation;
      session.attemptTick = tick;
    }
    answer.whenComplete(
        (result, error) -> {
          if (error != null) {
            if (DriverWorkload.answered(error)) {
              statistics.clientErrors++;
              if (DriverWorkload.contextExpired(error)) {
                statistics.contextExpired++;
              }
              if (session.outstanding == write) {
                session.outstanding = null;
              }
            } else {
              statistics.sessionRefusals++;
            }
            return;
          }
          if (session.outstanding == write) {
            session.outstanding = null;
          }
          session.written = session.written.merge(result.vector());
          region.acknowledged = region.acknowledged.merge(result.vector());
          write.acknowledged = true;
          if (!session.ownIds.get(write.number)) {
            // Counted once per write and session, however often it was retried.
            session.ownIds.set(write.number);
            for (String key : write.counterKeys) {
              session.ownIncrements.merge(key, 1L, Long::sum);
            }
          }
        });
  }

  /** A snapshot read of some keys (sometimes every key) with the session's token. */
  private void read(Session session, Region region, long waitMillis) {
    List<ObjectName> read = new ArrayList<>();
    if (random.nextDouble() < parameters.snapshotAllProbability()) {
      read.addAll(allNames);
    } else {
      for (ObjectName name : allNames) {
        if (random.nextInt(3) == 0) {
          read.add(name);
        }
      }
      if (read.isEmpty()) {
        read.add(allNames.get(random.nextInt(allNames.size())));
      }
    }
    // What the token held when the read was sent: later answers to the session do not count.
    BitSet own = (BitSet) session.ownIds.clone();
    Map<String, BitSet> seen = new HashMap<>();
    Map<String, Long> ownCounts = new HashMap<>();
    Map<String, Long> before = new HashMap<>();
    for (ObjectName name : read) {
      String key = name.key();
      seen.put(key, (BitSet) session.seenIds.getOrDefault(key, new BitSet()).clone());
      ownCounts.put(key, session.ownIncrements.getOrDefault(key, 0L));
      before.put(key, session.lastRead.getOrDefault(key, 0L));
    }
    VersionVector required = session.required();
    int incarnation = region.incarnation;
    CompletableFuture<RegionResult> answer = region.driver.read(read, required, waitMillis);
    answer.whenComplete(
        (result, error) -> {
          if (error != null) {
            statistics.sessionRefusals++;
            return;
          }
          checkToken(region, incarnation, required, result.vector());
          Map<String, RegionObject> objects = new LinkedHashMap<>();
          for (RegionObject object : result.objects()) {
            objects.put(object.name().key(), object);
          }
          checkSnapshot(region, objects);
          for (RegionObject object : result.objects()) {
            checkSession(session, object, own, seen, ownCounts, before);
          }
          session.read = session.read.merge(result.vector());
        });
  }

  /**
   * S5 for the token itself: a read answers with a vector at or above the token it was sent with,
   * also at a region that crashed after showing entries its disk had not yet (they come back from
   * their origin first, or the read waits or is refused); and nothing a read shows is on no disk.
   * Counts the reads that showed what the region's disk did not hold, and those served only after a
   * region got back what it had lost.
   */
  private void checkToken(
      Region region, int incarnation, VersionVector required, VersionVector answered) {
    check(
        answered.dominates(required),
        "S5 broken: "
            + region.name
            + " answered a read with "
            + answered
            + ", below its token "
            + required);
    if (region.incarnation != incarnation || !region.up) {
      return;
    }
    VersionVector onSomeDisk = VersionVector.empty();
    for (Region any : regions.values()) {
      onSomeDisk = onSomeDisk.merge(any.diskVector());
    }
    // Shown before its own fsync only if it is on another disk already (its origin's).
    check(
        onSomeDisk.dominates(answered),
        "S3 broken: "
            + region.name
            + " showed "
            + answered
            + ", beyond every disk ("
            + onSomeDisk
            + ")");
    if (!region.diskVector().dominates(answered)) {
      statistics.readsShowingUnsynced++;
    }
    if (region.incarnation > 1 && !region.restartedWith.dominates(required)) {
      statistics.readsServedAfterRefetch++;
    }
    region.shown = region.shown.merge(answered);
  }

  /** S5: read your writes and monotonic reads, for ids and for g-counter counts. */
  private void checkSession(
      Session session,
      RegionObject object,
      BitSet own,
      Map<String, BitSet> seen,
      Map<String, Long> ownCounts,
      Map<String, Long> before) {
    String key = object.name().key();
    String type = types.get(key);
    if (DriverWorkload.keepsIds(type)) {
      BitSet shown = ids(object);
      BitSet missing = (BitSet) own.clone();
      missing.and(idsFor.get(key));
      missing.andNot(shown);
      check(
          missing.isEmpty(),
          "S5 (RYW) broken: " + key + " lacks the session's own u" + missing.nextSetBit(0));
      missing = (BitSet) seen.get(key).clone();
      missing.andNot(shown);
      check(
          missing.isEmpty(),
          "S5 (MR) broken: " + key + " lacks u" + missing.nextSetBit(0) + ", read before");
      session.seenIds.computeIfAbsent(key, k -> new BitSet()).or(shown);
    } else if (type.equals("g-counter")) {
      long value = object.found() ? object.type().value(object.state()).asLong() : 0;
      long ownCount = ownCounts.get(key);
      long earlier = before.get(key);
      check(
          value >= ownCount,
          "S5 (RYW) broken: " + key + " read " + value + ", the session wrote " + ownCount);
      check(value >= earlier, "S5 (MR) broken: " + key + " read " + value + " after " + earlier);
      session.lastRead.merge(key, value, Math::max);
    }
  }

  private static ObjectName name(String key) {
    return new ObjectName("b", key);
  }

  // ------------------------------------------------------------------ checks

  /**
   * S1 and S6 on what {@code region} shows at once ({@code objects}, some or all keys): every id
   * shown was made, is shown at every key its write added it to, and comes with the ids its write's
   * region showed; an lww-register shows no assignment that a shown one causally follows. Returns
   * every id shown.
   */
  private BitSet checkSnapshot(Region region, Map<String, RegionObject> objects) {
    statistics.snapshotChecks++;
    BitSet shown = new BitSet();
    Map<String, BitSet> shownAt = new HashMap<>();
    for (RegionObject object : objects.values()) {
      String key = object.name().key();
      String type = types.get(key);
      BitSet here = ids(object);
      if (DriverWorkload.keepsIds(type)) {
        shownAt.put(key, here);
        shown.or(here);
      } else if (DriverWorkload.showsAssignedIds(type)) {
        shown.or(here);
      }
    }
    BitSet past = new BitSet();
    for (int id = shown.nextSetBit(0); id >= 0; id = shown.nextSetBit(id + 1)) {
      if (id >= writes.size()) {
        check(false, "S1 broken: " + region.name + " shows u" + id + ", which no client made");
        return shown;
      }
      DriverWorkload.Write write = writes.get(id);
      for (String key : write.idKeys) {
        BitSet at = shownAt.get(key);
        check(
            at == null || at.get(id),
            "S1 broken: " + region.name + " shows part of the write u" + id + ", not at " + key);
      }
      past.or(write.past);
    }
    for (Map.Entry<String, BitSet> at : shownAt.entrySet()) {
      BitSet missing = (BitSet) past.clone();
      missing.and(idsFor.get(at.getKey()));
      missing.andNot(at.getValue());
      if (!missing.isEmpty()) {
        int lacking = missing.nextSetBit(0);
        check(
            false,
            "S1 broken: "
                + region.name
                + " shows "
                + causedBy(shown, lacking)
                + " without u"
                + lacking
                + " of its causal past at "
                + at.getKey());
      }
    }
    for (RegionObject object : objects.values()) {
      String key = object.name().key();
      if (types.get(key).equals("lww-register") && object.found()) {
        checkAssignment(region, key, ids(object), shown);
      }
    }
    return shown;
  }

  /** S6: the register shows {@code held}; no shown assignment of it causally follows that one. */
  private void checkAssignment(Region region, String key, BitSet held, BitSet shown) {
    int value = held.nextSetBit(0);
    if (value < 0 || value >= writes.size() || writes.get(value).attempts != 1) {
      // Copies of a retried assignment may be concurrent with the later one: no claim.
      return;
    }
    BitSet later = (BitSet) assignersOf.get(key).clone();
    later.and(shown);
    for (int id = later.nextSetBit(0); id >= 0; id = later.nextSetBit(id + 1)) {
      check(
          id == value || !writes.get(id).past.get(value),
          "S6 broken: "
              + region.name
              + " "
              + key
              + " holds u"
              + value
              + " but u"
              + id
              + " assigned it after");
    }
  }

  private String causedBy(BitSet shown, int lacking) {
    for (int id = shown.nextSetBit(0); id >= 0; id = shown.nextSetBit(id + 1)) {
      if (writes.get(id).past.get(lacking)) {
        return "u" + id;
      }
    }
    return "an id";
  }

  private static BitSet ids(RegionObject object) {
    return object.found() ? DriverWorkload.ids(object.type().value(object.state())) : new BitSet();
  }

  /** After each step: stability, the settled vector's promise and the bounds. */
  private void checkCore(Region region) {
    ReplicaCore core = region.driver.core();
    VersionVector stable = core.stableVector();
    for (Region other : regions.values()) {
      check(
          other.diskVector().dominates(stable),
          "S7 broken: "
              + region.name
              + " holds stable "
              + stable
              + " beyond "
              + other.name
              + "'s disk");
    }
    checkSettled(region, core);
    ReplicationConfig replication = region.config.replication();
    ReplicationMetrics metrics = core.metrics();
    check(
        metrics.rejectedFramesTotal() == 0,
        "bounds broken: " + region.name + " rejected an honest frame: " + metrics.rejectedFrames());
    long buffered = metrics.deliveryBufferEntries();
    check(
        buffered <= replication.deliveryBufferEntriesMax(),
        "bounds broken: " + region.name + " buffers " + buffered + " entries");
    for (String origin : names) {
      check(
          core.logEntries(origin) <= replication.logEntriesPerOriginMax(),
          "bounds broken: " + region.name + " logs " + core.logEntries(origin) + " of " + origin);
    }
    check(
        region.driver.operationIdsHeld() <= region.config.operationIdsMax(),
        "bounds broken: " + region.name + " holds " + region.driver.operationIdsHeld() + " ids");
    check(
        region.driver.pendingWriteCount() <= region.config.pendingWritesMax(),
        "bounds broken: " + region.name + " has " + region.driver.pendingWriteCount() + " writes");
  }

  /**
   * The settled vector's promise: when a region's settled vector moves, every entry prepared on a
   * state lacking part of it is applied there already. Entries on every disk leave the check.
   */
  private void checkSettled(Region region, ReplicaCore core) {
    VersionVector settled = core.settledStableVector();
    if (settled.equals(region.checkedSettled)) {
      return;
    }
    region.checkedSettled = settled;
    VersionVector applied = core.appliedVector();
    check(
        applied.dominates(settled),
        "S7 broken: " + region.name + " settled " + settled + " beyond what it applied");
    VersionVector everywhere = null;
    for (Region other : regions.values()) {
      everywhere = everywhere == null ? other.diskVector() : everywhere.meet(other.diskVector());
    }
    Iterator<Map.Entry<Dot, VersionVector>> iterator = preparedOn.entrySet().iterator();
    while (iterator.hasNext()) {
      Map.Entry<Dot, VersionVector> entry = iterator.next();
      if (everywhere.contains(entry.getKey())) {
        iterator.remove();
      } else if (!entry.getValue().dominates(settled) && !applied.contains(entry.getKey())) {
        check(
            false,
            "settled promise broken: "
                + region.name
                + " settled "
                + settled
                + " before applying "
                + entry.getKey()
                + ", prepared on "
                + entry.getValue());
      }
    }
  }

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
    List<JsonNode> first = null;
    for (Region region : regions.values()) {
      List<JsonNode> values = new ArrayList<>();
      for (RegionObject object : readNow(region)) {
        values.add(object.found() ? object.type().value(object.state()) : null);
      }
      if (first == null) {
        first = values;
      } else if (!first.equals(values)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Once everything is stable, the settled vector reaches the applied one everywhere; folding with
   * it keeps every value and leaves equal states at every region (S7, S2).
   */
  private void checkFullFold() {
    long until = tick + 20L * parameters.heartbeatIntervalTicks() + 100;
    boolean allSettled = false;
    for (; tick < until && !allSettled; tick++) {
      step(false);
      allSettled = true;
      for (Region region : regions.values()) {
        ReplicaCore core = region.driver.core();
        allSettled &= core.settledStableVector().equals(core.appliedVector());
      }
    }
    check(allSettled, "S7 liveness broken: settled vectors did not reach the applied ones");
    List<RegionObject> first = null;
    for (Region region : regions.values()) {
      List<RegionObject> before = readNow(region);
      region.driver.checkpointAndFold();
      List<RegionObject> after = readNow(region);
      for (int i = 0; i < before.size(); i++) {
        checkFold(region, before.get(i), after.get(i));
      }
      // The driver folds a key only until it covers the key's last change, so a key's context may
      // stop at different stable vectors at different regions; folded once more with the one
      // settled vector (equal everywhere now), the states must be equal bytes.
      VersionVector settled = region.driver.core().settledStableVector();
      after = after.stream().map(object -> foldedWith(object, settled)).toList();
      if (first == null) {
        first = after;
      } else {
        for (int i = 0; i < after.size(); i++) {
          check(
              equalStates(first.get(i), after.get(i)),
              "S2 broken: after the full fold "
                  + after.get(i).name()
                  + " differs at "
                  + region.name
                  + ": "
                  + after.get(i).state()
                  + " vs "
                  + first.get(i).state());
        }
      }
    }
  }

  private static RegionObject foldedWith(RegionObject object, VersionVector settled) {
    return object.found()
        ? new RegionObject(object.name(), object.type().fold(object.state(), settled))
        : object;
  }

  private static boolean equalStates(RegionObject a, RegionObject b) {
    if (!a.found() || !b.found()) {
      return a.found() == b.found();
    }
    return Arrays.equals(CrdtRegistry.encodeState(a.state()), CrdtRegistry.encodeState(b.state()));
  }

  private List<RegionObject> readNow(Region region) {
    return region.driver.read(allNames, VersionVector.empty(), 0).join().objects();
  }

  private Map<String, RegionObject> snapshot(Region region) {
    Map<String, RegionObject> objects = new LinkedHashMap<>();
    for (RegionObject object : readNow(region)) {
      objects.put(object.name().key(), object);
    }
    return objects;
  }

  /** S3 and S4 for the g-counter keys: acknowledged increments count, none twice. */
  private void checkCounts() {
    Map<String, Long> acknowledged = new HashMap<>();
    Map<String, Long> issued = new HashMap<>();
    for (DriverWorkload.Write write : writes) {
      for (String key : write.counterKeys) {
        issued.merge(key, 1L, Long::sum);
        if (write.acknowledged) {
          acknowledged.merge(key, 1L, Long::sum);
        }
      }
    }
    Region any = regions.values().iterator().next();
    for (RegionObject object : readNow(any)) {
      String key = object.name().key();
      if (!types.get(key).equals("g-counter")) {
        continue;
      }
      long value = object.found() ? object.type().value(object.state()).asLong() : 0;
      long least = acknowledged.getOrDefault(key, 0L);
      long most = issued.getOrDefault(key, 0L);
      check(
          value >= least,
          "S3 broken: " + key + " counts " + value + ", " + least + " acknowledged");
      check(
          value <= most,
          "S4 broken: " + key + " counts " + value + ", only " + most + " increments issued");
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
      if (region.up && region.driver.open()) {
        for (RegionObject object : readNow(region)) {
          text.append(' ').append(object.name().key()).append('=').append(object.state());
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
