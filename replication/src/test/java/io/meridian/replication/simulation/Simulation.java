package io.meridian.replication.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.ManualPhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.UpdateContext;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

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
 *
 * <p>Odd seeds run the CRDT workload ({@link CrdtWorkload}): effects are real CRDT effects, and
 * besides the checks above (the update ids ride beside the CRDT states, so S1 stays exact):
 *
 * <ul>
 *   <li>S4: a retried operation id that a region already holds is answered from its table of
 *       applied ids, and its state knows the id too unless it may have been folded; after healing
 *       every top-level counter equals the ledger of surviving increments, each id counted once.
 *   <li>S6: after healing no lww assignment causally follows every carrier of the held value.
 *   <li>S7: regions fold their states with {@link ReplicaCore#settledStableVector()} during the
 *       run, and folding never changes a value; after healing the settled vector reaches the
 *       applied one, a full fold empties every context's cloud and keeps values.
 *   <li>S2: after healing equal values and update ids everywhere, and after the full fold equal
 *       encoded states; grow-only sets hold exactly the surviving additions.
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
  private final CrdtWorkload crdtWorkload;

  /** Entries made with each operation id (some may have been lost in a crash since). */
  private final Map<String, List<Dot>> carriers = new HashMap<>();

  /** The join of every region's settled stable vector so far: nothing above it was folded. */
  private VersionVector settledAnywhere = VersionVector.empty();

  /**
   * What each entry's payload was prepared on (its region's visible entries when it was made), for
   * entries some region's disk still lacks: a region must not settle a vector part of which such an
   * entry lacks before it applied the entry.
   */
  private final Map<Dot, VersionVector> preparedOn = new HashMap<>();

  /** Decides which Readies stay outstanding for a step; apart from {@link #random}. */
  private final SplittableRandom pipelineRandom;

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
    long crdtRuns;
    long foldsThatChangedAState;
    long retriesAnsweredByTable;
    long retriesThatMadeAnEffect;
    long clientSequenceRetriesAnsweredAfterTheFold;

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
      crdtRuns += other.crdtRuns;
      foldsThatChangedAState += other.foldsThatChangedAState;
      retriesAnsweredByTable += other.retriesAnsweredByTable;
      retriesThatMadeAnEffect += other.retriesThatMadeAnEffect;
      clientSequenceRetriesAnsweredAfterTheFold += other.clientSequenceRetriesAnsweredAfterTheFold;
    }

    @Override
    public String toString() {
      return String.format(
          "entries %d, key updates %d, frames %d, bytes %d, entries shipped %d, crashes %d,"
              + " state transfers %d, dropped %d, forced trims %d, clock ahead %d, ticks %d;"
              + " CRDT runs %d, folds that changed a state %d, retries answered by the id table"
              + " %d, retries that made a second effect %d, client sequence retries answered after"
              + " the fold %d",
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
          ticks,
          crdtRuns,
          foldsThatChangedAState,
          retriesAnsweredByTable,
          retriesThatMadeAnEffect,
          clientSequenceRetriesAnsweredAfterTheFold);
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
    this.pipelineRandom = new SplittableRandom(parameters.seed() ^ 0x632BE59BD9B4E019L);
    this.names = parameters.regionNames();
    this.crdtWorkload =
        parameters.crdtWorkload()
            ? new CrdtWorkload(
                new SplittableRandom(parameters.seed() ^ 0x2545F4914F6CDD1DL),
                parameters.foldProbability() > 0,
                parameters.clientSequences())
            : null;
    statistics.crdtRuns = parameters.crdtWorkload() ? 1 : 0;
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
        Region region = up.get(random.nextInt(up.size()));
        if (crdtWorkload != null) {
          crdtClientUpdate(region);
        } else {
          clientUpdate(region);
        }
      }
    }
    for (Region region : regions.values()) {
      if (region.up) {
        region.clock.advance(TICK_MILLIS);
        region.core.tick();
        Ready outstanding = region.outstanding;
        region.outstanding = null;
        if (outstanding != null) {
          performReady(region, outstanding);
        }
        if (!region.up) {
          continue;
        }
        Ready ready = region.core.ready();
        if (!healed
            && parameters.pipelineProbability() > 0
            && pipelineRandom.nextDouble() < parameters.pipelineProbability()) {
          // Held for a step, as while the disk works: client writes and frames come in meanwhile.
          region.outstanding = ready;
        } else {
          performReady(region, ready);
        }
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
      int key = pickKey();
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
    made(region, stamp, keyNames, assigns, List.of(), updates);
  }

  private int pickKey() {
    return random.nextDouble() < parameters.hotKeyProbability()
        ? random.nextInt(Math.min(3, parameters.keyCount()))
        : random.nextInt(parameters.keyCount());
  }

  /** Records the truth of a new entry, checks its HLC against its causal past (S6), appends it. */
  private void made(
      Region region,
      LocalStamp stamp,
      List<String> keyNames,
      List<Boolean> assigns,
      List<CrdtWorkload.Request> requests,
      List<KeyUpdate> updates) {
    // The true causal past: what the client could see here, and this region's earlier entries.
    VersionVector past = region.app.visiblePrefix();
    if (!past.dominates(settledAnywhere)) {
      fail("settled", region.name + " prepares on " + past + " below settled " + settledAnywhere);
    }
    preparedOn.put(stamp.dot(), past);
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
    truth.made(new Truth.Made(stamp.dot(), stamp.hlc(), past, keyNames, assigns, requests));
    for (CrdtWorkload.Request request : requests) {
      if (request.identity() != null) {
        carriers.computeIfAbsent(request.identity(), id -> new ArrayList<>()).add(stamp.dot());
      }
    }
    region.core.appendLocal(stamp, updates, stamp.seq());
    statistics.entriesMade++;
    statistics.keyUpdatesMade += updates.size();
  }

  /**
   * A client batch of the CRDT workload, prepared as the server does: each request is parsed, then
   * prepared against the key's visible state with this batch's earlier effects applied, with the
   * entry's dot and HLC; a retried operation id the region already holds is answered from its table
   * of applied ids and adds nothing.
   */
  private void crdtClientUpdate(Region region) {
    LocalStamp stamp = region.core.nextLocalStamp();
    int size = 1 + random.nextInt(parameters.batchSizeMax());
    Map<String, CrdtState> batchStates = new HashMap<>();
    List<String> keyNames = new ArrayList<>();
    List<Boolean> assigns = new ArrayList<>();
    List<CrdtWorkload.Request> requests = new ArrayList<>();
    List<KeyUpdate> updates = new ArrayList<>();
    for (int slot = 0; slot < size; slot++) {
      CrdtWorkload.Request request = crdtWorkload.retry(random);
      boolean retry = request != null;
      if (retry) {
        if (request.operationId() != null && answeredByIdTable(region, stamp, request)) {
          continue;
        }
        if (request.clientSequence() != null && requests.contains(request)) {
          // A batch is one request with one client sequence; a retry is another request.
          continue;
        }
      } else {
        int key = pickKey();
        String bucket = "b" + (key % 3);
        String keyName = SimulatedApplication.keyName(bucket, "k" + key);
        CrdtState visible = region.app.crdtState(keyName);
        if (visible != null && random.nextInt(4) == 0) {
          crdtWorkload.read(
              keyName,
              CrdtRegistry.typeOf(visible).observedContext(visible),
              region.core.appliedVector());
        }
        request =
            crdtWorkload.next(
                random,
                bucket,
                "k" + key,
                crdtWorkload.typeOf(key),
                batchStates.getOrDefault(keyName, visible),
                stamp.dot() + "/" + updates.size(),
                region.name,
                dot ->
                    truth.acknowledged().contains(dot) && region.app.visiblePrefix().contains(dot));
      }
      String keyName = request.keyName();
      CrdtType type = CrdtRegistry.type(request.typeName());
      CrdtState current = batchStates.getOrDefault(keyName, region.app.crdtState(keyName));
      current = current == null ? type.empty() : current;
      Optional<Effect> effect;
      try {
        effect =
            type.prepare(
                current,
                CrdtRegistry.parseUpdate(request.body()),
                new UpdateContext(
                    stamp.dot(),
                    stamp.hlc(),
                    request.operationId(),
                    request.observed(),
                    request.clientSequence()));
      } catch (CrdtRequestException rejected) {
        if (retry) {
          continue; // a retried list index may be past the end here: the client gets a 400
        }
        fail("workload", "a valid request was refused: " + request.body() + ": " + rejected);
        return;
      }
      if (effect.isEmpty()) {
        if (retry && request.clientSequence() != null) {
          clientSequenceRetryAnswered(region, request);
        }
        continue;
      }
      if (retry) {
        if (request.clientSequence() != null) {
          requireClientSequenceUnseen(region, request);
        }
        statistics.retriesThatMadeAnEffect++;
      }
      byte[] bytes = CrdtRegistry.encodeEffect(effect.get());
      batchStates.put(keyName, type.apply(current, CrdtRegistry.decodeEffect(bytes), stamp.dot()));
      updates.add(new KeyUpdate(request.bucket(), request.key(), bytes));
      keyNames.add(keyName);
      assigns.add(false);
      requests.add(request);
      if (!retry) {
        crdtWorkload.sent(request, stamp.dot());
      }
    }
    if (!updates.isEmpty()) {
      made(region, stamp, keyNames, assigns, requests, updates);
    }
  }

  /**
   * A retried client sequence made an effect: no entry that carried it may be visible here, since
   * nothing but the state (its ids, then its marks) answers a client sequence's retry (S4).
   */
  private void requireClientSequenceUnseen(Region region, CrdtWorkload.Request request) {
    for (Dot dot : carriers.getOrDefault(request.identity(), List.of())) {
      Truth.Made made = truth.get(dot);
      if (region.app.visiblePrefix().contains(dot) && made.requests().contains(request)) {
        fail(
            "S4",
            region.name
                + " applied "
                + request.identity()
                + " again although it shows "
                + dot
                + ", which carried it (folded with "
                + region.foldedWith
                + ")");
      }
    }
  }

  /** Counts a client sequence's retry answered here after every entry that carried it folded. */
  private void clientSequenceRetryAnswered(Region region, CrdtWorkload.Request request) {
    List<Dot> carriedBy = carriers.getOrDefault(request.identity(), List.of());
    if (!carriedBy.isEmpty() && carriedBy.stream().allMatch(region.foldedWith::contains)) {
      statistics.clientSequenceRetriesAnsweredAfterTheFold++;
    }
  }

  /**
   * The server's table of applied operation ids (kept 24 hours, longer than any run): the ids of
   * the entries this region has accepted. A state transfer must carry that table, or a region could
   * forget an id whose entry reached it inside a transferred state and was then folded away. When
   * the table answers and the id cannot have been folded yet, the state must know the id as well:
   * deduplication lives in the replicated state (S4).
   */
  private boolean answeredByIdTable(Region region, LocalStamp stamp, CrdtWorkload.Request request) {
    Dot carrier = null;
    for (Dot dot : carriers.getOrDefault(request.operationId(), List.of())) {
      Truth.Made made = truth.get(dot);
      if (region.core.acceptedVector().contains(dot) && made.requests().contains(request)) {
        carrier = dot;
      }
    }
    if (carrier == null) {
      return false;
    }
    statistics.retriesAnsweredByTable++;
    if (region.core.appliedVector().contains(carrier) && !settledAnywhere.contains(carrier)) {
      CrdtType type = CrdtRegistry.type(request.typeName());
      CrdtState state = region.app.crdtState(request.keyName());
      Optional<Effect> again;
      try {
        again =
            type.prepare(
                state,
                CrdtRegistry.parseUpdate(request.body()),
                new UpdateContext(
                    stamp.dot(), stamp.hlc(), request.operationId(), request.observed()));
      } catch (CrdtRequestException rejected) {
        fail("S4", region.name + " refused a repeat of an applied id instead of answering it");
        return true;
      }
      if (again.isPresent()) {
        fail(
            "S4",
            region.name
                + " applied "
                + carrier
                + " with id "
                + request.operationId()
                + " but its state does not know the id");
      }
    }
    return true;
  }

  // ------------------------------------------------------------ driving a region

  private void performReady(Region region, Ready ready) {
    ReplicaCore core = region.core;
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
    checkSettled(region);
    settledAnywhere = settledAnywhere.merge(core.settledStableVector());
    if (crdtWorkload != null
        && !region.foldedWith.equals(core.settledStableVector())
        && random.nextDouble() < parameters.foldProbability()) {
      fold(region, core.settledStableVector());
    }
  }

  /**
   * Folds every key's CRDT state with a settled stable vector, as the server's garbage collection
   * does (S7): the value never changes.
   */
  /**
   * The settled vector's promise, checked directly rather than through a divergence a fold might
   * cause: when a region's settled vector moves, every entry prepared on a state lacking part of it
   * is applied there already. Entries on every region's disk are dropped from the check.
   */
  private void checkSettled(Region region) {
    VersionVector settled = region.core.settledStableVector();
    if (settled.equals(region.checkedSettled)) {
      return;
    }
    region.checkedSettled = settled;
    VersionVector applied = region.core.appliedVector();
    VersionVector everywhere = null;
    for (Region other : regions.values()) {
      everywhere = everywhere == null ? other.diskVector : everywhere.meet(other.diskVector);
    }
    var iterator = preparedOn.entrySet().iterator();
    while (iterator.hasNext()) {
      Map.Entry<Dot, VersionVector> entry = iterator.next();
      if (everywhere.contains(entry.getKey())) {
        iterator.remove();
      } else if (!entry.getValue().dominates(settled) && !applied.contains(entry.getKey())) {
        fail(
            "settled",
            region.name
                + " settled "
                + settled
                + " before applying "
                + entry.getKey()
                + ", prepared on "
                + entry.getValue());
      }
    }
  }

  private void fold(Region region, VersionVector settled) {
    if (!region.core.appliedVector().dominates(settled)) {
      fail("S7", region.name + " settled " + settled + " beyond what it applied");
    }
    region.foldedWith = settled;
    for (String keyName : List.copyOf(region.app.keys().keySet())) {
      CrdtState state = region.app.crdtState(keyName);
      CrdtState folded = CrdtRegistry.typeOf(state).fold(state, settled);
      JsonNode before = CrdtWorkload.value(state);
      JsonNode after = CrdtWorkload.value(folded);
      if (!before.equals(after)) {
        fail("S7", region.name + " " + keyName + ": folding changed " + before + " to " + after);
      }
      if (!folded.equals(state)) {
        statistics.foldsThatChangedAState++;
        region.app.replaceCrdtState(keyName, folded);
      }
    }
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
    // Regions fold at different times, so in the CRDT workload equal bytes come after a full fold.
    TreeMap<String, String> reference =
        crdtWorkload != null ? first.app.modelFingerprint() : first.app.fingerprint();
    for (Region region : regions.values()) {
      TreeMap<String, String> mine =
          crdtWorkload != null ? region.app.modelFingerprint() : region.app.fingerprint();
      if (!mine.equals(reference)) {
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
    if (crdtWorkload == null) {
      checkRegisters(first.app);
      checkGarbageCollection();
      return;
    }
    List<Truth.Made> surviving = new ArrayList<>();
    VersionVector everything = first.core.appliedVector();
    for (Truth.Made made : truth.all().values()) {
      if (everything.contains(made.dot())) {
        surviving.add(made);
      }
    }
    for (Region region : regions.values()) {
      checkCrdtValues(region, first, surviving);
    }
    checkLastWriterWins(first.app, surviving);
    checkGarbageCollection();
    checkFullFold();
  }

  /** S2 on values, and the ledgers: counters count each operation id once (S4), g-sets. */
  private void checkCrdtValues(Region region, Region first, List<Truth.Made> surviving) {
    for (String keyName : region.app.keys().keySet()) {
      JsonNode mine = CrdtWorkload.value(region.app.crdtState(keyName));
      JsonNode theirs = CrdtWorkload.value(first.app.crdtState(keyName));
      if (!mine.equals(theirs)) {
        fail(
            "S2",
            region.name + " shows " + keyName + " = " + mine + ", " + first.name + " " + theirs);
      }
    }
    CrdtWorkload.expectedCounters(surviving)
        .forEach(
            (keyName, expected) -> {
              CrdtState state = region.app.crdtState(keyName);
              if (state == null) {
                fail("L1", region.name + " never saw " + keyName + ", which the ledger counts");
              }
              long value = CrdtWorkload.value(state).asLong();
              if (value != expected) {
                fail(
                    "S4",
                    region.name
                        + " counts "
                        + keyName
                        + " = "
                        + value
                        + ", the ledger "
                        + expected);
              }
            });
    CrdtWorkload.expectedGrowOnlySets(surviving)
        .forEach(
            (keyName, expected) -> {
              TreeSet<String> shown = new TreeSet<>();
              CrdtWorkload.value(region.app.crdtState(keyName))
                  .forEach(element -> shown.add(element.asText()));
              if (!shown.equals(expected)) {
                fail(
                    "S2",
                    region.name + " shows g-set " + keyName + " " + shown + " not " + expected);
              }
            });
  }

  /**
   * S6 for the CRDT workload: the value an lww-register holds was assigned by some surviving update
   * (a retried id may have assigned it more than once), and no other assignment causally follows
   * every update that assigned it.
   */
  private void checkLastWriterWins(SimulatedApplication app, List<Truth.Made> surviving) {
    Map<String, List<Dot>> assignedBy = new HashMap<>();
    Map<String, List<long[]>> assignments = new HashMap<>();
    for (Truth.Made made : surviving) {
      for (int ordinal = 0; ordinal < made.requests().size(); ordinal++) {
        CrdtWorkload.Request request = made.requests().get(ordinal);
        if (request.typeName().equals("lww-register")) {
          assignments.computeIfAbsent(request.keyName(), k -> new ArrayList<>());
          String value = request.body().get("value").asText();
          assignedBy.computeIfAbsent(request.keyName() + "=" + value, k -> new ArrayList<>());
          assignedBy.get(request.keyName() + "=" + value).add(made.dot());
        }
      }
    }
    for (String keyName : assignments.keySet()) {
      JsonNode held = CrdtWorkload.value(app.crdtState(keyName));
      List<Dot> carriers = assignedBy.get(keyName + "=" + held.asText());
      if (!held.isTextual() || carriers == null) {
        fail("S6", keyName + " holds " + held + ", which no surviving update assigned");
      }
      for (Truth.Made made : surviving) {
        for (int ordinal = 0; ordinal < made.requests().size(); ordinal++) {
          CrdtWorkload.Request request = made.requests().get(ordinal);
          if (!request.keyName().equals(keyName)
              || request.body().get("value").asText().equals(held.asText())) {
            continue;
          }
          boolean followsEvery = true;
          for (Dot carrier : carriers) {
            boolean follows =
                carrier.equals(made.dot())
                    ? precedingOrdinal(made, keyName, held.asText(), ordinal)
                    : made.causalPast().contains(carrier);
            followsEvery &= follows;
          }
          if (followsEvery) {
            fail("S6", keyName + " holds " + held + " but " + made.dot() + " assigned after it");
          }
        }
      }
    }
  }

  /** True when an earlier update of {@code made} assigned {@code value} to the key. */
  private static boolean precedingOrdinal(
      Truth.Made made, String keyName, String value, int ordinal) {
    for (int earlier = 0; earlier < ordinal; earlier++) {
      CrdtWorkload.Request request = made.requests().get(earlier);
      if (request.keyName().equals(keyName) && request.body().get("value").asText().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Once everything is stable, the settled vector reaches the applied one everywhere; folding with
   * it keeps every value, empties every context's cloud, absorbs the unfolded state, and leaves
   * equal bytes at every region (S7, S2).
   */
  private void checkFullFold() {
    long until = tick + 20L * parameters.heartbeatIntervalTicks() + 100;
    boolean allSettled = false;
    for (; tick < until && !allSettled; tick++) {
      step();
      allSettled = true;
      for (Region region : regions.values()) {
        allSettled &= region.core.settledStableVector().equals(region.core.appliedVector());
      }
    }
    if (!allSettled) {
      fail("S7 liveness", "settled stable vectors did not reach the applied ones after healing");
    }
    for (Region region : regions.values()) {
      for (String keyName : region.app.keys().keySet()) {
        CrdtState state = region.app.crdtState(keyName);
        CrdtType type = CrdtRegistry.typeOf(state);
        CrdtState folded = type.fold(state, region.core.settledStableVector());
        if (!type.value(folded).equals(type.value(state))) {
          fail("S7", region.name + " " + keyName + ": the full fold changed the value");
        }
        if (!type.observedContext(folded).cloud().isEmpty()) {
          fail("S7", region.name + " " + keyName + ": the full fold left a context cloud");
        }
        if (!type.join(folded, state).equals(folded)) {
          fail("S7", region.name + " " + keyName + ": the unfolded state is not below the folded");
        }
        if (!folded.equals(state)) {
          statistics.foldsThatChangedAState++;
        }
        region.app.replaceCrdtState(keyName, folded);
      }
    }
    Region first = regions.values().iterator().next();
    for (Region region : regions.values()) {
      for (Map.Entry<String, String> key : first.app.fingerprint().entrySet()) {
        if (!key.getValue().equals(region.app.fingerprint().get(key.getKey()))) {
          fail(
              "S2",
              region.name
                  + " "
                  + key.getKey()
                  + " differs from "
                  + first.name
                  + " after folding: "
                  + region.app.crdtState(key.getKey())
                  + " vs "
                  + first.app.crdtState(key.getKey()));
        }
      }
    }
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
    SimulatedApplication checkpointState = new SimulatedApplication(parameters.crdtWorkload());
    VersionVector checkpointVector = VersionVector.empty();
    long checkpointHlcMax;
    VersionVector diskVector = VersionVector.empty();
    VersionVector announced = VersionVector.empty();

    /** The settled vector this region's states were last folded with, since its restart. */
    VersionVector foldedWith = VersionVector.empty();

    /** The settled vector {@link #checkSettled} last checked here. */
    VersionVector checkedSettled = VersionVector.empty();

    /** A Ready taken from the core and not yet done (pipelined seeds), or null. */
    Ready outstanding;

    Region(ReplicationConfig config, long startMillis) {
      this.name = config.self();
      this.config = config;
      this.clock = new ManualPhysicalClock(startMillis);
      this.app = new SimulatedApplication(parameters.crdtWorkload());
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
      outstanding = null;
      core = null;
      app = null;
      downUntilTick = tick + 1 + random.nextInt(parameters.downTicksMax());
      statistics.crashes++;
    }

    void restart() {
      up = true;
      foldedWith = VersionVector.empty();
      app = checkpointState.copy();
      RestoredReplica restored =
          ReplicaCore.restore(
              config, clock, app, checkpointVector, checkpointHlcMax, List.copyOf(diskLog));
      for (LogEntry entry : restored.entriesToReplay()) {
        app.apply(entry);
      }
      core = restored.core();
      checkedSettled = VersionVector.empty();
      VersionVector kept = core.appliedVector();
      preparedOn.keySet().removeIf(dot -> dot.replica().equals(name) && !kept.contains(dot));
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
