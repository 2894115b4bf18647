package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.Dot;
import io.meridian.clocks.HlcTimestamp;
import io.meridian.clocks.PhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.UpdateContext;
import io.meridian.replication.FrameVerdict;
import io.meridian.replication.KeyState;
import io.meridian.replication.KeyUpdate;
import io.meridian.replication.LocalStamp;
import io.meridian.replication.LogEntry;
import io.meridian.replication.LogRecordCodec;
import io.meridian.replication.OutboundFrame;
import io.meridian.replication.Ready;
import io.meridian.replication.ReplicaCore;
import io.meridian.replication.ReplicationMetrics;
import io.meridian.replication.RestoredReplica;
import io.meridian.replication.StateSnapshot;
import io.meridian.server.http.ApiException;
import io.meridian.server.http.ErrorCode;
import io.meridian.server.storage.CheckpointMetadata;
import io.meridian.server.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One region's logic without threads, sockets or a wall clock: the single owner of its {@link
 * ReplicaCore}, its key states, its operation ids, its waiting sessions and its checkpoints,
 * written against small interfaces for the update log ({@link RegionLog}), the checkpoint store
 * ({@link RegionCheckpoints}), the frame sink ({@link FrameSender}) and time (a {@link
 * PhysicalClock} and {@link #tick()}). Every method must be called on one thread (or one Vert.x
 * context); what the disk finishes later arrives as a call back on that thread. So a test or a
 * simulator drives it single-threaded and deterministically, and {@link RegionOwner} only wires it
 * to Vert.x.
 *
 * <p>{@link #pump()} does a {@link Ready} in the order its Javadoc prescribes: send its frames,
 * append its entries to the log, and once the group that holds them is on disk apply them, install
 * a state transfer (checkpointed before anything continues), answer the clients whose entries are
 * now durable, advance, and serve the requests whose session the region now covers. While a group
 * is being forced, new updates and frames gather in the next {@code Ready}: that is the group
 * commit. The driver asks for a pump through the {@code pumpWanted} callback; whoever drives it
 * calls {@link #pump()} soon after, on the driver's thread.
 *
 * <p>Local updates are prepared against a tentative state that includes this region's entries not
 * yet durable, so a pipelined second update sees the first. Restart: the last checkpoint's key
 * states, the whole log handed to {@link ReplicaCore#restore}, the entries after the checkpoint
 * applied again. Garbage collection folds the key states with the core's settled stable vector.
 */
public final class RegionDriver {
  private static final Logger LOG = Logger.getLogger(RegionDriver.class.getName());

  /** The checkpoint key of the region's own record (the HLC of the checkpointed entries). */
  static final ByteString META_HLC_KEY = ByteString.copyFrom(new byte[] {0x00, 'h'});

  private static final ByteString OPERATION_IDS_FROM = ByteString.copyFrom(new byte[] {0x02});
  private static final ByteString OPERATION_IDS_TO = ByteString.copyFrom(new byte[] {0x03});

  /** Own entries remembered with the time they were applied, for per-peer lag in millis. */
  private static final int OWN_ENTRY_TIMES_MAX = 100_000;

  /** Ticks a Ready refused by a full log queue is offered again before the region fails. */
  static final long LOG_OVERLOADED_TICKS_MAX = 1_000;

  /** Retry-After of an overloaded answer, in seconds. */
  private static final long OVERLOADED_RETRY_SECONDS = 1;

  /** How long a write whose every update was applied before waits for what was accepted. */
  private static final long REPEATED_WRITE_WAIT_MILLIS = TimeUnit.MINUTES.toMillis(1);

  private final RegionOwnerConfig config;
  private final String self;
  private final RegionLog log;
  private final RegionCheckpoints checkpoints;
  private final PhysicalClock clock;
  private final Runnable pumpWanted;
  private final RegionMetrics metrics;
  private final OperationIdTable operationIds;
  private final KeyStates states;
  private final SessionWaiters waiters;
  private final Watches watches = new Watches();
  private ReplicaCore core;
  private FrameSender sender = FrameSender.NONE;

  private final Map<Long, PendingWrite> pendingWrites = new HashMap<>();

  /**
   * The envelopes of this region's entries not yet applied, by seq, as prepared: applying a local
   * entry then needs no decode of bytes this region just encoded. Bounded by the writes pending;
   * empty after a restart, when the log's bytes are decoded.
   */
  private final Map<Long, EffectEnvelope[]> localEnvelopes = new HashMap<>();

  private long nextRequestHandle = 1;
  private final ArrayDeque<IndexedDot> logDots = new ArrayDeque<>();
  private final ArrayDeque<long[]> ownEntryTimes = new ArrayDeque<>();
  private long ticks;

  /** What the visible key states reflect (may run ahead of the core while a Ready is done). */
  private VersionVector visibleVector = VersionVector.empty();

  private long visibleHlcMax = HlcTimestamp.ZERO;
  private long lastAppliedLogIndex;
  private long checkpointLogIndex;
  private Ready outstanding;

  /**
   * True while the outstanding Ready's remote entries are visible but not yet on this region's
   * disk: no checkpoint may start then (it would record them as if durable here).
   */
  private boolean visibleAheadOfDisk;

  /** A checkpoint asked for while {@link #visibleAheadOfDisk}: started once the Ready is done. */
  private boolean checkpointDeferred;

  /** The outstanding Ready when the log refused it for a full queue: offered again at a tick. */
  private Ready appendRefused;

  /** Ticks in a row the log has refused the outstanding Ready. */
  private long logOverloadedTicks;

  private boolean pumpScheduled;
  private boolean recovering;
  private VersionVector lastFoldVector = VersionVector.empty();

  private boolean checkpointRunning;

  /** Told how the running checkpoint ended. */
  private List<Consumer<Throwable>> afterRunningCheckpoint = new ArrayList<>();

  /** Waiting for a checkpoint that starts after they asked (one is running). */
  private List<Consumer<Throwable>> afterNextCheckpoint = new ArrayList<>();

  private boolean closing;
  private boolean crashed;
  private Runnable whenClosed;

  // Volatile: readiness probes read them on other threads (see open()).
  private volatile boolean closed;
  private volatile Throwable failure;

  private record IndexedDot(long index, Dot dot) {}

  private record PendingWrite(
      CompletableFuture<RegionResult> answer, List<ObjectName> names, Dot dot) {}

  /**
   * What a driver runs against.
   *
   * @param log the update log
   * @param checkpoints the checkpoint store
   * @param clock physical time, for the HLC, operation id retention and lag figures
   * @param registry where the region's meters go
   * @param pumpWanted called when {@link #pump()} has work; must not call back into the driver
   */
  public record Environment(
      RegionLog log,
      RegionCheckpoints checkpoints,
      PhysicalClock clock,
      MeterRegistry registry,
      Runnable pumpWanted) {
    public Environment {
      Objects.requireNonNull(log, "log");
      Objects.requireNonNull(checkpoints, "checkpoints");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(pumpWanted, "pumpWanted");
    }
  }

  private RegionDriver(RegionOwnerConfig config, Environment environment) {
    this.config = config;
    this.self = config.name();
    this.log = environment.log();
    this.checkpoints = environment.checkpoints();
    this.clock = environment.clock();
    this.pumpWanted = environment.pumpWanted();
    this.metrics = new RegionMetrics(environment.registry(), self);
    this.operationIds =
        new OperationIdTable(config.operationIdRetentionMillis(), config.operationIdsMax());
    this.states = new KeyStates(operationIds, checkpoints, config.stateCacheBytes());
    this.waiters = new SessionWaiters(config.sessionWaitersMax());
  }

  /**
   * Opens a region on what the environment's log and checkpoint store hold: the last checkpoint's
   * key states and operation ids, then the log after it replayed. Reads the storage on the calling
   * thread; the caller then pumps once, to send and persist what recovery left to do.
   *
   * @param config bounds and intervals (the storage paths in it are not used here)
   * @param environment the log, checkpoint store, clock, meters and pump callback
   * @throws DecodeException when the log contradicts itself or the checkpoint
   */
  public static RegionDriver recover(RegionOwnerConfig config, Environment environment) {
    RegionDriver driver = new RegionDriver(config, environment);
    driver.recover();
    return driver;
  }

  private void recover() {
    Optional<CheckpointMetadata> checkpoint = checkpoints.lastCheckpoint();
    VersionVector checkpointVector =
        checkpoint.map(CheckpointMetadata::appliedVector).orElse(VersionVector.empty());
    checkpointLogIndex = checkpoint.map(CheckpointMetadata::logIndex).orElse(0L);
    long[] hlcMax = {HlcTimestamp.ZERO};
    ByteString hlc = checkpoints.state(META_HLC_KEY).orElse(null);
    if (hlc != null) {
      hlcMax[0] = hlc.asReadOnlyByteBuffer().getLong();
    }
    checkpoints.forEachState(
        OPERATION_IDS_FROM,
        OPERATION_IDS_TO,
        (key, value) -> {
          ObjectName name = ObjectName.fromCheckpointKey(key);
          if (name != null && ObjectName.isOperationIdsKey(key)) {
            operationIds.load(name, value);
          }
          return true;
        });
    states.recover();
    List<LogEntry> records = new ArrayList<>();
    log.replay(
        record -> {
          LogEntry entry = LogRecordCodec.decode(record.payload().toByteArray());
          records.add(entry);
          logDots.add(new IndexedDot(record.index(), entry.dot()));
        });
    lastAppliedLogIndex = log.lastIndex();
    RestoredReplica restored =
        ReplicaCore.restore(
            config.replication(), clock, states, checkpointVector, hlcMax[0], records);
    core = restored.core();
    visibleVector = checkpointVector;
    visibleHlcMax = hlcMax[0];
    recovering = true;
    for (LogEntry entry : restored.entriesToReplay()) {
      applyEntry(entry);
    }
    recovering = false;
    watches.recovered(visibleVector);
    LOG.info(
        () ->
            "region "
                + self
                + " recovered: checkpoint "
                + checkpointVector
                + ", "
                + records.size()
                + " log records, "
                + restored.entriesToReplay().size()
                + " replayed, applied "
                + core.appliedVector());
  }

  // ------------------------------------------------------------------ inputs

  /** Where frames go from now on. */
  public void connect(FrameSender frameSender) {
    this.sender = frameSender;
  }

  /** The region's name. */
  public String name() {
    return self;
  }

  /** A frame from a peer, as the transport authenticated it. */
  public void receiveFrame(byte[] frame) {
    if (closed) {
      return;
    }
    FrameVerdict verdict = core.step(frame);
    if (verdict != FrameVerdict.ACCEPTED) {
      LOG.fine(() -> "region " + self + " rejected a frame: " + verdict);
    }
    wantPump();
  }

  /**
   * One tick of time ({@link RegionOwnerConfig#tickMillis()}): the core's timers, the expiry of
   * operation ids, and of session waits; a pump only when the core says time made one due ({@link
   * ReplicaCore#ticksUntilDue()}).
   */
  public void tick() {
    if (closed || failure != null) {
      return;
    }
    ticks++;
    if (appendRefused != null) {
      Ready again = appendRefused;
      appendRefused = null;
      logOverloadedTicks++;
      appendReady(again);
    }
    core.tick();
    operationIds.expire(clock.millis());
    for (SessionWaiters.Waiter waiter : waiters.takeExpired(ticks)) {
      waiter.answer().completeExceptionally(sessionUnavailable(waiter.waitMillis()));
    }
    // Every other input asks for a pump itself; a tick only when time made something due. An idle
    // region then pumps once per heartbeat interval instead of at every tick.
    if (core.ticksUntilDue() == 0) {
      wantPump();
    }
  }

  /**
   * How many ticks may pass uncounted with nothing for {@link #tick()} to do; 0 while ticks count
   * for something (the core's timers, waiting sessions, a Ready in progress or refused by the log,
   * writes not yet answered, closing). The ticks must still be counted later, all of them, before
   * the next input: {@link RegionOwner} lets an idle region's timer sleep this long and catches up
   * when it wakes or when anything arrives.
   */
  public long idleTicks() {
    if (closed || failure != null) {
      return config.replication().heartbeatIntervalTicks();
    }
    if (closing
        || pumpScheduled
        || outstanding != null
        || appendRefused != null
        || !pendingWrites.isEmpty()
        || !waiters.isEmpty()) {
      return 0;
    }
    return core.ticksUntilDue();
  }

  /**
   * Applies {@code updates} as one entry (a batch when more than one), all or nothing: every update
   * is checked against the key states before anything is stamped, and a failure names its index.
   * Served once the applied vector covers {@code required}, or refused with {@code
   * session_unavailable} after {@code waitMillis} (counted in ticks). Completes once the entry is
   * on disk and visible, with the objects after it, or fails with an {@link ApiException}.
   */
  public CompletableFuture<RegionResult> write(
      List<UpdateRequest> updates, VersionVector required, long waitMillis) {
    CompletableFuture<RegionResult> answer = new CompletableFuture<>();
    whenCovered(required, false, waitMillis, answer, () -> doWrite(updates, answer));
    return answer;
  }

  /**
   * Reads {@code names} in one step, so the objects form one causally consistent snapshot. Served
   * once the applied vector covers {@code required} (as for writes).
   */
  public CompletableFuture<RegionResult> read(
      List<ObjectName> names, VersionVector required, long waitMillis) {
    CompletableFuture<RegionResult> answer = new CompletableFuture<>();
    whenCovered(
        required,
        false,
        waitMillis,
        answer,
        () -> answer.complete(new RegionResult(objects(names), visibleVector)));
    return answer;
  }

  /**
   * Watches {@code names}: once the applied vector covers {@code required} (as for reads), answers
   * the keys changed since {@code since} (null: every key that exists) and from then on tells
   * {@code sink} of every group of applied entries that changes one of them, in the order they are
   * applied. {@link #unwatch} stops it, as does the sink answering false.
   */
  CompletableFuture<Watches.Start> watch(
      List<ObjectName> names,
      VersionVector required,
      long waitMillis,
      VersionVector since,
      Watches.Sink sink) {
    CompletableFuture<Watches.Start> answer = new CompletableFuture<>();
    whenCovered(
        since == null ? required : required.merge(since),
        false,
        waitMillis,
        answer,
        () -> answer.complete(watches.add(names, since, visibleVector, this::object, sink)));
    return answer;
  }

  /** Stops watch {@code id} (nothing if it stopped already). */
  void unwatch(long id) {
    watches.remove(id);
  }

  /** The region, its HLC, applied vector, log length and peers. */
  public RegionStatus status() {
    Map<String, Long> applied = new LinkedHashMap<>();
    for (String region : config.replication().regions()) {
      applied.put(region, core.appliedVector().get(region));
    }
    List<RegionStatus.Peer> peers = new ArrayList<>();
    Map<String, Long> lag = core.metrics().peerLagEntries();
    for (Map.Entry<String, Long> peer : lag.entrySet()) {
      peers.add(
          new RegionStatus.Peer(
              peer.getKey(),
              sender.connected(peer.getKey()),
              peer.getValue(),
              lagMillis(peer.getKey())));
    }
    return new RegionStatus(self, core.currentHlc(), applied, logLength(), peers);
  }

  /** The entries applied here, per origin. */
  public VersionVector appliedVector() {
    return core.appliedVector();
  }

  /**
   * True until the region is closed or its storage has failed. The one method that may be called
   * from any thread (readiness probes).
   */
  public boolean open() {
    return !closed && failure == null;
  }

  RegionMetrics metrics() {
    return metrics;
  }

  /** The replica core, for the simulation's checks of vectors and bounds; never to be changed. */
  ReplicaCore core() {
    return core;
  }

  /** Operation ids held, for the simulation's bounds check. */
  /** Key states read (and decoded) from the checkpoint store since this driver opened. */
  long keyStoreReads() {
    return states.storeReads();
  }

  int operationIdsHeld() {
    return operationIds.size();
  }

  /** Writes stamped and not yet answered, for the simulation's bounds check. */
  int pendingWriteCount() {
    return pendingWrites.size();
  }

  // ------------------------------------------------------------------ sessions

  /**
   * Serves {@code serve} once the region covers {@code required}: with its visible state (which may
   * hold remote entries not yet on its own disk; a token naming them is honoured after a crash by
   * waiting until the origin sends them again), or, when {@code durable}, with what is on its disk.
   */
  private void whenCovered(
      VersionVector required,
      boolean durable,
      long waitMillis,
      CompletableFuture<?> answer,
      Runnable serve) {
    if (closing || closed || failure != null) {
      answer.completeExceptionally(
          ApiException.unavailable(ErrorCode.OVERLOADED, "region is closing", 1));
      return;
    }
    if ((durable ? core.appliedVector() : visibleVector).dominates(required)) {
      serveSafely(serve, answer);
      return;
    }
    metrics.sessionWaits.increment();
    if (waitMillis <= 0) {
      answer.completeExceptionally(sessionUnavailable(waitMillis));
      return;
    }
    long waitTicks = Math.max(1, (waitMillis + config.tickMillis() - 1) / config.tickMillis());
    SessionWaiters.Waiter waiter =
        new SessionWaiters.Waiter(
            required,
            durable,
            ticks + waitTicks,
            waitMillis,
            () -> serveSafely(serve, answer),
            answer);
    if (!waiters.add(waiter)) {
      metrics.overloaded.increment();
      answer.completeExceptionally(
          ApiException.unavailable(
              ErrorCode.OVERLOADED,
              "too many requests wait for their session",
              OVERLOADED_RETRY_SECONDS));
    }
  }

  private ApiException sessionUnavailable(long waitMillis) {
    metrics.sessionUnavailable.increment();
    return ApiException.unavailable(
        ErrorCode.SESSION_UNAVAILABLE,
        "this region has not yet applied what the session needs",
        Math.max(1, (waitMillis + 999) / 1000));
  }

  private void releaseWaiters() {
    for (SessionWaiters.Waiter waiter : waiters.takeCovered(visibleVector, core.appliedVector())) {
      waiter.serve().run();
    }
  }

  private static void serveSafely(Runnable serve, CompletableFuture<?> answer) {
    try {
      serve.run();
    } catch (ApiException e) {
      answer.completeExceptionally(e);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "request failed", e);
      answer.completeExceptionally(e);
    }
  }

  // ------------------------------------------------------------------ local writes

  private void doWrite(List<UpdateRequest> updates, CompletableFuture<RegionResult> answer) {
    if (pendingWrites.size() >= config.pendingWritesMax()) {
      metrics.overloaded.increment();
      throw ApiException.unavailable(
          ErrorCode.OVERLOADED, "too many writes wait for the disk", OVERLOADED_RETRY_SECONDS);
    }
    if (states.unstoredCount() >= config.changedKeysHardMax()) {
      metrics.overloaded.increment();
      metrics.checkpointBehind.increment();
      throw ApiException.unavailable(
          ErrorCode.OVERLOADED,
          "too many changed keys wait for the checkpoint",
          OVERLOADED_RETRY_SECONDS);
    }
    LocalStamp stamp = core.nextLocalStamp();
    Map<ObjectName, CrdtState> scratch = new LinkedHashMap<>();
    List<KeyUpdate> keyUpdates = new ArrayList<>();
    List<EffectEnvelope> envelopes = new ArrayList<>();
    List<ObjectName> names = new ArrayList<>(updates.size());
    for (int index = 0; index < updates.size(); index++) {
      UpdateRequest update = updates.get(index);
      names.add(update.name());
      try {
        prepare(update, stamp, scratch, keyUpdates, envelopes);
      } catch (CrdtRequestException e) {
        throw ApiException.refused(e, updates.size() > 1 ? index : -1);
      }
    }
    if (keyUpdates.isEmpty()) {
      // Every update was applied before (operation ids): answer once what is accepted is durable.
      VersionVector accepted = core.acceptedVector();
      whenCovered(
          accepted,
          true,
          REPEATED_WRITE_WAIT_MILLIS,
          answer,
          () -> answer.complete(new RegionResult(objects(names), accepted)));
      return;
    }
    long handle = nextRequestHandle++;
    try {
      core.appendLocal(stamp, keyUpdates, handle);
    } catch (IllegalArgumentException e) {
      throw ApiException.of(ErrorCode.TOO_LARGE, e.getMessage());
    }
    states.addTentative(scratch);
    localEnvelopes.put(stamp.seq(), envelopes.toArray(EffectEnvelope[]::new));
    pendingWrites.put(handle, new PendingWrite(answer, names, stamp.dot()));
    wantPump();
  }

  private void prepare(
      UpdateRequest update,
      LocalStamp stamp,
      Map<ObjectName, CrdtState> scratch,
      List<KeyUpdate> keyUpdates,
      List<EffectEnvelope> envelopes) {
    ObjectName name = update.name();
    CrdtState base = scratch.containsKey(name) ? scratch.get(name) : states.forLocalUpdate(name);
    CrdtType type = CrdtRegistry.type(update.operation().typeName());
    if (base != null && !base.typeName().equals(type.name())) {
      throw new CrdtRequestException(
          io.meridian.crdt.ErrorCode.TYPE_MISMATCH,
          "the key holds a " + base.typeName() + ", the update is for a " + type.name());
    }
    String operationId = update.operationId();
    if (operationId != null && operationIds.contains(name, operationId)) {
      return;
    }
    CrdtState state = base == null ? type.empty() : base;
    Optional<Effect> effect =
        type.prepare(
            state,
            update.operation(),
            new UpdateContext(
                stamp.dot(), stamp.hlc(), operationId, update.observed(), update.clientSequence()));
    if (effect.isEmpty()) {
      return;
    }
    scratch.put(name, type.apply(state, effect.get(), stamp.dot()));
    EffectEnvelope envelope = new EffectEnvelope(operationId, effect.get());
    envelopes.add(envelope);
    keyUpdates.add(new KeyUpdate(name.bucket(), name.key(), envelope.encode()));
  }

  // ------------------------------------------------------------------ the Ready loop

  private void wantPump() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      pumpWanted.run();
    }
  }

  /**
   * Takes the core's next {@link Ready} and does it, unless the previous one is still being done:
   * sends its frames and appends its entries; the rest follows once the log calls back.
   */
  public void pump() {
    pumpScheduled = false;
    if (outstanding != null || closed || failure != null) {
      return;
    }
    Ready ready = core.ready();
    FrameSender frames = sender;
    for (OutboundFrame frame : ready.frames()) {
      frames.send(frame.peer(), frame.bytes());
    }
    outstanding = ready;
    if (ready.entries().isEmpty()) {
      persisted(ready, List.of());
      return;
    }
    if (config.remoteVisibleBeforeFsync()) {
      showRemoteEntries(ready);
    }
    appendReady(ready);
  }

  /**
   * Appends the outstanding Ready's records. A log whose queue is full refuses the whole group
   * ({@link StorageException.Reason#OVERLOADED}): the Ready stays outstanding and is offered again
   * at each tick, at most {@link #LOG_OVERLOADED_TICKS_MAX} times before the region fails; in the
   * meantime new writes wait in {@code pendingWrites}, whose bound answers {@code overloaded}.
   */
  private void appendReady(Ready ready) {
    log.append(
        ready.logRecords(),
        (indexes, error) -> {
          if (closed) {
            return;
          }
          if (error instanceof StorageException refused
              && refused.reason() == StorageException.Reason.OVERLOADED
              && logOverloadedTicks < LOG_OVERLOADED_TICKS_MAX) {
            metrics.logOverloaded.increment();
            appendRefused = ready;
          } else if (error != null) {
            fail(error);
          } else {
            logOverloadedTicks = 0;
            persisted(ready, indexes);
          }
        });
  }

  /**
   * Applies the Ready's entries of other regions before its log append is on disk here: each is
   * durable at its origin (a frame only carries entries on its sender's disk), which keeps it until
   * every region has it on disk (stable). No remote entry of a Ready depends on a local entry of
   * the same Ready (those leave only once on disk), so the visible set stays causally closed; the
   * local entries follow once on disk, as before. The core's applied and acknowledged vectors, and
   * so what peers hear, still move only once the Ready is on disk.
   */
  private void showRemoteEntries(Ready ready) {
    boolean shown = false;
    for (LogEntry entry : ready.entries()) {
      if (!entry.origin().equals(self)) {
        applyEntry(entry);
        shown = true;
      }
    }
    if (shown) {
      visibleAheadOfDisk = true;
      watches.publish(visibleVector, this::object);
      releaseWaiters();
    }
  }

  /** Steps 2 to 6 of a Ready, once its entries are on disk at {@code indexes}. */
  private void persisted(Ready ready, List<Long> indexes) {
    boolean shownAlready = visibleAheadOfDisk;
    visibleAheadOfDisk = false;
    for (int i = 0; i < indexes.size(); i++) {
      LogEntry entry = ready.entries().get(i);
      logDots.add(new IndexedDot(indexes.get(i), entry.dot()));
      lastAppliedLogIndex = Math.max(lastAppliedLogIndex, indexes.get(i));
      if (!shownAlready || entry.origin().equals(self)) {
        applyEntry(entry);
      }
    }
    if (ready.snapshot().isPresent()) {
      install(ready.snapshot().get());
      freshCheckpoint(
          error -> {
            if (error != null) {
              fail(error);
            } else {
              finish(ready);
            }
          });
      return;
    }
    finish(ready);
  }

  private void finish(Ready ready) {
    for (Long handle : ready.acknowledgedRequests()) {
      PendingWrite write = pendingWrites.remove(handle);
      if (write != null) {
        write.answer.complete(
            new RegionResult(objects(write.names), VersionVector.of(self, write.dot.counter())));
      }
    }
    core.advance(ready);
    outstanding = null;
    if (checkpointDeferred && !checkpointRunning && !closed) {
      checkpointDeferred = false;
      startCheckpoint();
    }
    watches.publish(visibleVector, this::object);
    releaseWaiters();
    publishGauges();
    if (states.changedCount() >= config.changedKeysMax() && !checkpointRunning && !closing) {
      // The decoded states of changed keys are the heap that grows with writes: bound it.
      startCheckpoint();
    }
    if (!ready.isEmpty()) {
      wantPump();
    }
    if (closing && !closed) {
      closeWhenIdle();
    }
  }

  private void applyEntry(LogEntry entry) {
    boolean local = entry.origin().equals(self);
    visibleVector = visibleVector.with(entry.origin(), entry.seq());
    visibleHlcMax = Math.max(visibleHlcMax, entry.hlc());
    Set<ObjectName> seen = new HashSet<>();
    long now = clock.millis();
    // A local entry's envelopes as prepared (the same effects its bytes encode), else decoded.
    EffectEnvelope[] prepared = local ? localEnvelopes.remove(entry.seq()) : null;
    int index = 0;
    for (KeyUpdate update : entry.updates()) {
      ObjectName name = new ObjectName(update.bucket(), update.key());
      EffectEnvelope envelope;
      try {
        envelope = prepared != null ? prepared[index++] : EffectEnvelope.decode(update.effect());
        states.apply(name, envelope.effect(), entry.dot(), local, seen.add(name), visibleVector);
        watches.touched(name);
      } catch (DecodeException | IllegalArgumentException | CrdtRequestException e) {
        // A peer is trusted not to lie; an effect this code cannot read is counted and skipped.
        metrics.malformedEffects.increment();
        LOG.warning("region " + self + " skipped an unreadable effect of " + entry + ": " + e);
        continue;
      }
      if (envelope.operationId() != null) {
        operationIds.record(name, envelope.operationId(), now);
      }
    }
    if (local) {
      metrics.updatesAppliedLocal.increment(entry.updates().size());
      ownEntryTimes.add(new long[] {entry.seq(), now});
      if (ownEntryTimes.size() > OWN_ENTRY_TIMES_MAX) {
        ownEntryTimes.poll();
      }
    } else {
      metrics.updatesAppliedRemote.increment(entry.updates().size());
      if (!recovering) {
        // Not while replaying the log at start: that delay would measure the downtime.
        metrics.visibilityDelay.record(
            Math.max(0, now - HlcTimestamp.physical(entry.hlc())), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void install(StateSnapshot snapshot) {
    VersionVector after = visibleVector.merge(snapshot.vector());
    for (KeyState keyState : snapshot.keyStates()) {
      ObjectName name = new ObjectName(keyState.bucket(), keyState.key());
      try {
        TransferredKey transferred = TransferredKey.decode(keyState.state());
        CrdtState state = CrdtRegistry.decodeState(transferred.state());
        if (transferred.operationIds() != null) {
          operationIds.load(name, transferred.operationIds());
        }
        states.install(name, state, after);
        watches.touched(name);
      } catch (DecodeException | IllegalArgumentException e) {
        metrics.malformedEffects.increment();
        LOG.warning("region " + self + " skipped an unreadable state of " + name + ": " + e);
      }
    }
    visibleVector = after;
    visibleHlcMax = Math.max(visibleHlcMax, snapshot.hlcMax());
    LOG.info(
        () ->
            "region "
                + self
                + " installed a state transfer from "
                + snapshot.source()
                + ": "
                + snapshot.keyStates().size()
                + " keys, now "
                + visibleVector);
  }

  private void fail(Throwable error) {
    if (failure != null) {
      return;
    }
    failure = error;
    LOG.log(Level.SEVERE, "region " + self + " stopped: the update log failed", error);
    ApiException answer = ApiException.unavailable(ErrorCode.OVERLOADED, "storage failed", 30);
    for (PendingWrite write : pendingWrites.values()) {
      write.answer.completeExceptionally(answer);
    }
    pendingWrites.clear();
    localEnvelopes.clear();
    if (closing && !closed) {
      closeWhenIdle();
    }
  }

  // ------------------------------------------------------------------ checkpoints and GC

  /**
   * Folds the key states with the core's settled stable vector (when it moved), then checkpoints
   * the key states changed since the last checkpoint unless one is running. Called every {@link
   * RegionOwnerConfig#checkpointIntervalMillis()}.
   */
  public void checkpointAndFold() {
    if (closed || failure != null) {
      return;
    }
    foldSettled();
    if (!checkpointRunning) {
      startCheckpoint();
    }
  }

  /**
   * Folds with the core's settled stable vector (crdt-types README): stable, and this region has
   * applied every entry concurrent with a stable one. Only when it moved since the last fold.
   */
  private void foldSettled() {
    VersionVector settled = core.settledStableVector();
    if (!settled.equals(lastFoldVector)) {
      states.fold(settled);
      lastFoldVector = settled;
    }
  }

  /** Tells {@code then} how a checkpoint covering everything applied now ended. */
  private void freshCheckpoint(Consumer<Throwable> then) {
    if (checkpointRunning) {
      afterNextCheckpoint.add(then);
      return;
    }
    afterRunningCheckpoint.add(then);
    startCheckpoint();
  }

  /**
   * Commits the key states changed since the last checkpoint, with the vector and HLC they reflect;
   * once committed, log records below both the checkpoint and the trimmed vector may go.
   */
  private void startCheckpoint() {
    if (visibleAheadOfDisk) {
      checkpointDeferred = true;
      return;
    }
    Map<ObjectName, byte[]> changed = states.takeChanged();
    VersionVector vector = visibleVector;
    long index = lastAppliedLogIndex;
    if (changed.isEmpty() && index == checkpointLogIndex) {
      checkpointEnded(index, null);
      return;
    }
    Set<ByteString> removed = new HashSet<>();
    Map<ByteString, ByteString> encoded = states.checkpointRecords(changed, removed);
    encoded.put(
        META_HLC_KEY, ByteString.copyFrom(ByteBuffer.allocate(8).putLong(visibleHlcMax).array()));
    encoded.put(KeyStates.META_KEY_COUNT, states.keyCountRecord());
    checkpointRunning = true;
    checkpoints.commit(vector, index, encoded, removed, error -> checkpointEnded(index, error));
  }

  private void checkpointEnded(long index, Throwable error) {
    checkpointRunning = false;
    if (error != null) {
      states.checkpointFailed();
      LOG.log(Level.WARNING, "checkpoint failed", error);
    } else {
      states.checkpointCommitted();
      checkpointLogIndex = index;
      if (!crashed) {
        trimLog();
      }
    }
    List<Consumer<Throwable>> told = afterRunningCheckpoint;
    afterRunningCheckpoint = new ArrayList<>();
    told.forEach(then -> then.accept(error));
    if (!afterNextCheckpoint.isEmpty() && !checkpointRunning) {
      afterRunningCheckpoint = afterNextCheckpoint;
      afterNextCheckpoint = new ArrayList<>();
      startCheckpoint();
    }
  }

  private void trimLog() {
    VersionVector trimmed = core.trimmedVector();
    while (!logDots.isEmpty()) {
      IndexedDot first = logDots.peek();
      if (first.index() > checkpointLogIndex || !trimmed.contains(first.dot())) {
        break;
      }
      logDots.poll();
    }
    long keepFrom = logDots.isEmpty() ? checkpointLogIndex + 1 : logDots.peek().index();
    log.deleteBelow(Math.min(keepFrom, checkpointLogIndex + 1));
  }

  // ------------------------------------------------------------------ reading

  private RegionObject object(ObjectName name) {
    return new RegionObject(name, states.visible(name));
  }

  private List<RegionObject> objects(List<ObjectName> names) {
    List<RegionObject> objects = new ArrayList<>(names.size());
    for (ObjectName name : names) {
      objects.add(new RegionObject(name, states.visible(name)));
    }
    return objects;
  }

  private long logLength() {
    long length = 0;
    for (String region : config.replication().regions()) {
      length += core.logEntries(region);
    }
    return length;
  }

  private long lagMillis(String peer) {
    long applied = core.appliedBy(peer).get(self);
    for (long[] entry : ownEntryTimes) {
      if (entry[0] > applied) {
        return Math.max(0, clock.millis() - entry[1]);
      }
    }
    return 0;
  }

  private void publishGauges() {
    ReplicationMetrics replication = core.metrics();
    metrics.deliveryBufferEntries.set(replication.deliveryBufferEntries());
    metrics.logEntries.set(replication.logEntries());
    metrics.clockAheadEvents.set(replication.clockAheadEvents());
    metrics.keys.set(states.size());
    metrics.framesSent.set(replication.framesSent());
    metrics.entriesSent.set(replication.entriesSent());
    metrics.frameBytesSent.set(replication.bytesSent());
    metrics.publishRejected(replication.rejectedFrames());
    long everyoneHas = Long.MAX_VALUE;
    for (Map.Entry<String, Long> lag : replication.peerLagEntries().entrySet()) {
      metrics.publishPeer(lag.getKey(), lag.getValue(), lagMillis(lag.getKey()));
      everyoneHas = Math.min(everyoneHas, core.appliedBy(lag.getKey()).get(self));
    }
    while (!ownEntryTimes.isEmpty() && ownEntryTimes.peek()[0] <= everyoneHas) {
      ownEntryTimes.poll();
    }
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops serving: lets the Ready in progress and the writes already stamped reach the disk and
   * their clients, refuses the requests still waiting ({@code overloaded}), takes a last checkpoint
   * and then runs {@code closed}. The storage is the caller's to close after that.
   */
  public void close(Runnable closed) {
    if (closing) {
      return;
    }
    closing = true;
    whenClosed = closed;
    closeWhenIdle();
  }

  private void closeWhenIdle() {
    if ((outstanding != null || !pendingWrites.isEmpty()) && failure == null) {
      // Let the writes already stamped reach the disk and their clients; take no new ones.
      wantPump();
      return;
    }
    closed = true;
    ApiException closingAnswer =
        ApiException.unavailable(ErrorCode.OVERLOADED, "region is closing", 1);
    for (SessionWaiters.Waiter waiter : waiters.takeAll()) {
      waiter.answer().completeExceptionally(closingAnswer);
    }
    // Writes stamped but not yet in a Ready never reach the disk now: their clients must not wait.
    for (PendingWrite write : pendingWrites.values()) {
      write.answer.completeExceptionally(closingAnswer);
    }
    pendingWrites.clear();
    localEnvelopes.clear();
    if (failure != null) {
      whenClosed.run();
    } else {
      freshCheckpoint(error -> whenClosed.run());
    }
  }

  /**
   * Stops like a crash would: no last checkpoint, nothing answered. What was acknowledged is in the
   * log; what the last checkpoint missed is replayed at the next open.
   */
  public void crash() {
    closed = true;
    crashed = true;
  }
}
