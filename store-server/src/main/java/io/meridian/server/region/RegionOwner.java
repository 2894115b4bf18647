package io.meridian.server.region;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.meridian.crdt.ErrorCode;
import io.meridian.crdt.UpdateContext;
import io.meridian.replication.FrameVerdict;
import io.meridian.replication.KeyState;
import io.meridian.replication.KeyUpdate;
import io.meridian.replication.LocalStamp;
import io.meridian.replication.LogEntry;
import io.meridian.replication.LogRecordCodec;
import io.meridian.replication.Ready;
import io.meridian.replication.ReplicaCore;
import io.meridian.replication.ReplicationMetrics;
import io.meridian.replication.RestoredReplica;
import io.meridian.replication.StateSnapshot;
import io.meridian.server.storage.CheckpointMetadata;
import io.meridian.server.storage.CheckpointStore;
import io.meridian.server.storage.DataDirectory;
import io.meridian.server.storage.StorageException;
import io.meridian.server.storage.UpdateLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One region as a running server: the single owner of its {@link ReplicaCore}, its key states and
 * its update log, on one Vert.x context. Every public method may be called from any thread; the
 * work runs on the owner and the answer comes back as a future. Nothing here blocks an event loop:
 * the log forces its groups on its own thread and checkpoints run on a worker.
 *
 * <p>The driver loop ({@code pump}) does a {@link Ready} in the order its Javadoc prescribes: send
 * its frames, append its entries to the log, and once the group that holds them is on disk apply
 * them, install a state transfer (checkpointed before anything continues), answer the clients whose
 * entries are now durable, advance, and re-check the requests waiting for their session guarantees.
 * While a group is being forced, new updates and frames keep arriving and gather in the next {@code
 * Ready}: that is the group commit (many updates, one fsync).
 *
 * <p>Restart: the last checkpoint's key states are loaded, the whole log is handed to {@link
 * ReplicaCore#restore}, and the entries after the checkpoint are applied again; peers then send
 * what is missing.
 */
