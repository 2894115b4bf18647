package io.meridian.replication;

import io.meridian.clocks.DecodeException;
import io.meridian.clocks.Dot;
import io.meridian.clocks.HlcTimestamp;
import io.meridian.clocks.HybridLogicalClock;
import io.meridian.clocks.PhysicalClock;
import io.meridian.clocks.ReplicaIds;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.EntryLog.LogSlot;
import io.meridian.replication.PendingWork.AcceptedEntry;
import io.meridian.replication.PendingWork.Install;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The replication protocol of one region as a state machine with no I/O, in the style of etcd's
 * raft: no threads, sockets, wall clock or randomness inside. A single owner (the server's event
 * loop, or the simulator) drives it; it takes no locks.
 *
 * <h2>Inputs</h2>
 *
 * <ul>
 *   <li>A local update: {@link #nextLocalStamp()} gives the dot and HLC of the next entry, the
 *       application builds the per-key effects (which may embed them), then {@link
 *       #appendLocal(LocalStamp, List, long)} makes it an entry. Call both in the same step.
 *   <li>A frame from a peer: {@link #step(byte[])}. A frame that is malformed, from an unknown
 *       region, or that would break an invariant is rejected, counted, and changes nothing.
 *   <li>Time: {@link #tick()}. Heartbeats, resends, batching and state transfer retries are counted
 *       in ticks.
 * </ul>
 *
 * <h2>Outputs</h2>
 *
 * {@link #ready()} returns a {@link Ready}; its Javadoc gives the order in which the driver
 * persists, applies, installs, acknowledges and sends. The driver then calls {@link
 * #advance(Ready)}; between the two it may keep calling the inputs, but not {@code ready()}.
 *
 * <h2>Protocol</h2>
 *
 * <ul>
 *   <li><b>Causal delivery.</b> An entry of origin {@code o} is accepted when {@code accepted[o] ==
 *       seq - 1} and {@code accepted >= deps}; earlier it waits in a buffer of at most {@link
 *       ReplicationConfig#deliveryBufferEntriesMax()} entries. Past that bound it is dropped: a
 *       peer sends it again, and an entry whose causal past is here never needs buffer space, so
 *       delivery cannot deadlock. Accepted entries leave through {@code Ready} in causal order.
 *       (The eventual mode, {@link ReplicationConfig#causalDelivery()} false, for benchmarks only,
 *       drops the {@code deps} condition and keeps the per-origin order.)
 *   <li><b>Forwarding.</b> Every frame carries the sender's applied vector. To each peer this core
 *       sends, in log order, every entry of its log the peer has not acknowledged or been sent, its
 *       own entries and others' alike, unchanged; at most {@link
 *       ReplicationConfig#inFlightEntriesPerPeerMax()} beyond the acknowledgement, and all over
 *       again after {@link ReplicationConfig#resendIntervalTicks()} without progress.
 *   <li><b>Acknowledgement and stability.</b> The applied vector a frame carries covers only
 *       entries on disk; beside it the frame carries the acknowledgement ({@link
 *       #acknowledgedVector()}). The stable vector is the meet of every region's acknowledgement,
 *       joined with the stable vectors peers report; entries at or below it leave the log, and the
 *       application folds causal metadata away with the settled vector ({@link
 *       #settledStableVector()}). A region that is silent blocks stability; the log of each origin
 *       is bounded by {@link ReplicationConfig#logEntriesPerOriginMax()}, past which the oldest
 *       entries leave it anyway (counted) and a region that still needs them gets a state transfer.
 *       The stable vector never moves for that.
 *   <li><b>Anti-entropy.</b> When the entries this region lacks are in no reachable peer's log, it
 *       sends a digest per key range to a peer that is ahead; the peer answers with the states of
 *       the keys in the ranges that differ and the vector they reflect, in chunks; the region
 *       stages the chunks and hands the complete snapshot out in one {@code Ready}, after which its
 *       vector is the join of the old one and the snapshot's and buffered entries below it are
 *       dropped.
 *   <li><b>Clock.</b> Every timestamp received moves the hybrid logical clock. An entry's HLC is
 *       above the HLC of every entry in its causal past, whatever the physical clocks say, so a
 *       last-writer-wins register ordered by (HLC, origin) lets a causally later write win.
 * </ul>
 *
 * <h2>Parts</h2>
 *
 * <p>This class is the one public façade: the inputs, causal delivery, the {@code Ready} cycle and
 * restore. The rest is package-private, one part per responsibility: {@code EntryLog} (the log
 * ring), {@code PeerSender} (sending and relaying), {@code Stability} (the acknowledgement rule,
 * stable and settled vectors), {@code StateTransfer} (both ends), {@code FrameValidator}, with
 * {@code Outbox} (the frames of one {@code Ready}) and {@code PeerState} between them. The end of
 * every {@link #step} and {@link #advance} checks the order of the vectors ({@code VectorChain}).
 */
public final class ReplicaCore {
  private final ReplicationConfig config;
  private final String self;
  private final HybridLogicalClock clock;
  private final Map<String, PeerState> peers = new TreeMap<>();
  private final int headerReserveBytes;
  private final FrameValidator validator;
  private final Outbox outbox;
  private final PeerSender sender;
  private final StateTransfer transfer;

  /** Entries handed out or waiting to be handed out, contiguous per origin. */
  private VersionVector accepted = VersionVector.empty();

  /** Entries on disk and visible: advanced by {@link #advance(Ready)}. */
  private VersionVector applied = VersionVector.empty();

  /** Acknowledgement, stability and settling: the acknowledged, stable and settled vectors. */
  private final Stability stability = new Stability();

  private long acceptedHlcMax = HlcTimestamp.ZERO;
  private long appliedHlcMax = HlcTimestamp.ZERO;

  /** Entries on disk, per origin: each origin's entries {@code trimmed + 1 .. applied}, by seq. */
  private final EntryLog log = new EntryLog();

  private final TreeMap<Dot, LogEntry> buffer = new TreeMap<>();

  /** Accepted entries and installs not yet handed out, in order. */
  private final ArrayDeque<PendingWork> pending = new ArrayDeque<>();

  /** Accepted entries not yet on disk, by dot. */
  private final HashMap<Dot, AcceptedEntry> unpersisted = new HashMap<>();

  private Ready outstanding;

  /** The entries of {@link #outstanding}, in its order. */
  private final ArrayList<AcceptedEntry> outstandingEntries = new ArrayList<>();

  private LocalStamp issuedStamp;

  /** The applied vector when {@link #issuedStamp} was issued: what its payload was prepared on. */
  private VersionVector issuedStampBasis;

  private long ticks;

  private final EnumMap<FrameVerdict, Long> rejectedFrames = new EnumMap<>(FrameVerdict.class);
  private long acceptedFrames;
  private long duplicateEntries;
  private long bufferHighWater;
  private long droppedEntries;
  private long clockAheadEvents;

  /**
   * A core for a region with nothing on disk yet.
   *
   * @param config bounds and intervals
   * @param physicalClock the source of physical time for the HLC (the simulator's is manual)
   * @param application the key states, for anti-entropy
   */
  public ReplicaCore(
      ReplicationConfig config, PhysicalClock physicalClock, ApplicationState application) {
    this(config, new HybridLogicalClock(physicalClock, config.clockOffsetMillisMax()), application);
  }

  private ReplicaCore(
      ReplicationConfig config, HybridLogicalClock clock, ApplicationState application) {
    this.config = config;
    this.self = config.self();
    this.clock = clock;
    for (String region : config.regions()) {
      if (!region.equals(self)) {
        peers.put(region, new PeerState(region));
      }
    }
    this.headerReserveBytes = 256 + 3 * config.regions().size() * (ReplicaIds.NAME_LENGTH_MAX + 16);
    this.validator = new FrameValidator(config, peers.keySet(), this::heldEntry);
    this.outbox = new Outbox(config, clock);
    this.sender = new PeerSender(config, log);
    this.transfer = new StateTransfer(config, clock, application, headerReserveBytes);
  }

  /**
   * Rebuilds a core after a crash from what was on disk: the application's last checkpoint (the
   * vector its key states reflect, and the largest HLC among those entries) and the log records in
   * the order they were written. Entries after the checkpoint come back in {@link
   * RestoredReplica#entriesToReplay()}; the driver applies them before anything else.
   *
   * @throws DecodeException when the records contradict each other or the checkpoint (a record out
   *     of causal order, two different entries with one dot)
   */
  public static RestoredReplica restore(
      ReplicationConfig config,
      PhysicalClock physicalClock,
      ApplicationState application,
      VersionVector checkpointVector,
      long checkpointHlcMax,
      List<LogEntry> records) {
    long hlcMax = checkpointHlcMax;
    for (LogEntry record : records) {
      hlcMax = Math.max(hlcMax, record.hlc());
    }
    HybridLogicalClock clock =
        new HybridLogicalClock(physicalClock, config.clockOffsetMillisMax(), hlcMax);
    ReplicaCore core = new ReplicaCore(config, clock, application);
    List<LogEntry> replay = EntryLog.entriesAfter(checkpointVector, records);
    VersionVector vector = checkpointVector;
    for (LogEntry entry : replay) {
      vector = vector.with(entry.origin(), entry.seq());
    }
    core.applied = vector;
    core.accepted = vector;
    core.stability.restored(vector);
    core.acceptedHlcMax = hlcMax;
    core.appliedHlcMax = hlcMax;
    core.log.rebuild(records, vector);
    return new RestoredReplica(core, replay);
  }

  // ---------------------------------------------------------------- inputs

  /**
   * The identity of the next local entry: this region, the next seq, an HLC timestamp above every
   * timestamp in the entry's causal past, and the vector it depends on (everything accepted).
   */
  public LocalStamp nextLocalStamp() {
    long hlc = clock.now();
    if (hlc <= acceptedHlcMax) {
      hlc = HlcTimestamp.successor(acceptedHlcMax);
    }
    issuedStamp = new LocalStamp(self, accepted.get(self) + 1, hlc, accepted);
    issuedStampBasis = applied;
    return issuedStamp;
  }

  /**
   * Makes a local update (or batch) one entry. It reaches the key states through a {@link Ready}
   * once persisted; {@code requestHandle} then appears in {@link Ready#acknowledgedRequests()}.
   *
   * @param stamp the stamp last returned by {@link #nextLocalStamp()}
   * @param updates 1 to {@link ReplicationConfig#updatesPerEntryMax()} key updates, fitting a frame
   * @param requestHandle the driver's handle of the client request to answer
   * @return the entry
   * @throws IllegalArgumentException when the updates are empty, too many or too large
   * @throws IllegalStateException when {@code stamp} is not the current stamp
   */
  public LogEntry appendLocal(LocalStamp stamp, List<KeyUpdate> updates, long requestHandle) {
    return appendLocalEntry(stamp, updates, requestHandle);
  }

  /** As {@link #appendLocal(LocalStamp, List, long)}, for an update no client waits for. */
  public LogEntry appendLocal(LocalStamp stamp, List<KeyUpdate> updates) {
    return appendLocalEntry(stamp, updates, null);
  }

  private LogEntry appendLocalEntry(LocalStamp stamp, List<KeyUpdate> updates, Long requestHandle) {
    if (!stamp.equals(issuedStamp) || stamp.seq() != accepted.get(self) + 1) {
      throw new IllegalStateException("not the current local stamp: " + stamp);
    }
    if (updates.isEmpty() || updates.size() > config.updatesPerEntryMax()) {
      throw new IllegalArgumentException(
          "an entry holds 1 to " + config.updatesPerEntryMax() + " key updates");
    }
    LogEntry entry = new LogEntry(self, stamp.seq(), stamp.hlc(), stamp.deps(), updates);
    byte[] encoded = FrameCodec.encodeEntry(entry);
    int size = FrameCodec.entrySizeInFrame(encoded);
    if (size > config.frameBytesMax() - headerReserveBytes) {
      throw new IllegalArgumentException("entry of " + size + " bytes does not fit a frame");
    }
    issuedStamp = null;
    acceptEntry(new AcceptedEntry(entry, entry.dot(), encoded, requestHandle, issuedStampBasis));
    stability.localEntryAccepted(issuedStampBasis);
    return entry;
  }

  /** Counts one tick of time. */
  public void tick() {
    ticks++;
  }

  /**
   * How many ticks may pass before a {@link #ready()} could hold something that the passing of
   * ticks alone brings about; 0 when it may now. A driver that calls {@code ready()} after every
   * input need do so after a {@link #tick()} only when this is 0, and may let this many ticks pass
   * uncounted (and count them later) when nothing else happens. It is 0 while ticks count for
   * something: entries some peer lacks (to send once the batch window or the relay delay has
   * passed, or to resend), entries some peer has that this region lacks or entries buffered (a
   * state transfer may become due), a state transfer under way or a digest to answer, accepted work
   * not yet handed out. Otherwise it is the ticks until the next heartbeat is due to a peer.
   * Conservative: in each of those cases a driver pumps at every tick as before; an idle region
   * whose peers have what it has pumps once per heartbeat interval.
   */
  public long ticksUntilDue() {
    if (!pending.isEmpty() || !buffer.isEmpty() || transfer.underWay()) {
      return 0;
    }
    long until = config.heartbeatIntervalTicks();
    for (PeerState peer : peers.values()) {
      if (!peer.known.dominates(applied)
          || !accepted.dominates(peer.known)
          || peer.digestToServe != null) {
        return 0;
      }
      long sinceFrame = ticks - peer.lastFrameTick;
      until = Math.min(until, Math.max(0, config.heartbeatIntervalTicks() - sinceFrame));
    }
    return until;
  }

  /**
   * Takes a frame from a peer. Returns {@link FrameVerdict#ACCEPTED}, or the reason it was
   * rejected; a rejected frame is counted and changes nothing.
   */
  public FrameVerdict step(byte[] bytes) {
    Frame frame;
    try {
      frame = FrameCodec.decode(bytes, config.frameBytesMax());
      validator.validate(frame, accepted, stability.acknowledged());
    } catch (RejectedFrameException e) {
      rejectedFrames.merge(e.verdict(), 1L, Long::sum);
      return e.verdict();
    }
    acceptedFrames++;
    take(frame);
    checkInvariants();
    return FrameVerdict.ACCEPTED;
  }

  private LogEntry heldEntry(LogEntry received) {
    LogSlot slot = log.get(received.origin(), received.seq());
    if (slot != null) {
      return slot.entry;
    }
    if (unpersisted.isEmpty() && buffer.isEmpty()) {
      return null;
    }
    Dot dot = received.dot();
    AcceptedEntry accepted = unpersisted.get(dot);
    return accepted != null ? accepted.entry() : buffer.get(dot);
  }

  private void take(Frame frame) {
    long newest = frame.hlc();
    for (LogEntry entry : frame.entries()) {
      newest = Math.max(newest, entry.hlc());
    }
    receiveTimestamp(newest);
    PeerState peer = peers.get(frame.sender());
    sender.heard(peer, frame.applied(), ticks);
    stability.heard(peer, frame.acknowledged(), frame.stable());
    peer.trimmed = peer.trimmed.merge(frame.trimmed());
    for (LogEntry entry : frame.entries()) {
      receiveEntry(entry);
    }
    drainBuffer();
    frame.digestRequest().ifPresent(request -> peer.digestToServe = request);
    if (frame.stateChunk().isPresent()) {
      StateSnapshot snapshot = transfer.stage(frame.sender(), frame.stateChunk().get(), accepted);
      if (snapshot != null) {
        acceptSnapshot(snapshot);
      }
    }
    updateStableAndTrim();
  }

  private void receiveTimestamp(long timestamp) {
    if (clock.receive(timestamp).status() == HybridLogicalClock.ReceiveStatus.TOO_FAR_AHEAD) {
      clockAheadEvents++;
    }
  }

  private void receiveEntry(LogEntry entry) {
    if (entry.seq() <= accepted.get(entry.origin())
        || (!buffer.isEmpty() && buffer.containsKey(entry.dot()))) {
      duplicateEntries++;
      return;
    }
    if (deliverable(entry)) {
      acceptEntry(AcceptedEntry.received(entry));
    } else if (buffer.size() < config.deliveryBufferEntriesMax()) {
      buffer.put(entry.dot(), entry);
      bufferHighWater = Math.max(bufferHighWater, buffer.size());
    } else {
      droppedEntries++;
    }
  }

  private boolean deliverable(LogEntry entry) {
    return entry.seq() == accepted.get(entry.origin()) + 1
        && (!config.causalDelivery() || accepted.dominates(entry.deps()));
  }

  private void acceptEntry(AcceptedEntry item) {
    LogEntry entry = item.entry();
    accepted = accepted.with(entry.origin(), entry.seq());
    acceptedHlcMax = Math.max(acceptedHlcMax, entry.hlc());
    pending.add(item);
    unpersisted.put(item.dot(), item);
  }

  /** Accepts every buffered entry whose causal past is now accepted; drops those below it. */
  private void drainBuffer() {
    boolean progress = true;
    while (progress && !buffer.isEmpty()) {
      progress = false;
      Iterator<LogEntry> iterator = buffer.values().iterator();
      while (iterator.hasNext()) {
        LogEntry entry = iterator.next();
        if (entry.seq() <= accepted.get(entry.origin())) {
          iterator.remove();
        } else if (deliverable(entry)) {
          iterator.remove();
          acceptEntry(AcceptedEntry.received(entry));
          progress = true;
        }
      }
    }
  }

  /** A complete state transfer is accepted: it is installed after the entries accepted before. */
  private void acceptSnapshot(StateSnapshot snapshot) {
    receiveTimestamp(snapshot.hlcMax());
    accepted = accepted.merge(snapshot.vector());
    acceptedHlcMax = Math.max(acceptedHlcMax, snapshot.hlcMax());
    pending.add(new Install(snapshot));
    drainBuffer();
  }

  // ---------------------------------------------------------------- outputs

  /**
   * Everything to do now; see {@link Ready} for the order. Hand it back with {@link
   * #advance(Ready)} before calling this again.
   *
   * @throws IllegalStateException when the previous {@code Ready} was not advanced
   */
  public Ready ready() {
    if (outstanding != null) {
      throw new IllegalStateException("the previous Ready was not advanced");
    }
    outbox.start(ticks, applied, stability.acknowledged(), stability.stable(), log.trimmed());
    for (PeerState peer : peers.values()) {
      transfer.serve(peer, applied, appliedHlcMax, outbox);
    }
    transfer.requestIfNeeded(accepted, peers, outbox);
    for (PeerState peer : peers.values()) {
      sender.send(peer, applied, outbox);
    }
    List<OutboundFrame> frames = outbox.finish();
    List<LogEntry> entries = new ArrayList<>();
    List<byte[]> records = new ArrayList<>();
    List<Long> acknowledged = new ArrayList<>();
    StateSnapshot snapshot = null;
    while (!pending.isEmpty() && snapshot == null && entries.size() < config.entriesPerReadyMax()) {
      PendingWork work = pending.poll();
      if (work instanceof AcceptedEntry accepted) {
        // Encoded once: the bytes make the log record now and the frames that relay it later.
        AcceptedEntry entry = accepted.withEncoded();
        entries.add(entry.entry());
        records.add(LogRecordCodec.encodeFromEntryBytes(entry.encoded()));
        outstandingEntries.add(entry);
        if (entry.requestHandle() != null) {
          acknowledged.add(entry.requestHandle());
        }
      } else if (work instanceof Install install) {
        snapshot = install.snapshot();
      }
    }
    outstanding =
        new Ready(
            entries, records, Optional.ofNullable(snapshot), frames, acknowledged, log.trimmed());
    return outstanding;
  }

  /**
   * Confirms that the driver did everything {@code ready} asked: its entries are on disk and
   * visible, its snapshot installed and checkpointed.
   *
   * @throws IllegalStateException when {@code ready} is not the outstanding one
   */
  public void advance(Ready ready) {
    if (ready != outstanding) {
      throw new IllegalStateException("not the outstanding Ready");
    }
    outstanding = null;
    for (AcceptedEntry item : outstandingEntries) {
      LogEntry entry = item.entry();
      if (applied.get(entry.origin()) != entry.seq() - 1) {
        throw new IllegalStateException("entry out of order at advance: " + entry);
      }
      applied = applied.with(entry.origin(), entry.seq());
      appliedHlcMax = Math.max(appliedHlcMax, entry.hlc());
      unpersisted.remove(item.dot());
      if (entry.origin().equals(self)) {
        stability.localEntryApplied();
      }
      long loggedTick = entry.origin().equals(self) ? LogSlot.NOT_RELAYED : ticks;
      log.append(entry, loggedTick, item.encoded());
    }
    outstandingEntries.clear();
    ready.snapshot().ifPresent(this::installed);
    stability.acknowledge(applied);
    updateStableAndTrim();
    checkInvariants();
  }

  private void installed(StateSnapshot snapshot) {
    VersionVector before = applied;
    applied = applied.merge(snapshot.vector());
    appliedHlcMax = Math.max(appliedHlcMax, snapshot.hlcMax());
    log.skipGaps(before, applied);
  }

  private void updateStableAndTrim() {
    stability.update(applied, peers.values(), unpersisted.values());
    log.trim(applied, stability.stable(), config.logEntriesPerOriginMax());
  }

  /**
   * The always-on checks at the end of {@link #step} (an accepted frame: a rejected one changes
   * nothing) and of {@link #advance}: the order of the vectors ({@link VectorChain}) and a log that
   * holds exactly {@code trimmed + 1 .. applied}. A broken invariant fails fast.
   */
  private void checkInvariants() {
    new VectorChain(
            stability.settled(),
            stability.stable(),
            stability.acknowledged(),
            applied,
            accepted,
            log.trimmed())
        .check(self);
    log.checkHolds(applied);
  }

  // ---------------------------------------------------------------- reading

  /** This region's name. */
  public String self() {
    return self;
  }

  /** The bounds and intervals this core runs with. */
  public ReplicationConfig config() {
    return config;
  }

  /** Entries on disk and visible; what frames carry as applied, and what they may carry. */
  public VersionVector appliedVector() {
    return applied;
  }

  /**
   * What this region acknowledges, its part in every region's stable vector (frames carry it beside
   * the applied vector): the applied vector, held back by the acknowledgement rule while a local
   * entry stamped before part of it was applied is not applied itself. The rule and why it makes
   * {@link #settledStableVector()} safe are stated once, in {@code Stability} (this package). It
   * only grows, across restarts too.
   */
  public VersionVector acknowledgedVector() {
    return stability.acknowledged();
  }

  /** Entries accepted, including those not yet handed out or persisted. */
  public VersionVector acceptedVector() {
    return accepted;
  }

  /**
   * Entries every region has on disk: the application may fold their causal metadata away. It never
   * moves for a region that has not acknowledged.
   */
  public VersionVector stableVector() {
    return stability.stable();
  }

  /**
   * The stable vector the application may fold its CRDT states with ("settled", as the CRDT types
   * require): every entry at or below it is on disk at every region, and no entry whose payload was
   * prepared on a state lacking part of it is still to be applied here. It is a meet of
   * acknowledgements ({@link #acknowledgedVector()}), taken once this region's applied vector
   * covers the join of the applied vectors they came with; why that suffices follows from the
   * acknowledgement rule ({@code Stability}). It is at or below {@link #stableVector()}, only
   * grows, and starts empty after a restart.
   */
  public VersionVector settledStableVector() {
    return stability.settled();
  }

  /** Per origin, the highest seq no longer in the log. */
  public VersionVector trimmedVector() {
    return log.trimmed();
  }

  /** The largest HLC among applied entries: the driver stores it with each checkpoint. */
  public long appliedHlcMax() {
    return appliedHlcMax;
  }

  /** The current HLC, without ticking. */
  public long currentHlc() {
    return clock.current();
  }

  /** Entries of {@code origin} in the log. */
  public long logEntries(String origin) {
    return applied.get(origin) - log.trimmed().get(origin);
  }

  /** Ticks counted so far. */
  public long ticks() {
    return ticks;
  }

  /**
   * What the peer acknowledged last ({@link #acknowledgedVector()}), as far as this region knows.
   */
  public VersionVector acknowledgedBy(String peer) {
    return peer(peer).acknowledged;
  }

  /** What the peer applied last, as far as this region knows. */
  public VersionVector appliedBy(String peer) {
    return peer(peer).known;
  }

  private PeerState peer(String name) {
    PeerState state = peers.get(name);
    if (state == null) {
      throw new IllegalArgumentException("not a peer: " + name);
    }
    return state;
  }

  /** A snapshot of the counters and gauges. */
  public ReplicationMetrics metrics() {
    Map<String, Long> lag = new TreeMap<>();
    for (Map.Entry<String, PeerState> peer : peers.entrySet()) {
      long behind = 0;
      for (String origin : applied.replicas()) {
        behind += Math.max(0, applied.get(origin) - peer.getValue().known.get(origin));
      }
      lag.put(peer.getKey(), behind);
    }
    return new ReplicationMetrics(
        rejectedFrames,
        acceptedFrames,
        duplicateEntries,
        buffer.size(),
        bufferHighWater,
        droppedEntries,
        log.size(),
        log.forcedTrimEntries(),
        transfer.requested(),
        transfer.served(),
        transfer.installed(),
        transfer.abandoned(),
        clockAheadEvents,
        outbox.framesSent(),
        outbox.bytesSent(),
        outbox.entriesSent(),
        lag);
  }
}
