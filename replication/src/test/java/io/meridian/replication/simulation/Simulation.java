package io.meridian.replication.simulation;

import io.meridian.clocks.Dot;
import io.meridian.clocks.ManualPhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.FrameVerdict;
import io.meridian.replication.KeyUpdate;
import io.meridian.replication.LocalStamp;
import io.meridian.replication.LogEntry;
import io.meridian.replication.OutboundFrame;
import io.meridian.replication.Ready;
import io.meridian.replication.ReplicaCore;
import io.meridian.replication.ReplicationConfig;
import io.meridian.replication.ReplicationMetrics;
import io.meridian.replication.RestoredReplica;
import io.meridian.replication.StateSnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One seeded run: regions driven exactly as the server will drive them (persist, apply, install,
 * acknowledge, send, advance), a network and clocks that misbehave as the seed says, a workload,
 * and the checkers. Nothing here reads the wall clock or an unseeded random source.
 *
 * <p>Checks, by property of DESIGN.md:
 *
 * <ul>
 *   <li>S1, after every step of every region: the visible entries are a prefix per origin, each
 *       visible entry's true causal past is visible, and each visible entry is visible whole.
 *   <li>S3, at every restart: the region comes back with every entry it had on disk, at least the
 *       vector it ever acknowledged, and every update a client was told is durable.
 *   <li>S6: every entry's HLC is above every HLC in its true causal past (checked when made), and
 *       after healing every register holds an assignment no visible assignment causally follows.
 *   <li>S7, after every step: a region's stable vector is below what every region has on disk.
 *   <li>S2 and L1, after healing: all regions hold the same vector and equal key states, which
 *       include every entry persisted anywhere and every acknowledged update; then every region's
 *       stable vector reaches it (garbage collection is live once everyone is back).
 *   <li>Bounds, after every step: buffer and log sizes; every frame fits; no honest frame is ever
 *       rejected.
 * </ul>
 */
final class Simulation {
  static final long TICK_MILLIS = 10;
  private static final long EPOCH_MILLIS = 1_700_000_000_000L;

  private final SimulationParameters parameters;
  private final SplittableRandom random;
  private final List<String> names;
  private final Map<String, Region> regions = new LinkedHashMap<>();
  private final PriorityQueue<Message> network = new PriorityQueue<>();
  private final Set<String> cutLinks = new HashSet<>();
  private final Truth truth = new Truth();
  private long tick;
  private long messageOrder;
  private boolean healed;
  private final Statistics statistics = new Statistics();

  /** Counts for the figures. */
  static final class Statistics {
    long entriesMade;
    long keyUpdatesMade;
    long framesSent;
    long bytesSent;
    long entriesShipped;
    long crashes;
    long stateTransfers;
    long droppedEntries;
    long forcedTrimEntries;
    long clockAheadEvents;
    long ticks;

    void add(Statistics other) {
      entriesMade += other.entriesMade;
      keyUpdatesMade += other.keyUpdatesMade;
      framesSent += other.framesSent;
      bytesSent += other.bytesSent;
      entriesShipped += other.entriesShipped;
      crashes += other.crashes;
      stateTransfers += other.stateTransfers;
      droppedEntries += other.droppedEntries;
      forcedTrimEntries += other.forcedTrimEntries;
      clockAheadEvents += other.clockAheadEvents;
      ticks += other.ticks;
    }

    @Override
    public String toString() {
      return String.format(
          "entries %d, key updates %d, frames %d, bytes %d, entries shipped %d, crashes %d,"
              + " state transfers %d, dropped %d, forced trims %d, clock ahead %d, ticks %d",
          entriesMade,
          keyUpdatesMade,
          framesSent,
          bytesSent,
          entriesShipped,
          crashes,
          stateTransfers,
          droppedEntries,
          forcedTrimEntries,
          clockAheadEvents,
          ticks);
    }
  }

  private record Message(long deliverTick, long order, String from, String to, byte[] bytes)
      implements Comparable<Message> {
    @Override
    public int compareTo(Message other) {
      int byTick = Long.compare(deliverTick, other.deliverTick);
      return byTick != 0 ? byTick : Long.compare(order, other.order);
    }
  }