public final class RegionOwner {
  private static final Logger LOG = Logger.getLogger(RegionOwner.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The checkpoint key of the region's own record (the HLC of the checkpointed entries). */
  private static final ByteString META_HLC_KEY = ByteString.copyFrom(new byte[] {0x00, 'h'});

  /** Own entries remembered with the time they were applied, for per-peer lag in millis. */
  private static final int OWN_ENTRY_TIMES_MAX = 100_000;

  /** Retry-After of an overloaded answer, in seconds. */
  private static final long OVERLOADED_RETRY_SECONDS = 1;

  private final Vertx vertx;
  private final RegionOwnerConfig config;
  private final String self;
  private final DataDirectory directory;
  private final CheckpointStore checkpoints;
  private final UpdateLog log;
  private final KeyStates states;
  private final OperationIdTable operationIds;
  private final RegionMetrics metrics;
  private final PhysicalClock wallClock = PhysicalClock.system();
  private ReplicaCore core;
  private Context context;
  private volatile FrameSender sender = FrameSender.NONE;

  private final Map<Long, PendingWrite> pendingWrites = new HashMap<>();
  private long nextRequestHandle = 1;
  private final List<Waiter> waiters = new ArrayList<>();
  private final ArrayDeque<IndexedDot> logDots = new ArrayDeque<>();
  private final ArrayDeque<long[]> ownEntryTimes = new ArrayDeque<>();

  /** What the visible key states reflect (may run ahead of the core while a Ready is done). */
  private VersionVector visibleVector;

  private long visibleHlcMax;
  private long lastAppliedLogIndex;
  private long checkpointLogIndex;
  private Ready outstanding;
  private boolean pumpScheduled;
  private Future<Void> checkpointRunning;
  private VersionVector lastFoldVector = VersionVector.empty();
  private boolean closing;
  private boolean closed;
  private Throwable failure;
  private final List<Long> timers = new ArrayList<>();
  private String deploymentId;

  private record IndexedDot(long index, Dot dot) {}

  private record PendingWrite(
      Promise<RegionResult> promise, List<ObjectName> names, Dot dot, long startNanos) {}

  private static final class Waiter {
    final VersionVector required;
    final Runnable serve;
    final Promise<?> promise;
    long timer = -1;

    Waiter(VersionVector required, Runnable serve, Promise<?> promise) {
      this.required = required;
      this.serve = serve;
      this.promise = promise;
    }
  }

  private RegionOwner(Vertx vertx, RegionOwnerConfig config, MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.self = config.name();
    this.metrics = new RegionMetrics(registry, self);
    this.states = new KeyStates();
    this.operationIds =
        new OperationIdTable(config.operationIdRetentionMillis(), config.operationIdsMax());
    DataDirectory openedDirectory = DataDirectory.open(config.dataDirectory());
    CheckpointStore openedCheckpoints = null;
    UpdateLog openedLog = null;
    try {
      openedCheckpoints = CheckpointStore.open(openedDirectory.checkpointFile());
      openedLog = UpdateLog.open(openedDirectory.logDirectory(), config.updateLog());
    } catch (RuntimeException e) {
      if (openedCheckpoints != null) {
        openedCheckpoints.close();
      }
      openedDirectory.close();
      throw e;
    }
    this.directory = openedDirectory;
    this.checkpoints = openedCheckpoints;
    this.log = openedLog;
    metrics.registerLog(openedLog);
  }

  /**
   * Opens the region on {@code dataDirectory}: loads the last checkpoint, replays the log, and
   * starts the owner, its tick and checkpoint timers. Blocks while it reads the disk: call it from
   * a thread that is not an event loop. Frames go nowhere until {@link #connect} is called.
   *
   * @throws StorageException when the directory is held by another process or the disk is damaged
   */
  public static RegionOwner open(Vertx vertx, RegionOwnerConfig config, MeterRegistry registry) {
    RegionOwner region = new RegionOwner(vertx, config, registry);
    try {
      region.recover();
      region.start();
    } catch (RuntimeException e) {
      region.closeStorage();
      throw e;
    }
    return region;
  }

  private void recover() {
    long hlcMax = HlcTimestamp.ZERO;
    Optional<CheckpointMetadata> checkpoint = checkpoints.lastCheckpoint();
    VersionVector checkpointVector =
        checkpoint.map(CheckpointMetadata::appliedVector).orElse(VersionVector.empty());
    checkpointLogIndex = checkpoint.map(CheckpointMetadata::logIndex).orElse(0L);
    Optional<ByteString> hlc = checkpoints.state(META_HLC_KEY);
    if (hlc.isPresent()) {
      hlcMax = hlc.get().asReadOnlyByteBuffer().getLong();
    }
    checkpoints.forEachState(
        (key, value) -> {
          ObjectName name = ObjectName.fromCheckpointKey(key);
          if (name == null) {
            return;
          }
          if (ObjectName.isOperationIdsKey(key)) {
            operationIds.load(name, value);
          } else {
            states.load(name, CrdtRegistry.decodeState(value.toByteArray()));
          }
        });
    List<LogEntry> records = new ArrayList<>();
    log.replay(
        log.firstIndex(),
        record -> {
          LogEntry entry = LogRecordCodec.decode(record.payload().toByteArray());
          records.add(entry);
          logDots.add(new IndexedDot(record.index(), entry.dot()));
        });
    lastAppliedLogIndex = log.lastIndex();
    RestoredReplica restored =
        ReplicaCore.restore(
            config.replication(), wallClock, states, checkpointVector, hlcMax, records);
    core = restored.core();
    visibleVector = checkpointVector;
    visibleHlcMax = hlcMax;
    for (LogEntry entry : restored.entriesToReplay()) {
      applyEntry(entry);
    }
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

  private void start() {
    OwnerVerticle owner = new OwnerVerticle();
    deploymentId = await(vertx.deployVerticle(owner));
    context = owner.context();
    context.runOnContext(
        v -> {
          timers.add(vertx.setPeriodic(config.tickMillis(), id -> tick()));
          timers.add(
              vertx.setPeriodic(
                  config.checkpointIntervalMillis(), id -> periodicCheckpointAndFold()));
          schedulePump();
        });
  }

  /** Gives the owner an event-loop context of its own. */
  private static final class OwnerVerticle extends VerticleBase {
    Context context() {
      return context;
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("region start failed: " + e, e);
    }
  }

  // ------------------------------------------------------------------ inputs

  /** Where frames go from now on; the transport calls it once it is listening. */
  public void connect(FrameSender frameSender) {
    this.sender = frameSender;
  }

  /** The region's name. */
  public String name() {
    return self;
  }

  /** The configuration the region runs with. */
  public RegionOwnerConfig config() {
    return config;
  }

  /**
   * A frame from {@code peer}, as the transport authenticated it. A frame whose sender field names
   * another region is the transport's to reject; this takes what it is given.
   */
  public void receiveFrame(byte[] frame) {
    context.runOnContext(
        v -> {
          if (closed) {
            return;
          }
          FrameVerdict verdict = core.step(frame);
          if (verdict != FrameVerdict.ACCEPTED) {
            LOG.fine(() -> "region " + self + " rejected a frame: " + verdict);
          }
          schedulePump();
        });
  }

  /** Counts a frame the transport rejected because its sender is not the authenticated peer. */
  public void countFrameFromWrongSender() {
    metrics.framesFromWrongSender.incrementAndGet();
  }

  /**
   * Applies {@code updates} as one entry (a batch when more than one), all or nothing: every update
   * is checked against the key states before anything is stamped, and a failure names its index.
   * Served once the applied vector covers {@code required}, or failed with {@code
   * session_unavailable} after {@code waitMillis}. Completes once the entry is on disk and visible,
   * with the objects after it.
   */
  public Future<RegionResult> write(
      List<UpdateRequest> updates, VersionVector required, long waitMillis) {
    Promise<RegionResult> promise = Promise.promise();
    context.runOnContext(
        v -> whenCovered(required, waitMillis, promise, () -> doWrite(updates, promise)));
    return onCallersContext(promise.future());
  }

  /**
   * Reads {@code names} in one owner step, so the objects form one causally consistent snapshot.
   * Served once the applied vector covers {@code required} (as for writes).
   */
  public Future<RegionResult> read(
      List<ObjectName> names, VersionVector required, long waitMillis) {
    Promise<RegionResult> promise = Promise.promise();
    context.runOnContext(
        v ->
            whenCovered(
                required,
                waitMillis,
                promise,
                () -> {
                  List<ObjectNode> objects = new ArrayList<>(names.size());
                  for (ObjectName name : names) {
                    objects.add(objectOrMissing(name));
                  }
                  promise.complete(new RegionResult(objects, visibleVector));
                }));
    return onCallersContext(promise.future());
  }

  /**
   * The owner's answer, delivered on the caller's context when it has one: whatever the caller
   * chains on it (JSON, the HTTP response) then runs there and not on the owner's single thread.
   */
  private static <T> Future<T> onCallersContext(Future<T> answer) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return answer;
    }
    Promise<T> relayed = Promise.promise();
    answer.onComplete(result -> caller.runOnContext(v -> relayed.handle(result)));
    return relayed.future();
  }