  Simulation(SimulationParameters parameters) {
    this.parameters = parameters;
    this.random = new SplittableRandom(parameters.seed() ^ 0x5DEECE66DL);
    this.names = parameters.regionNames();
    for (String name : names) {
      long skew =
          parameters.skewMillisMax() == 0
              ? 0
              : random.nextLong(-parameters.skewMillisMax(), parameters.skewMillisMax() + 1);
      regions.put(name, new Region(parameters.config(name), EPOCH_MILLIS + skew));
    }
  }

  static String replayCommand(long seed) {
    return "mvn -B -ntp -q -f replication/pom.xml test -Dtest=SimulationTest -Dsimulation.seed="
        + seed;
  }

  /**
   * Runs the faulty phase, heals, checks; throws {@link SimulationFailure} on a broken property.
   */
  Statistics run() {
    try {
      for (; tick < parameters.faultTicks(); tick++) {
        step();
      }
      heal();
      checkConverged();
      statistics.ticks = tick;
      for (Region region : regions.values()) {
        ReplicationMetrics metrics = region.core.metrics();
        statistics.stateTransfers += metrics.stateTransfersInstalled();
        statistics.droppedEntries += metrics.droppedEntries();
        statistics.forcedTrimEntries += metrics.forcedTrimEntries();
        statistics.clockAheadEvents += metrics.clockAheadEvents();
        statistics.entriesShipped += metrics.entriesSent();
      }
      return statistics;
    } catch (SimulationFailure failure) {
      throw failure;
    } catch (RuntimeException | AssertionError e) {
      throw new SimulationFailure(parameters.seed(), tick, "no exception", e.toString(), e);
    }
  }

  private void fail(String property, String detail) {
    throw new SimulationFailure(parameters.seed(), tick, property, detail, null);
  }

  // ------------------------------------------------------------ one tick

  private void step() {
    if (!healed) {
      injectFaults();
    }
    deliverMessages();
    if (!healed && random.nextDouble() < parameters.updateProbability()) {
      List<Region> up = upRegions();
      if (!up.isEmpty()) {
        clientUpdate(up.get(random.nextInt(up.size())));
      }
    }
    for (Region region : regions.values()) {
      if (region.up) {
        region.clock.advance(TICK_MILLIS);
        region.core.tick();
        processReady(region);
      } else if (tick >= region.downUntilTick) {
        region.restart();
      }
    }
  }

  private void injectFaults() {
    if (random.nextDouble() < parameters.partitionChangeProbability()) {
      changePartition();
    }
    if (random.nextDouble() < parameters.crashProbability()) {
      List<Region> up = upRegions();
      if (!up.isEmpty()) {
        up.get(random.nextInt(up.size())).crash();
      }
    }
    if (random.nextDouble() < parameters.backwardJumpProbability()) {
      Region region = regions.get(names.get(random.nextInt(names.size())));
      region.clock.advance(-random.nextLong(1, 120_000));
    }
  }

  private void changePartition() {
    cutLinks.clear();
    int kind = random.nextInt(3);
    if (kind == 0) {
      return;
    }
    if (kind == 1) {
      String a = names.get(random.nextInt(names.size()));
      String b = names.get(random.nextInt(names.size()));
      if (!a.equals(b)) {
        cutLinks.add(link(a, b));
      }
      return;
    }
    Set<String> side = new HashSet<>();
    for (String name : names) {
      if (random.nextBoolean()) {
        side.add(name);
      }
    }
    for (String a : names) {
      for (String b : names) {
        if (side.contains(a) && !side.contains(b)) {
          cutLinks.add(link(a, b));
        }
      }
    }
  }

  private static String link(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  private List<Region> upRegions() {
    List<Region> up = new ArrayList<>();
    for (Region region : regions.values()) {
      if (region.up) {
        up.add(region);
      }
    }
    return up;
  }

  private void send(String from, OutboundFrame frame) {
    statistics.framesSent++;
    statistics.bytesSent += frame.bytes().length;
    if (frame.bytes().length > regions.get(from).config.frameBytesMax()) {
      fail("bounds", "frame of " + frame.bytes().length + " bytes");
    }
    int copies = 1;
    if (!healed) {
      if (random.nextDouble() < parameters.lossProbability()) {
        copies = 0;
      } else if (random.nextDouble() < parameters.duplicateProbability()) {
        copies = 2;
      }
    }
    for (int i = 0; i < copies; i++) {
      long delay = 1 + random.nextInt(parameters.latencyTicksMax());
      if (!healed && random.nextDouble() < parameters.tailProbability()) {
        delay += random.nextInt(parameters.tailTicksMax());
      }
      network.add(new Message(tick + delay, messageOrder++, from, frame.peer(), frame.bytes()));
    }
  }

  private void deliverMessages() {
    while (!network.isEmpty() && network.peek().deliverTick() <= tick) {
      Message message = network.poll();
      Region target = regions.get(message.to());
      if (!target.up || cutLinks.contains(link(message.from(), message.to()))) {
        continue;
      }
      FrameVerdict verdict = target.core.step(message.bytes());
      if (verdict != FrameVerdict.ACCEPTED) {
        fail("honest frames accepted", message.from() + " -> " + message.to() + ": " + verdict);
      }
    }
  }

  private void clientUpdate(Region region) {
    LocalStamp stamp = region.core.nextLocalStamp();
    int size = 1 + random.nextInt(parameters.batchSizeMax());
    List<String> keyNames = new ArrayList<>();
    List<Boolean> assigns = new ArrayList<>();
    List<KeyUpdate> updates = new ArrayList<>();
    while (updates.size() < size) {
      int key =
          random.nextDouble() < parameters.hotKeyProbability()
              ? random.nextInt(Math.min(3, parameters.keyCount()))
              : random.nextInt(parameters.keyCount());
      String bucket = "b" + (key % 3);
      String keyName = SimulatedApplication.keyName(bucket, "k" + key);
      if (keyNames.contains(keyName)) {
        if (keyNames.size() >= parameters.keyCount()) {
          break;
        }
        continue;
      }
      boolean assign = random.nextBoolean();
      updates.add(
          new KeyUpdate(bucket, "k" + key, SimulatedApplication.effect(updates.size(), assign)));
      keyNames.add(keyName);
      assigns.add(assign);
    }
    // The true causal past: what the client could see here, and this region's earlier entries.
    VersionVector past = region.app.visiblePrefix();
    if (stamp.seq() > 1) {
      Truth.Made previous = truth.get(new Dot(region.name, stamp.seq() - 1));
      past = past.merge(previous.causalPast()).with(region.name, stamp.seq() - 1);
    }
    for (String origin : past.replicas()) {
      Truth.Made top = truth.get(new Dot(origin, past.get(origin)));
      if (top.hlc() >= stamp.hlc()) {
        fail("S6", "entry " + stamp.dot() + " has HLC not above its causal past " + top.dot());
      }
    }
    truth.made(new Truth.Made(stamp.dot(), stamp.hlc(), past, keyNames, assigns));
    region.core.appendLocal(stamp, updates, stamp.seq());
    statistics.entriesMade++;
    statistics.keyUpdatesMade += updates.size();
  }

  // ------------------------------------------------------------ driving a region

  private void processReady(Region region) {
    ReplicaCore core = region.core;
    Ready ready = core.ready();
    // A crash may strike after part of the entries reached the disk, before anything else.
    int crashAfter = -1;
    if (!healed && random.nextDouble() < parameters.crashProbability() / 4) {
      crashAfter = random.nextInt(ready.entries().size() + 1);
    }
    VersionVector vector = core.appliedVector();
    long hlcMax = core.appliedHlcMax();
    int persisted = 0;
    for (LogEntry entry : ready.entries()) {
      if (persisted == crashAfter) {
        break;
      }
      region.diskLog.add(entry);
      region.diskVector = region.diskVector.with(entry.origin(), entry.seq());
      persisted++;
    }
    if (crashAfter >= 0) {
      region.crash();
      return;
    }
    for (LogEntry entry : ready.entries()) {
      region.app.apply(entry);
      vector = vector.with(entry.origin(), entry.seq());
      hlcMax = Math.max(hlcMax, entry.hlc());
    }
    if (ready.snapshot().isPresent()) {
      StateSnapshot snapshot = ready.snapshot().get();
      region.app.install(snapshot);
      vector = vector.merge(snapshot.vector());
      hlcMax = Math.max(hlcMax, snapshot.hlcMax());
      region.checkpoint(vector, hlcMax);
      region.diskVector = region.diskVector.merge(snapshot.vector());
    }
    for (long seq : ready.acknowledgedRequests()) {
      truth.acknowledged(new Dot(region.name, seq));
    }
    if (!ready.frames().isEmpty()) {
      region.announced = region.announced.merge(core.appliedVector());
    }
    for (OutboundFrame frame : ready.frames()) {
      send(region.name, frame);
    }
    core.advance(ready);
    if (!core.appliedVector().equals(vector)) {
      fail("driver and core agree", core.appliedVector() + " vs " + vector);
    }
    if (random.nextDouble() < parameters.checkpointProbability()) {
      region.checkpoint(core.appliedVector(), core.appliedHlcMax());
    }
    region.deleteOldRecords();
    checkCausal(region, region.app.drainNewlyVisible());
    checkStableAndBounds(region);
  }

  // ------------------------------------------------------------ checkers

  private void checkCausal(Region region, Iterable<Dot> dots) {
    SimulatedApplication app = region.app;
    if (!app.visibleEntriesAreDense()) {
      fail("S1", region.name + " shows entries with a hole before them: " + app.visiblePrefix());
    }
    VersionVector visible = app.visiblePrefix();
    for (Dot dot : dots) {
      Truth.Made made = truth.get(dot);
      if (made == null) {
        fail("S1", region.name + " shows " + dot + ", which no client made");
      }
      if (app.visibleUpdatesOf(dot) != made.keyNames().size()) {
        fail("S1", region.name + " shows part of the batch " + dot);
      }
      if (!visible.dominates(made.causalPast())) {
        fail("S1", region.name + " shows " + dot + " without its causal past " + made.causalPast());
      }
    }
    if (!region.core.appliedVector().equals(visible)) {
      fail("S1", region.name + " applied " + region.core.appliedVector() + " shows " + visible);
    }
  }

  private void checkStableAndBounds(Region region) {
    ReplicaCore core = region.core;
    VersionVector stable = core.stableVector();
    for (Region other : regions.values()) {
      if (!other.diskVector.dominates(stable)) {
        fail("S7", region.name + " holds stable " + stable + " beyond " + other.name + "'s disk");
      }
    }
    ReplicationMetrics metrics = core.metrics();
    if (metrics.deliveryBufferEntries() > region.config.deliveryBufferEntriesMax()) {
      fail("bounds", region.name + " buffer " + metrics.deliveryBufferEntries());
    }
    for (String origin : names) {
      if (core.logEntries(origin) > region.config.logEntriesPerOriginMax()) {
        fail("bounds", region.name + " log of " + origin + " is " + core.logEntries(origin));
      }
    }
  }

  private void heal() {
    healed = true;
    cutLinks.clear();
    long healStart = tick;
    for (; tick < healStart + parameters.healTicksMax(); tick++) {
      step();
      if (tick % 10 == 0 && converged()) {
        break;
      }
    }
  }

  private boolean converged() {
    VersionVector everything = VersionVector.empty();
    for (Region region : regions.values()) {
      if (!region.up) {
        return false;
      }
      everything = everything.merge(region.diskVector);
    }
    for (Region region : regions.values()) {
      if (!region.core.appliedVector().equals(everything)) {
        return false;
      }
    }
    return true;
  }

  private void checkConverged() {
    if (!converged()) {
      StringBuilder detail = new StringBuilder("not converged after healing:");
      for (Region region : regions.values()) {
        detail
            .append(' ')
            .append(region.name)
            .append(region.up ? region.core.appliedVector() : "down")
            .append(region.up ? region.core.metrics() : "");
      }
      fail("L1", detail.toString());
    }
    Region first = regions.values().iterator().next();
    TreeMap<String, String> reference = first.app.fingerprint();
    for (Region region : regions.values()) {
      if (!region.app.fingerprint().equals(reference)) {
        fail("S2", region.name + " differs from " + first.name + " with equal vectors");
      }
    }
    for (Dot dot : truth.acknowledged()) {
      Truth.Made made = truth.get(dot);
      for (Region region : regions.values()) {
        for (int ordinal = 0; ordinal < made.keyNames().size(); ordinal++) {
          if (!region.app.isVisible(made.keyNames().get(ordinal), made.update(ordinal))) {
            fail("L1", "acknowledged " + dot + " missing at " + region.name);
          }
        }
      }
    }
    checkRegisters(first.app);
    checkGarbageCollection();
  }

  /** S6: no visible assignment to a key causally follows the one its register holds. */
  private void checkRegisters(SimulatedApplication app) {
    for (Map.Entry<String, SimulatedApplication.KeyModel> key : app.keys().entrySet()) {
      SimulatedApplication.KeyModel model = key.getValue();
      for (UpdateId id : model.ids) {
        Truth.Made made = truth.get(id.dot());
        if (!made.assigns().get(id.ordinal()) || id.equals(model.registerValue)) {
          continue;
        }
        if (model.registerValue == null || made.causalPast().contains(model.registerValue.dot())) {
          fail("S6", key.getKey() + " holds " + model.registerValue + " but " + id + " follows it");
        }
      }
    }
  }

  /** Once everyone is back and connected, stability reaches everything and logs empty out. */
  private void checkGarbageCollection() {
    long until = tick + 20L * parameters.heartbeatIntervalTicks() + 100;
    for (; tick < until; tick++) {
      step();
      boolean allStable = true;
      for (Region region : regions.values()) {
        allStable &= region.core.stableVector().equals(region.core.appliedVector());
      }
      if (allStable) {
        return;
      }
    }
    fail("S7 liveness", "stable vectors did not reach the applied ones after healing");
  }

  // ------------------------------------------------------------ a region and its disk

  private final class Region {
    final String name;
    final ReplicationConfig config;
    final ManualPhysicalClock clock;
    ReplicaCore core;
    SimulatedApplication app;
    boolean up = true;
    long downUntilTick;

    final List<LogEntry> diskLog = new ArrayList<>();
    SimulatedApplication checkpointState = new SimulatedApplication();
    VersionVector checkpointVector = VersionVector.empty();
    long checkpointHlcMax;
    VersionVector diskVector = VersionVector.empty();
    VersionVector announced = VersionVector.empty();

    Region(ReplicationConfig config, long startMillis) {
      this.name = config.self();
      this.config = config;
      this.clock = new ManualPhysicalClock(startMillis);
      this.app = new SimulatedApplication();
      this.core = new ReplicaCore(config, clock, app);
    }

    void checkpoint(VersionVector vector, long hlcMax) {
      checkpointState = app.copy();
      checkpointVector = vector;
      checkpointHlcMax = hlcMax;
    }

    void deleteOldRecords() {
      VersionVector deletable = checkpointVector.meet(core.trimmedVector());
      diskLog.removeIf(entry -> entry.seq() <= deletable.get(entry.origin()));
    }

    void crash() {
      up = false;
      core = null;
      app = null;
      downUntilTick = tick + 1 + random.nextInt(parameters.downTicksMax());
      statistics.crashes++;
    }

    void restart() {
      up = true;
      app = checkpointState.copy();
      RestoredReplica restored =
          ReplicaCore.restore(
              config, clock, app, checkpointVector, checkpointHlcMax, List.copyOf(diskLog));
      for (LogEntry entry : restored.entriesToReplay()) {
        app.apply(entry);
      }
      core = restored.core();
      app.drainNewlyVisible();
      if (!core.appliedVector().equals(diskVector)) {
        fail("S3", name + " restarted with " + core.appliedVector() + ", disk had " + diskVector);
      }
      if (!core.appliedVector().dominates(announced)) {
        fail("S3", name + " restarted below what it acknowledged: " + announced);
      }
      for (Dot dot : truth.acknowledged()) {
        if (dot.replica().equals(name) && !app.visibleDots().contains(dot)) {
          fail("S3", name + " lost acknowledged " + dot);
        }
      }
      checkCausal(this, app.visibleDots());
    }
  }
}