  /** {@code GET /v1/status}: the region, its HLC, applied vector, log length and peers. */
  public Future<ObjectNode> status() {
    Promise<ObjectNode> promise = Promise.promise();
    context.runOnContext(
        v -> {
          ObjectNode status = JSON.createObjectNode();
          status.put("region", self);
          status.put("hlc", core.currentHlc());
          ObjectNode applied = status.putObject("applied");
          for (String region : config.replication().regions()) {
            applied.put(region, core.appliedVector().get(region));
          }
          status.put("logLength", logLength());
          var peers = status.putArray("peers");
          Map<String, Long> lag = core.metrics().peerLagEntries();
          for (String peer : lag.keySet()) {
            ObjectNode entry = peers.addObject();
            entry.put("name", peer);
            entry.put("connected", sender.connected(peer));
            entry.put("lagEntries", lag.get(peer));
            entry.put("lagMillis", lagMillis(peer));
          }
          promise.complete(status);
        });
    return promise.future();
  }

  /** The applied vector, read on the owner (for tests and tools). */
  public Future<VersionVector> appliedVector() {
    Promise<VersionVector> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(core.appliedVector()));
    return promise.future();
  }

  /** True while storage is open and the region has not failed. */
  public boolean ready() {
    return !closed && failure == null;
  }

  // ------------------------------------------------------------------ sessions

  private void whenCovered(
      VersionVector required, long waitMillis, Promise<?> promise, Runnable serve) {
    if (closing || closed || failure != null) {
      promise.fail(
          new RegionException(RegionException.Code.OVERLOADED, "region is closing", -1, 1));
      return;
    }
    if (visibleVector.dominates(required) && core.appliedVector().dominates(required)) {
      serveSafely(serve, promise);
      return;
    }
    metrics.sessionWaits.increment();
    if (waitMillis <= 0) {
      promise.fail(sessionUnavailable(waitMillis));
      return;
    }
    if (waiters.size() >= config.sessionWaitersMax()) {
      metrics.overloaded.increment();
      promise.fail(
          new RegionException(
              RegionException.Code.OVERLOADED,
              "too many requests wait for their session",
              -1,
              OVERLOADED_RETRY_SECONDS));
      return;
    }
    Waiter waiter = new Waiter(required, serve, promise);
    waiter.timer =
        vertx.setTimer(
            waitMillis,
            id -> {
              if (waiters.remove(waiter)) {
                promise.fail(sessionUnavailable(waitMillis));
              }
            });
    waiters.add(waiter);
  }

  private RegionException sessionUnavailable(long waitMillis) {
    metrics.sessionUnavailable.increment();
    return new RegionException(
        RegionException.Code.SESSION_UNAVAILABLE,
        "this region has not yet applied what the session needs",
        -1,
        Math.max(1, (waitMillis + 999) / 1000));
  }

  private void releaseWaiters() {
    if (waiters.isEmpty()) {
      return;
    }
    VersionVector applied = core.appliedVector();
    Iterator<Waiter> iterator = waiters.iterator();
    List<Waiter> ready = new ArrayList<>();
    while (iterator.hasNext()) {
      Waiter waiter = iterator.next();
      if (applied.dominates(waiter.required)) {
        iterator.remove();
        ready.add(waiter);
      }
    }
    for (Waiter waiter : ready) {
      vertx.cancelTimer(waiter.timer);
      serveSafely(waiter.serve, waiter.promise);
    }
  }

  private static void serveSafely(Runnable serve, Promise<?> promise) {
    try {
      serve.run();
    } catch (RegionException e) {
      promise.tryFail(e);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "request failed", e);
      promise.tryFail(e);
    }
  }

  // ------------------------------------------------------------------ local writes

  private void doWrite(List<UpdateRequest> updates, Promise<RegionResult> promise) {
    if (pendingWrites.size() >= config.pendingWritesMax()) {
      metrics.overloaded.increment();
      throw new RegionException(
          RegionException.Code.OVERLOADED,
          "too many writes wait for the disk",
          -1,
          OVERLOADED_RETRY_SECONDS);
    }
    LocalStamp stamp = core.nextLocalStamp();
    Map<ObjectName, CrdtState> scratch = new LinkedHashMap<>();
    List<KeyUpdate> keyUpdates = new ArrayList<>();
    List<ObjectName> names = new ArrayList<>(updates.size());
    for (int index = 0; index < updates.size(); index++) {
      UpdateRequest update = updates.get(index);
      names.add(update.name());
      try {
        prepare(update, stamp, scratch, keyUpdates);
      } catch (CrdtRequestException e) {
        throw new RegionException(
            e.code() == ErrorCode.TYPE_MISMATCH
                ? RegionException.Code.TYPE_MISMATCH
                : RegionException.Code.BAD_REQUEST,
            e.getMessage(),
            updates.size() > 1 ? index : -1,
            0);
      }
    }
    if (keyUpdates.isEmpty()) {
      // Every update was applied before (operation ids): answer once what is accepted is durable.
      VersionVector accepted = core.acceptedVector();
      whenCovered(
          accepted,
          TimeUnit.MINUTES.toMillis(1),
          promise,
          () -> promise.complete(new RegionResult(objects(names), accepted)));
      return;
    }
    long handle = nextRequestHandle++;
    try {
      core.appendLocal(stamp, keyUpdates, handle);
    } catch (IllegalArgumentException e) {
      throw new RegionException(RegionException.Code.TOO_LARGE, e.getMessage());
    }
    states.addTentative(scratch);
    pendingWrites.put(handle, new PendingWrite(promise, names, stamp.dot(), System.nanoTime()));
    schedulePump();
  }

  private void prepare(
      UpdateRequest update,
      LocalStamp stamp,
      Map<ObjectName, CrdtState> scratch,
      List<KeyUpdate> keyUpdates) {
    ObjectName name = update.name();
    CrdtState base = scratch.containsKey(name) ? scratch.get(name) : states.forLocalUpdate(name);
    CrdtType type = CrdtRegistry.type(update.operation().typeName());
    if (base != null && !base.typeName().equals(type.name())) {
      throw new CrdtRequestException(
          ErrorCode.TYPE_MISMATCH,
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
    keyUpdates.add(
        new KeyUpdate(
            name.bucket(), name.key(), new EffectEnvelope(operationId, effect.get()).encode()));
  }

  // ------------------------------------------------------------------ the driver loop

  private void schedulePump() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      context.runOnContext(v -> pump());
    }
  }

  private void tick() {
    if (closed || failure != null) {
      return;
    }
    core.tick();
    operationIds.expire(wallClock.millis());
    schedulePump();
  }

  private void pump() {
    pumpScheduled = false;
    if (outstanding != null || closed || failure != null) {
      return;
    }
    Ready ready = core.ready();
    FrameSender frames = sender;
    for (var frame : ready.frames()) {
      frames.send(frame.peer(), frame.bytes());
    }
    outstanding = ready;
    if (ready.entries().isEmpty()) {
      persisted(ready, List.of());
      return;
    }
    List<CompletableFuture<Long>> appends = new ArrayList<>(ready.entries().size());
    try {
      for (LogEntry entry : ready.entries()) {
        appends.add(log.append(LogRecordCodec.encode(entry)));
      }
    } catch (StorageException e) {
      fail(e);
      return;
    }
    long startNanos = System.nanoTime();
    CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, error) ->
                context.runOnContext(
                    v -> {
                      if (error != null) {
                        fail(error);
                        return;
                      }
                      metrics.commitLatency.record(
                          System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                      metrics.updatesPerCommit.record(ready.entries().size());
                      List<Long> indexes = new ArrayList<>(appends.size());
                      for (CompletableFuture<Long> append : appends) {
                        indexes.add(append.join());
                      }
                      persisted(ready, indexes);
                    }));
  }

  /** Steps 2 to 6 of a Ready, once its entries are on disk at {@code indexes}. */
  private void persisted(Ready ready, List<Long> indexes) {
    for (int i = 0; i < indexes.size(); i++) {
      LogEntry entry = ready.entries().get(i);
      logDots.add(new IndexedDot(indexes.get(i), entry.dot()));
      lastAppliedLogIndex = Math.max(lastAppliedLogIndex, indexes.get(i));
      applyEntry(entry);
    }
    if (ready.snapshot().isPresent()) {
      install(ready.snapshot().get());
      freshCheckpoint()
          .onComplete(
              result -> {
                if (result.failed()) {
                  fail(result.cause());
                  return;
                }
                finish(ready);
              });
      return;
    }
    finish(ready);
  }

  private void finish(Ready ready) {
    for (Long handle : ready.acknowledgedRequests()) {
      PendingWrite write = pendingWrites.remove(handle);
      if (write != null) {
        write.promise.complete(
            new RegionResult(objects(write.names), VersionVector.of(self, write.dot.counter())));
      }
    }
    core.advance(ready);
    outstanding = null;
    releaseWaiters();
    publishGauges();
    if (!ready.isEmpty()) {
      schedulePump();
    }
  }

  private void applyEntry(LogEntry entry) {
    boolean local = entry.origin().equals(self);
    visibleVector = visibleVector.with(entry.origin(), entry.seq());
    visibleHlcMax = Math.max(visibleHlcMax, entry.hlc());
    Set<ObjectName> seen = new HashSet<>();
    long now = wallClock.millis();
    for (KeyUpdate update : entry.updates()) {
      ObjectName name = new ObjectName(update.bucket(), update.key());
      EffectEnvelope envelope;
      try {
        envelope = EffectEnvelope.decode(update.effect());
        states.apply(name, envelope.effect(), entry.dot(), local, seen.add(name), visibleVector);
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
      if (context != null) {
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
        states.install(name, CrdtRegistry.decodeState(keyState.state()), after);
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
    RegionException answer =
        new RegionException(RegionException.Code.OVERLOADED, "storage failed", -1, 30);
    for (PendingWrite write : pendingWrites.values()) {
      write.promise.tryFail(answer);
    }
    pendingWrites.clear();
  }

  // ------------------------------------------------------------------ checkpoints and GC

  private void periodicCheckpointAndFold() {
    if (closed || failure != null) {
      return;
    }
    foldSettled();
    checkpoint();
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

  /**
   * Commits the key states changed since the last checkpoint, with the vector and HLC they reflect,
   * on a worker; then deletes log segments below both the checkpoint and the trimmed vector.
   */
  private Future<Void> checkpoint() {
    if (checkpointRunning != null) {
      return checkpointRunning;
    }
    return startCheckpoint();
  }

  /** A checkpoint that covers everything applied now, after the one running (if any). */
  private Future<Void> freshCheckpoint() {
    if (checkpointRunning != null) {
      return checkpointRunning.transform(ignored -> freshCheckpoint());
    }
    return startCheckpoint();
  }

  private Future<Void> startCheckpoint() {
    Map<ObjectName, CrdtState> changed = states.takeChanged();
    VersionVector vector = visibleVector;
    long index = lastAppliedLogIndex;
    long hlcMax = visibleHlcMax;
    if (changed.isEmpty() && index == checkpointLogIndex) {
      return Future.succeededFuture();
    }
    Map<ByteString, ByteString> encoded = new HashMap<>();
    Set<ByteString> removed = new HashSet<>();
    for (Map.Entry<ObjectName, CrdtState> entry : changed.entrySet()) {
      encoded.put(
          entry.getKey().toCheckpointKey(),
          ByteString.copyFrom(CrdtRegistry.encodeState(entry.getValue())));
      ByteString ids = operationIds.encode(entry.getKey());
      if (ids == null) {
        removed.add(entry.getKey().toOperationIdsKey());
      } else {
        encoded.put(entry.getKey().toOperationIdsKey(), ids);
      }
    }
    encoded.put(META_HLC_KEY, ByteString.copyFrom(ByteBuffer.allocate(8).putLong(hlcMax).array()));
    Future<Void> running =
        context
            .executeBlocking(() -> checkpoints.commit(vector, index, encoded, removed), false)
            .transform(
                result -> {
                  checkpointRunning = null;
                  if (result.failed()) {
                    states.markChanged(changed.keySet());
                    LOG.log(Level.WARNING, "checkpoint failed", result.cause());
                    return Future.failedFuture(result.cause());
                  }
                  checkpointLogIndex = index;
                  trimLog();
                  return Future.succeededFuture();
                });
    checkpointRunning = running;
    return running;
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
    long below = Math.min(keepFrom, checkpointLogIndex + 1);
    vertx.executeBlocking(() -> log.deleteSegmentsBelow(below), false);
  }

  // ------------------------------------------------------------------ reading

  private List<ObjectNode> objects(List<ObjectName> names) {
    List<ObjectNode> objects = new ArrayList<>(names.size());
    for (ObjectName name : names) {
      objects.add(objectOrMissing(name));
    }
    return objects;
  }

  private ObjectNode objectOrMissing(ObjectName name) {
    CrdtState state = states.visible(name);
    ObjectNode object = JSON.createObjectNode();
    object.put("bucket", name.bucket());
    object.put("key", name.key());
    if (state == null) {
      object.put("found", false);
      return object;
    }
    CrdtType type = CrdtRegistry.typeOf(state);
    object.put("type", type.name());
    object.set("value", type.value(state));
    object.put("context", CrdtRegistry.encodeContext(type.observedContext(state)));
    return object;
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
        return Math.max(0, wallClock.millis() - entry[1]);
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
   * Stops serving, lets the Ready in progress finish, takes a last checkpoint and closes the log
   * and the data directory. Requests still waiting are answered {@code overloaded}.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> closeWhenIdle(done));
    return done.future();
  }

  /**
   * Stops like a crash would, for tests: no last checkpoint, storage closed as it is. What was
   * acknowledged is in the log; what the last checkpoint missed is replayed at the next open.
   */
  Future<Void> closeWithoutCheckpoint() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          closed = true;
          timers.forEach(vertx::cancelTimer);
          context
              .executeBlocking(() -> closeStorage(), false)
              .compose(ignored -> vertx.undeploy(deploymentId))
              .onComplete(result -> done.complete());
        });
    return done.future();
  }

  private void closeWhenIdle(Promise<Void> done) {
    closing = true;
    if ((outstanding != null || !pendingWrites.isEmpty()) && failure == null) {
      // Let the writes already stamped reach the disk and their clients; take no new ones.
      schedulePump();
      vertx.setTimer(5, id -> closeWhenIdle(done));
      return;
    }
    closed = true;
    for (Long timer : timers) {
      vertx.cancelTimer(timer);
    }
    RegionException closing =
        new RegionException(RegionException.Code.OVERLOADED, "region is closing", -1, 1);
    for (Waiter waiter : waiters) {
      vertx.cancelTimer(waiter.timer);
      waiter.promise.tryFail(closing);
    }
    waiters.clear();
    // Writes stamped but not yet in a Ready never reach the disk now: their clients must not wait.
    for (PendingWrite write : pendingWrites.values()) {
      write.promise.tryFail(closing);
    }
    pendingWrites.clear();
    Future<Void> last = failure == null ? freshCheckpoint() : Future.succeededFuture();
    last.transform(result -> context.executeBlocking(() -> closeStorage(), false))
        .compose(ignored -> vertx.undeploy(deploymentId))
        .onComplete(result -> done.complete());
  }

  private Void closeStorage() {
    try {
      log.close();
    } finally {
      try {
        checkpoints.close();
      } finally {
        directory.close();
      }
    }
    return null;
  }
}
